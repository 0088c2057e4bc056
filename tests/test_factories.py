import pytest

from tests.factories import (
    AccessTokenFactory,
    PartnerCodeFactory,
    PartnerContractFactory,
    SandboxCustomerFactory,
    UsedAssertionFactory,
    UserFactory,
    WebhookAttemptFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_valid_objects():
    contract = PartnerContractFactory()
    code = PartnerCodeFactory(verified=True)
    customer = SandboxCustomerFactory()
    attempt = WebhookAttemptFactory()
    delivery = attempt.delivery
    objects = (contract, contract.code, code, UserFactory(staff=True), UserFactory(operator=True))
    for obj in (*objects, customer, customer.works_group, attempt, delivery, delivery.event):
        obj.full_clean()
    delivery.endpoint.full_clean()
    assert delivery.event.partner == delivery.endpoint.partner


def test_api_factories_build_valid_objects():
    access = AccessTokenFactory()
    used = UsedAssertionFactory(app=access.app)
    for obj in (access, access.refresh_token, access.app, used):
        obj.full_clean()
    assert access.app.partner == access.app.created_by.partner
    assert access.refresh_token.app == access.app
