"""The partner API's customer list reads one page's rows, not the partner's every customer.

Sorted by company name (in 会社情報) and paged by keyset, the list can only stop early when
the database can walk 会社情報 in that order: an index on (company_name, works_group) and
an inner join to it. Without them PostgreSQL joined and sorted all of a partner's customers
for every page (80 ms for 5,000 of 100,000 groups, docs/PERFORMANCE.md).
"""

import pytest
from django.db import connection

from partners.selectors import customer_contract_list
from tests.factories import PartnerContractFactory, PartnerFactory
from tests.reliability.support import ON_POSTGRESQL

pytestmark = pytest.mark.django_db


def test_the_list_is_ordered_by_a_walk_of_the_company_name_index():
    if not ON_POSTGRESQL:
        pytest.skip("the plan asked of PostgreSQL")
    partner = PartnerFactory()
    PartnerContractFactory.create_batch(3, partner=partner)
    queries = []

    def keep(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        # Tiny tables favour a sort whatever the indexes; make it the last resort, so the
        # plan shows whether the index can give the order at all.
        cursor.execute("SET LOCAL enable_sort = off")
        with connection.execute_wrapper(keep):
            customer_contract_list(partner=partner, count=2)
        [(sql, params)] = queries
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "company_info_name_order" in plan
    assert "Sort" not in plan.replace("Sort Key", "")
