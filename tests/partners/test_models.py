"""What the database itself guarantees, whatever code writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from partners.models import PartnerCode
from tests.factories import PartnerCodeFactory, PartnerContractFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [PartnerCode.Status.ISSUED, PartnerCode.Status.VERIFIED])
def test_a_group_cannot_hold_two_open_codes(open_code, status):
    extra = {"verified": True} if status == PartnerCode.Status.VERIFIED else {}

    with transaction.atomic(), pytest.raises(IntegrityError):
        PartnerCodeFactory(works_group=open_code.works_group, **extra)


def test_closed_codes_do_not_count_as_open(open_code):
    open_code.status = PartnerCode.Status.CANCELLED
    open_code.save()

    PartnerCodeFactory(works_group=open_code.works_group)

    assert open_code.works_group.partner_codes.count() == 2


@pytest.fixture
def switched_group(group, super_admin):
    PartnerContractFactory(code__works_group=group, code__issued_by=super_admin)
    return group


def test_a_group_can_never_have_a_second_contract(switched_group):
    group = switched_group

    with transaction.atomic(), pytest.raises(IntegrityError):
        PartnerContractFactory(
            code=PartnerCodeFactory(
                works_group=group, verified=True, status=PartnerCode.Status.USED
            ),
        )


def test_unknown_status_is_rejected(open_code):
    with transaction.atomic(), pytest.raises(IntegrityError):
        PartnerCode.objects.filter(pk=open_code.pk).update(status="LOST")


def test_verified_code_must_name_its_partner(open_code):
    with transaction.atomic(), pytest.raises(IntegrityError):
        PartnerCode.objects.filter(pk=open_code.pk).update(status=PartnerCode.Status.VERIFIED)
