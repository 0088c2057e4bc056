import pytest

from tests.factories import (
    PartnerCodeFactory,
    PartnerContractFactory,
    SandboxCustomerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_valid_objects():
    contract = PartnerContractFactory()
    code = PartnerCodeFactory(verified=True)
    customer = SandboxCustomerFactory()
    objects = (contract, contract.code, code, UserFactory(staff=True), UserFactory(operator=True))
    for obj in (*objects, customer, customer.works_group):
        obj.full_clean()
