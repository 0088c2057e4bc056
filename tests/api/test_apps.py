"""API apps, as the Developer Console's: registered by partner staff with a client ID, a client
secret and a key pair shown once, and one service account; listed, renewed, revoked."""

import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from api import refusals
from api.models import ApiApp
from api.services import (
    AppCredentials,
    api_app_create,
    api_app_key_regenerate,
    api_app_revoke,
    api_app_secret_regenerate,
)
from partners.tokens import token_digest
from tests.factories import PartnerFactory, UserFactory
from tests.support import nothing_written

from .oauth_support import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.real_rsa_keys
def test_an_app_gets_credentials_of_its_own_and_keeps_only_what_verifies_them(staff):
    created = api_app_create(staff=staff, name="基幹システム", scopes=["partner.read"])
    app = created.app

    assert len(app.client_id) == 20
    assert app.service_account.endswith("serviceaccount")
    assert app.client_secret_hash == token_digest(created.client_secret)
    assert created.private_key.startswith("-----BEGIN PRIVATE KEY-----")
    private = serialization.load_pem_private_key(created.private_key.encode(), password=None)
    assert private.key_size == 2048
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert app.public_key_pem == public.decode()
    stored = json.dumps(list(ApiApp.objects.values()), default=str)
    assert created.client_secret not in stored
    assert "PRIVATE KEY" not in stored
    assert (app.partner, app.created_by, app.scopes) == (staff.partner, staff, ["partner.read"])


@pytest.mark.real_rsa_keys
def test_two_apps_never_share_an_id_a_service_account_or_a_key(staff):
    first = api_app_create(staff=staff, name="一", scopes=["partner"])
    second = api_app_create(staff=staff, name="二", scopes=["partner"])

    for attribute in ("client_id", "service_account", "public_key_pem"):
        assert getattr(first.app, attribute) != getattr(second.app, attribute)
    assert first.client_secret != second.client_secret


def test_registering_is_audited(staff):
    created = api_app_create(staff=staff, name="基幹システム", scopes=["partner"])

    event = AuditEvent.objects.get(action=AuditEvent.Action.API_APP_CREATED)
    assert (event.actor, event.partner) == (staff, staff.partner)
    assert event.details == {"app": created.app.client_id, "name": "基幹システム"}


@pytest.mark.parametrize("scopes", [[], ["admin"], ["partner", "bot"]])
def test_an_app_needs_known_scopes(staff, scopes):
    with nothing_written(), pytest.raises(refusals.InvalidScopes):
        api_app_create(staff=staff, name="基幹システム", scopes=scopes)


@pytest.mark.parametrize("who", ["super_admin", "operator", "inactive_staff"])
def test_only_active_partner_staff_register_apps(request, who):
    user = {
        "super_admin": lambda: request.getfixturevalue("super_admin"),
        "operator": lambda: UserFactory(operator=True),
        "inactive_staff": lambda: UserFactory(staff=True, is_active=False),
    }[who]()

    with nothing_written(), pytest.raises(refusals.AppStaffOnly):
        api_app_create(staff=user, name="基幹システム", scopes=["partner"])


def test_renewing_the_secret_or_the_key_is_for_the_app_s_partner_only(staff, app_credentials):
    stranger = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))

    for verb in (api_app_secret_regenerate, api_app_key_regenerate, api_app_revoke):
        with nothing_written(), pytest.raises(refusals.OtherPartnersApp):
            verb(app=app_credentials.app, by=stranger)


def test_a_colleague_of_the_same_partner_may_renew_and_revoke(staff, app_credentials):
    colleague = UserFactory(staff=True, partner=staff.partner)

    renewed = api_app_secret_regenerate(app=app_credentials.app, by=colleague)
    api_app_revoke(app=app_credentials.app, by=colleague)

    assert renewed.client_secret
    actions = AuditEvent.objects.filter(actor=colleague).values_list("action", flat=True)
    assert set(actions) == {
        AuditEvent.Action.API_APP_SECRET_REGENERATED,
        AuditEvent.Action.API_APP_REVOKED,
    }


def test_a_revoked_app_cannot_be_renewed(staff, app_credentials):
    api_app_revoke(app=app_credentials.app, by=staff)

    for verb in (api_app_secret_regenerate, api_app_key_regenerate):
        with nothing_written(), pytest.raises(refusals.AppRevoked):
            verb(app=app_credentials.app, by=staff)


def test_revoking_twice_changes_nothing_the_second_time(staff, app_credentials):
    first = api_app_revoke(app=app_credentials.app, by=staff)

    with nothing_written():
        second = api_app_revoke(app=app_credentials.app, by=staff)

    assert second.revoked_at == first.revoked_at


# -- manage.py create_api_app -------------------------------------------------------------


def test_the_command_prints_credentials_a_client_can_sign_in_with(client, staff):
    out, err = StringIO(), StringIO()

    call_command(
        "create_api_app",
        staff.email,
        "--name",
        "curl demo",
        "--scopes",
        "partner.read",
        stdout=out,
        stderr=err,
    )

    printed = json.loads(out.getvalue())
    assert set(printed) == {"clientId", "clientSecret", "serviceAccount", "privateKey", "scope"}
    assert printed["serviceAccount"].endswith("serviceaccount")
    assert printed["scope"] == "partner.read"
    assert "shown only this once" in err.getvalue()
    app = ApiApp.objects.get(client_id=printed["clientId"])
    assert app.name == "curl demo"
    credentials = AppCredentials(
        app=app, client_secret=printed["clientSecret"], private_key=printed["privateKey"]
    )
    assert sign_in(client, credentials)["scope"] == "partner.read"


def test_the_command_defaults_to_both_scopes(staff):
    out = StringIO()

    call_command("create_api_app", staff.email, stdout=out, stderr=StringIO())

    assert json.loads(out.getvalue())["scope"] == "partner partner.read"


@pytest.mark.parametrize(
    ("email", "scopes", "message"),
    [
        ("nobody@example.com", "partner", "No user"),
        ("{admin}", "partner", "パートナー担当者"),
        ("{staff}", "partner admin", "OAuth Scopes"),
    ],
)
def test_the_command_refuses_clearly(staff, super_admin, email, scopes, message):
    email = email.format(admin=super_admin.email, staff=staff.email)

    with nothing_written(), pytest.raises(CommandError, match=message):
        call_command("create_api_app", email, "--scopes", scopes, stdout=StringIO())
