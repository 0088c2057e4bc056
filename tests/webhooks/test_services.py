"""The endpoint services' own checks: only the partner's own staff, the limit under
concurrency, what switching on and off does."""

import pytest

from core.errors import NotAllowed
from tests.factories import UserFactory, WebhookDeliveryFactory, WebhookEndpointFactory
from tests.reliability.support import errors_of, postgresql_only, run_concurrently
from tests.support import nothing_written
from webhooks import errors
from webhooks.models import WebhookEndpoint
from webhooks.services import (
    webhook_delivery_redeliver,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_secret_rotate,
)

URL = "https://hooks.partner.example/worksadmin"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["super_admin", "operator", "inactive_staff"])
def test_only_active_partner_staff_register_webhooks(request, who, partner):
    user = {
        "super_admin": lambda: request.getfixturevalue("super_admin"),
        "operator": lambda: UserFactory(operator=True),
        "inactive_staff": lambda: UserFactory(staff=True, partner=partner, is_active=False),
    }[who]()

    with nothing_written(), pytest.raises(NotAllowed):
        webhook_endpoint_create(staff=user, url=URL, events=["code.verified"])


@pytest.mark.django_db
def test_another_partners_staff_can_change_nothing(partner, other_staff):
    endpoint = WebhookEndpointFactory(partner=partner)
    delivery = WebhookDeliveryFactory(endpoint=endpoint, status="FAILED")

    with nothing_written():
        for change in (
            lambda: webhook_endpoint_update(endpoint=endpoint, by=other_staff, values={"url": URL}),
            lambda: webhook_secret_rotate(endpoint=endpoint, by=other_staff),
            lambda: webhook_endpoint_delete(endpoint=endpoint, by=other_staff),
            lambda: webhook_delivery_redeliver(delivery=delivery, by=other_staff),
        ):
            with pytest.raises(NotAllowed, match="他のパートナーのWebhookは操作できません。"):
                change()


@pytest.mark.django_db
def test_an_unknown_event_names_itself(staff):
    with pytest.raises(errors.InvalidEndpoint, match="code.approved") as refused:
        webhook_endpoint_create(staff=staff, url=URL, events=["code.verified", "code.approved"])

    assert refused.value.field == "events"


@pytest.mark.django_db
def test_events_are_kept_in_a_fixed_order_without_repeats(staff):
    endpoint, _secret = webhook_endpoint_create(
        staff=staff, url=URL, events=["switch.completed", "code.verified", "code.verified"]
    )

    assert endpoint.events == ["code.verified", "switch.completed"]


@pytest.mark.django_db
def test_switching_on_again_clears_the_failure_streak(staff, partner):
    endpoint = WebhookEndpointFactory(
        partner=partner, is_active=False, disabled_reason="FAILURES", failure_streak=5
    )

    webhook_endpoint_update(endpoint=endpoint, by=staff, values={"is_active": True})

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason, endpoint.failure_streak) == (True, "", 0)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_never_pass_the_limit(settings, partner):
    settings.WEBHOOK_MAX_ENDPOINTS = 3
    staff = [UserFactory(staff=True, partner=partner) for _ in range(8)]

    outcomes = run_concurrently(
        [
            lambda member=member: webhook_endpoint_create(
                staff=member, url=URL, events=["code.verified"]
            )
            for member in staff
        ]
    )

    assert WebhookEndpoint.objects.filter(partner=partner).count() == 3
    assert {type(error) for error in errors_of(outcomes)} == {errors.EndpointLimitReached}
