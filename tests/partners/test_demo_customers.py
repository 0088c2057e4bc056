"""`manage.py seed_demo_customers`: ABC 株式会社 has switched customers from the first run."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Channel, WorksGroup
from partners.models import PartnerCode, PartnerContract

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_customers", stdout=out)
    return out.getvalue()


def test_abc_has_three_customers_that_walked_the_whole_flow():
    printed = _seed()

    contracts = PartnerContract.objects.select_related("partner", "code", "works_group")
    assert sorted(c.works_group.domain for c in contracts) == ["hikari", "midori", "sakura"]
    for contract in contracts:
        assert contract.partner.name == "ABC 株式会社"
        assert contract.code.status == PartnerCode.Status.USED
        assert contract.code.verified_by.email == "staff@abc.example"
        assert contract.works_group.channel == Channel.PARTNER
    assert "created: sakura, hikari, midori" in printed


def test_seeding_again_changes_nothing():
    _seed()

    printed = _seed()

    assert PartnerContract.objects.count() == 3
    assert WorksGroup.objects.count() == 5
    assert "already there" in printed


def test_without_seed_demo_there_is_no_partner_to_switch_to():
    out = StringIO()

    call_command("seed_demo_customers", stdout=out)

    assert WorksGroup.objects.count() == 0
