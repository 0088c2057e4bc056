"""The partner API's customer list reads one page's rows, not the partner's every customer.

Sorted by company name (in 会社情報) and paged by keyset, the list can only stop early when
the database can walk the partner's customers in that order: 会社情報 notes the partner of
the group's contract (`switched_to`), and the index (switched_to, company_name, works_group)
gives them in order. Without it PostgreSQL joined and sorted all of a partner's customers
for every page (80 ms for 5,000 of 100,000 groups), and with an index on the names alone it
walked every partner's customers until it had a page of this one's (6-11 ms on the bench's
data, docs/PERFORMANCE.md).
"""

import pytest
from django.db import connection

from partners.customer_contracts import customer_contract_list
from tests.factories import PartnerContractFactory, PartnerFactory
from tests.reliability.support import ON_POSTGRESQL

from .plans import assert_walks, generic_plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("descending", [False, True])
def test_the_list_is_read_by_a_walk_of_the_partner_s_customers_in_name_order(descending):
    if not ON_POSTGRESQL:
        pytest.skip("the plan asked of PostgreSQL")
    partner = PartnerFactory()
    PartnerContractFactory.create_batch(3, partner=partner)
    PartnerContractFactory.create_batch(3)  # other partners' customers
    with connection.cursor() as cursor:
        # Tiny tables favour a sort whatever the indexes; make it the last resort, so the
        # plan shows whether the index can give the order at all.
        cursor.execute("SET LOCAL enable_sort = off")

    plan = generic_plan(
        lambda: customer_contract_list(partner=partner, count=2, descending=descending)
    )

    assert_walks(plan, "company_info_customer_order")
    assert "Index Cond: (switched_to_id = $" in plan, plan
