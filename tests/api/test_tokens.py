"""API tokens as services: created once, stored hashed, used, revoked."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from partners import errors
from partners.models import ApiToken
from partners.tokens import (
    OTHER_PARTNERS_TOKEN,
    STAFF_ONLY,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tests.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_created_token_is_returned_once_and_only_its_hash_is_stored(staff):
    token, secret = api_token_create(staff=staff, name="基幹システム")

    stored = ApiToken.objects.get()
    assert secret.startswith("wa_") and len(secret) == 46
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:10]
    assert secret not in {getattr(stored, f.attname) for f in ApiToken._meta.fields}
    assert (stored.partner, stored.created_by, stored.name) == (
        staff.partner,
        staff,
        "基幹システム",
    )
    assert stored.last_used_at is None and stored.revoked_at is None


def test_two_tokens_never_share_a_secret(staff):
    secrets = {api_token_create(staff=staff, name=f"t{n}")[1] for n in range(5)}

    assert len(secrets) == 5


def test_creating_a_token_is_audited_without_the_secret(staff):
    token, secret = api_token_create(staff=staff, name="基幹システム")

    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_CREATED)
    assert (event.actor, event.partner) == (staff, staff.partner)
    assert event.details == {"token": token.prefix, "name": "基幹システム"}
    assert secret not in str(event.details)


@pytest.mark.parametrize("role", ["super_admin", "admin", "operator"])
def test_only_partner_staff_may_create_tokens(group, role):
    user = {
        "super_admin": lambda: UserFactory(works_group=group),
        "admin": lambda: UserFactory(works_group=group, admin=True),
        "operator": lambda: UserFactory(operator=True),
    }[role]()

    with pytest.raises(errors.NotAllowed) as refusal:
        api_token_create(staff=user, name="x")

    assert refusal.value.message == STAFF_ONLY
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_CREATED).exists()


def test_authenticate_finds_the_token_and_records_its_use(staff):
    token, secret = api_token_create(staff=staff, name="x")
    now = timezone.now() + timedelta(minutes=5)

    found = api_token_authenticate(secret, now=now)

    assert found == token
    assert found.created_by == staff and found.partner == staff.partner
    token.refresh_from_db()
    assert token.last_used_at == now


def test_last_use_is_written_at_most_once_a_minute(staff, django_assert_num_queries):
    token, secret = api_token_create(staff=staff, name="x")
    first = timezone.now()
    api_token_authenticate(secret, now=first)

    # Within the minute: the token is read, nothing is written (no transaction, no fsync).
    with django_assert_num_queries(1):
        assert api_token_authenticate(secret, now=first + timedelta(seconds=59)) == token
    token.refresh_from_db()
    assert token.last_used_at == first

    later = first + timedelta(minutes=1)
    assert api_token_authenticate(secret, now=later) == token
    token.refresh_from_db()
    assert token.last_used_at == later


@pytest.mark.parametrize(
    "raw", ["", "wa_", "wa_nottherealtoken", "Bearer", "x" * 500, "wa_\ud800", "\x00"]
)
def test_authenticate_refuses_what_is_not_a_token(staff, raw):
    api_token_create(staff=staff, name="x")

    assert api_token_authenticate(raw) is None


def test_authenticate_refuses_a_token_that_differs_by_one_character(staff):
    _token, secret = api_token_create(staff=staff, name="x")
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    assert api_token_authenticate(flipped) is None


def test_revoked_token_no_longer_authenticates(staff):
    token, secret = api_token_create(staff=staff, name="x")

    api_token_revoke(token=token, by=staff)

    assert api_token_authenticate(secret) is None
    token.refresh_from_db()
    assert token.revoked_at is not None and token.last_used_at is None


def test_deactivated_staff_member_s_tokens_stop_working(staff):
    _token, secret = api_token_create(staff=staff, name="x")
    staff.is_active = False
    staff.save()

    assert api_token_authenticate(secret) is None


def test_a_colleague_may_revoke_a_token_and_it_is_audited(staff):
    token, _secret = api_token_create(staff=staff, name="x")
    colleague = UserFactory(staff=True, partner=staff.partner)

    api_token_revoke(token=token, by=colleague)

    event = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_REVOKED)
    assert (event.actor, event.partner) == (colleague, staff.partner)
    assert event.details["token"] == token.prefix


def test_revoking_twice_changes_nothing_the_second_time(staff):
    token, _secret = api_token_create(staff=staff, name="x")
    first = api_token_revoke(token=token, by=staff).revoked_at

    again = api_token_revoke(token=token, by=staff, now=first + timedelta(hours=1))

    assert again.revoked_at == first
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count() == 1


def test_staff_of_another_partner_cannot_revoke_a_token(staff):
    token, secret = api_token_create(staff=staff, name="x")
    outsider = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))

    with pytest.raises(errors.NotAllowed) as refusal:
        api_token_revoke(token=token, by=outsider)

    assert refusal.value.message == OTHER_PARTNERS_TOKEN
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_token_authenticate(secret) == token
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).exists()


def test_a_customer_admin_cannot_revoke_a_partner_s_token(staff, super_admin):
    token, _secret = api_token_create(staff=staff, name="x")

    with pytest.raises(errors.NotAllowed):
        api_token_revoke(token=token, by=super_admin)

    token.refresh_from_db()
    assert token.revoked_at is None
