import pytest

from tests.factories import (
    PartnerCodeFactory,
    PartnerContractFactory,
    UserFactory,
    WebhookAttemptFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_valid_objects():
    contract = PartnerContractFactory()
    code = PartnerCodeFactory(verified=True)
    attempt = WebhookAttemptFactory()
    delivery = attempt.delivery
    objects = (contract, contract.code, code, UserFactory(staff=True), UserFactory(operator=True))
    for obj in (*objects, attempt, delivery, delivery.event, delivery.endpoint):
        obj.full_clean()
    assert delivery.event.partner == delivery.endpoint.partner
