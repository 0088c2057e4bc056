"""An app's credentials and its tokens are secrets: stored as hashes (or, for the key pair,
only the public half), never in a log line, and hidden from error reports."""

import logging
import re

import pytest
from django.test import Client
from django.views.debug import ExceptionReporter

from api import oauth
from api.models import AccessToken, ApiApp, RefreshToken
from api.oauth import JWT_BEARER
from api.services import AppCredentials, api_app_create
from partners import customer_contracts
from tests.api.oauth_support import sign, token_request
from tests.factories import PartnerCodeFactory, PartnerContractFactory, UserFactory
from tests.support import db_state

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/partners/customers"


def _register_on_the_page(client, staff) -> AppCredentials:
    client.force_login(staff)
    page = client.post(
        "/partner/apps/", {"name": "基幹システム", "scopes": ["partner", "partner.read"]}
    )
    secret = re.search(r'id="app-client-secret"[^>]*>([^<]+)<', page.text).group(1)
    private_key = re.search(r'id="app-private-key"[^>]*>([^<]+)<', page.text, re.S).group(1)
    client.logout()
    return AppCredentials(
        app=ApiApp.objects.get(created_by=staff), client_secret=secret, private_key=private_key
    )


def _everything_an_app_does(client, settings) -> dict[str, str]:
    """Register, sign in (and fail to, in every way that logs), call the API, refresh; with
    DEBUG on, as in development. Returns every secret that went by."""
    settings.DEBUG = True
    staff = UserFactory(staff=True)
    PartnerContractFactory(code__verified_partner=staff.partner, partner=staff.partner)
    code = PartnerCodeFactory()
    app = _register_on_the_page(client, staff)
    assertion = sign(app)
    signed_in = token_request(client, app, grant_type=JWT_BEARER, assertion=assertion).json()
    token_request(client, app, grant_type=JWT_BEARER, assertion=assertion)  # a replay
    token_request(client, app, grant_type=JWT_BEARER, assertion=sign(app), client_secret="x")
    token_request(client, app, grant_type="refresh_token", refresh_token=signed_in["refresh_token"])
    read_only = token_request(
        client, app, grant_type=JWT_BEARER, assertion=sign(app), scope="partner.read"
    ).json()
    for token in (signed_in["access_token"], read_only["access_token"]):
        bearer = {"Authorization": f"Bearer {token}"}
        client.get(CUSTOMERS, headers=bearer)
        client.get(CUSTOMERS, {"count": 99}, headers=bearer)
        client.post(
            f"/api/v1/partners/potential-customers/{code.works_group.domain}/transfer",
            {"partnerCode": code.code, "enablePartnerProfileDisplay": True},
            content_type="application/json",
            headers=bearer,
        )
        # Not "Bearer": Ninja's own header check would log this value whole with DEBUG on.
        client.get(CUSTOMERS, headers={"Authorization": f"Token {token}"})
    return {
        "client secret": app.client_secret,
        "private key": app.private_key.splitlines()[1],
        "assertion": assertion,
        "access token": signed_in["access_token"],
        "read-only access token": read_only["access_token"],
        "refresh token": signed_in["refresh_token"],
    }


def test_no_credential_or_token_ever_reaches_the_logs(client, caplog, settings):
    caplog.set_level(logging.DEBUG)

    secrets = _everything_an_app_does(client, settings)

    logged = "\n".join(
        [caplog.text]
        + [record.getMessage() + repr(record.args) for record in caplog.records]
        + [str(record.__dict__.get("exc_text") or "") for record in caplog.records]
    )
    assert "django.request" in {record.name for record in caplog.records}  # capture was live
    leaked = [name for name, secret in secrets.items() if secret in logged]
    assert leaked == []


def test_the_database_holds_no_credential_or_token(client, settings):
    secrets = _everything_an_app_does(client, settings)

    stored = repr(db_state())
    leaked = [name for name, secret in secrets.items() if secret in stored]
    assert leaked == []
    assert AccessToken.objects.count() == 3 and RefreshToken.objects.count() == 2


def test_a_crash_at_the_token_endpoint_reports_no_secret(monkeypatch, caplog, staff):
    """The technical 500 report Django mails to the admins hides the sensitive parameters."""
    app = api_app_create(staff=staff, name="基幹システム", scopes=["partner"])
    assertion = sign(app)

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(oauth, "oauth_token_issue", broken)
    caplog.set_level(logging.ERROR, logger="django.request")
    client = Client(raise_request_exception=False)
    response = token_request(client, app, grant_type=JWT_BEARER, assertion=assertion)

    assert response.status_code == 500
    record = next(r for r in caplog.records if r.name == "django.request" and r.exc_info)
    report = ExceptionReporter(record.request, *record.exc_info).get_traceback_text()
    assert "RuntimeError" in report
    assert "client_secret" in report  # the parameter is listed…
    assert app.client_secret not in report  # …but not its value
    assert assertion not in report


def test_a_crash_in_the_api_reports_no_bearer_token(monkeypatch, client, caplog, staff):
    app = api_app_create(staff=staff, name="基幹システム", scopes=["partner"])
    access_token = token_request(client, app, grant_type=JWT_BEARER, assertion=sign(app)).json()[
        "access_token"
    ]

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(customer_contracts, "customer_contract_list", broken)
    caplog.set_level(logging.ERROR)
    response = Client(raise_request_exception=False).get(
        CUSTOMERS, headers={"Authorization": f"Bearer {access_token}"}
    )

    assert response.status_code == 500
    assert access_token not in caplog.text
    report = ExceptionReporter(response.wsgi_request, RuntimeError, RuntimeError("a bug"), None)
    assert access_token not in report.get_traceback_text()
