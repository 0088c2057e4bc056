"""`seed_scale`, the benchmark's data set: it must load on both databases the bench runs on
(COPY on PostgreSQL, `bulk_create` elsewhere) with every column the models have today."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import AuditEvent, User, WorksGroup
from bench.management.commands.seed_scale import Command as SeedScale
from partners.models import PartnerCode, PartnerContract


@pytest.mark.django_db(transaction=True)
def test_seed_scale_loads_every_row_with_the_models_defaults_and_adds_only_what_is_missing():
    output = io.StringIO()
    call_command(SeedScale(), groups=30, partners=3, events=300, stdout=output)

    # On PostgreSQL the load ends with VACUUM (ANALYZE), which must run outside a transaction.
    assert ("VACUUM ANALYZE" in output.getvalue()) == (connection.vendor == "postgresql")
    groups = WorksGroup.objects.filter(domain__startswith="scale")
    assert groups.count() == 30
    # Columns the rows leave out take the model's default (a new column must not break COPY).
    assert not groups.filter(is_sandbox=True).exists()
    assert PartnerContract.objects.filter(works_group__in=groups).count() == 30
    assert PartnerCode.objects.filter(works_group__in=groups).count() == 30
    assert AuditEvent.objects.filter(works_group__in=groups).count() == 300
    assert User.objects.filter(works_group__in=groups).count() == 30

    call_command(SeedScale(), groups=30, partners=3, events=300, stdout=io.StringIO())
    assert groups.count() == 30
