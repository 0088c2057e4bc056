"""The flow's transitions record their webhook events, in their own transactions, for the
partner concerned only, with one delivery per subscribed and active endpoint."""

from datetime import timedelta
from uuid import UUID

import pytest
from django.db import transaction
from django.utils import timezone

from partners import errors, services
from partners.models import PartnerCode
from partners.services.events import customer_event_reset
from tests.factories import PartnerCodeFactory, UserFactory, WebhookEndpointFactory
from tests.partners.flow import verify
from webhooks.models import EventType, WebhookDelivery, WebhookEvent
from webhooks.services import webhook_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(super_admin):
    return services.code_issue(works_group=super_admin.works_group, by=super_admin)


def _only_event() -> WebhookEvent:
    [event] = WebhookEvent.objects.all()
    return event


def test_a_verification_records_code_verified_naming_the_staff_member(partner, staff, code):
    endpoint = WebhookEndpointFactory(partner=partner)

    verify(staff, code=code, show_profile=True, now=None)

    event = _only_event()
    assert (event.type, event.partner, event.works_group) == (
        EventType.CODE_VERIFIED,
        partner,
        code.works_group,
    )
    code.refresh_from_db()
    assert event.data == {
        "domain": "mizl",
        "domainId": code.works_group.pk,
        "companyName": "水谷建設",
        "partnerCode": code.masked,
        "verifiedAt": code.verified_at.astimezone(timezone.UTC).isoformat(),
        "approveBy": code.approve_by.astimezone(timezone.UTC).isoformat(),
        "verifiedBy": {"email": staff.email, "name": staff.name, "app": None},
    }
    assert code.code not in str(event.data)
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.event, delivery.endpoint, delivery.works_group) == (
        event,
        endpoint,
        code.works_group,
    )
    assert delivery.status == WebhookDelivery.Status.PENDING


def test_the_verifying_app_is_named_when_the_caller_gives_it(staff, code):
    verify(staff, code=code, show_profile=True, now=None, api_app="基幹システム")

    assert _only_event().data["verifiedBy"]["app"] == "基幹システム"


def test_a_decline_records_code_declined(partner, staff, code, super_admin):
    verify(staff, code=code, show_profile=True, now=None)

    services.code_decline(works_group=code.works_group, by=super_admin)

    declined = WebhookEvent.objects.get(type=EventType.CODE_DECLINED)
    code.refresh_from_db()
    assert declined.partner == partner
    assert declined.data["partnerCode"] == code.masked
    assert declined.data["declinedAt"] == code.closed_at.astimezone(timezone.UTC).isoformat()


def test_a_lapse_records_code_lapsed_once(partner, staff, code):
    verify(staff, code=code, show_profile=True, now=None)
    code.refresh_from_db()
    after_window = code.approve_by + timedelta(minutes=1)

    services.code_close_due(now=after_window)
    services.code_close_due(now=after_window)

    lapsed = WebhookEvent.objects.get(type=EventType.CODE_LAPSED)
    assert lapsed.partner == partner
    assert lapsed.data["lapsedAt"] == code.approve_by.astimezone(timezone.UTC).isoformat()


def test_a_completed_switch_records_switch_completed(partner, staff, code, super_admin):
    verify(staff, code=code, show_profile=True, now=None)

    contract = services.contract_complete(works_group=code.works_group, by=super_admin)

    completed = WebhookEvent.objects.get(type=EventType.SWITCH_COMPLETED)
    assert completed.partner == partner
    assert completed.data == {
        "domain": "mizl",
        "domainId": code.works_group.pk,
        "companyName": "水谷建設",
        "partnerCode": code.masked,
        "completedAt": contract.completed_at.astimezone(timezone.UTC).isoformat(),
        "plan": "STANDARD",
        "seats": 25,
    }


def test_events_have_stable_uuid_ids_and_the_time_of_the_change(staff, code):
    moment = timezone.now().replace(microsecond=0)

    verify(staff, code=code, show_profile=True, now=moment)

    event = _only_event()
    assert isinstance(event.id, UUID)
    assert event.created_at == moment
    assert event.payload()["id"] == str(event.id)
    assert event.payload()["createdAt"] == moment.astimezone(timezone.UTC).isoformat()


def test_only_the_partner_concerned_hears_of_its_customer(partner, staff, code, other_partner):
    WebhookEndpointFactory(partner=partner)
    other = WebhookEndpointFactory(partner=other_partner)

    verify(staff, code=code, show_profile=True, now=None)

    assert not WebhookDelivery.objects.filter(endpoint=other).exists()
    assert WebhookDelivery.objects.get().endpoint.partner == partner


def test_only_active_endpoints_subscribed_to_the_type_get_a_delivery(partner, staff, code):
    subscribed = WebhookEndpointFactory(partner=partner, events=[EventType.CODE_VERIFIED])
    WebhookEndpointFactory(partner=partner, events=[EventType.SWITCH_COMPLETED])
    WebhookEndpointFactory(partner=partner, is_active=False, disabled_reason="STAFF")

    verify(staff, code=code, show_profile=True, now=None)

    assert [d.endpoint for d in WebhookDelivery.objects.all()] == [subscribed]


def test_an_event_rolls_back_with_the_change_that_failed(partner, staff, code):
    WebhookEndpointFactory(partner=partner)

    with pytest.raises(RuntimeError), transaction.atomic():
        verify(staff, code=code, show_profile=True, now=None)
        assert WebhookEvent.objects.count() == 1
        raise RuntimeError("the change fails after the event was recorded")

    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED


def test_a_refused_verification_records_no_event(partner, staff, code):
    WebhookEndpointFactory(partner=partner)
    first = UserFactory(staff=True)
    verify(first, code=code, show_profile=True, now=None)

    with pytest.raises(errors.CodeAlreadyUsed):
        verify(staff, code=code, show_profile=True, now=None)

    assert [event.partner for event in WebhookEvent.objects.all()] == [first.partner]


def test_a_sandbox_reset_records_sandbox_customer_reset(partner, group):
    """The sandbox (another branch) calls customer_event_reset inside its reset."""
    endpoint = WebhookEndpointFactory(partner=partner)
    moment = timezone.now()

    customer_event_reset(works_group=group, partner=partner, now=moment)

    event = WebhookEvent.objects.get()
    assert (event.type, WebhookDelivery.objects.get().endpoint) == (
        EventType.SANDBOX_CUSTOMER_RESET,
        endpoint,
    )
    assert event.data == {
        "domain": "mizl",
        "domainId": group.pk,
        "companyName": "水谷建設",
        "partnerCode": None,
        "resetAt": moment.astimezone(timezone.UTC).isoformat(),
    }


def test_any_event_type_can_be_recorded_directly(partner, group):
    event = webhook_event_record(
        type=EventType.SANDBOX_CUSTOMER_RESET, partner=partner, works_group=group, data={}
    )

    assert event.payload()["type"] == "sandbox.customer_reset"


def test_an_event_recorded_inside_the_change_is_delivered_only_after_commit(
    partner, staff, code, django_capture_on_commit_callbacks
):
    """With the immediate backend nothing is sent inside the transaction (or the request)."""
    WebhookEndpointFactory(partner=partner)

    with django_capture_on_commit_callbacks() as callbacks:
        verify(staff, code=code, show_profile=True, now=None)
        assert WebhookDelivery.objects.get().attempts == 0

    assert len(callbacks) >= 2  # the e-mail and the delivery wait for the commit
    assert WebhookDelivery.objects.get().attempts == 0


def test_a_code_of_another_group_goes_to_its_own_partner_only(partner, staff):
    other_code = PartnerCodeFactory()
    WebhookEndpointFactory(partner=partner)

    verify(staff, code=other_code, show_profile=True, now=None)

    assert WebhookEvent.objects.get().works_group == other_code.works_group
