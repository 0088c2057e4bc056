import pytest

from tests.factories import PartnerCodeFactory, PartnerContractFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_factories_build_valid_objects():
    contract = PartnerContractFactory()
    code = PartnerCodeFactory(verified=True)
    for obj in (contract, contract.code, code, UserFactory(staff=True), UserFactory(operator=True)):
        obj.full_clean()
