"""Scopes, enforced by method for every operation: `partner.read` reads, `partner` also writes.
Personal tokens carry `partner`. An OAuth token works as long as its app, its staff member
and its own lifetime do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from api.auth import BearerToken
from api.models import AccessToken
from api.refusals import InsufficientScope
from api.services import api_app_create, api_app_revoke
from partners.models import PartnerCode
from tests.support import AUDIT_EVENTS, nothing_written

from .conftest import ApiClient, transfer_body
from .oauth_support import sign_in
from .openapi_support import openapi_document

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/partners/customers"


def test_a_read_only_token_reads(read_api, code, customer_contract):
    assert read_api.preview(code.works_group.domain, code.code).status_code == 200
    assert read_api.get(CUSTOMERS).status_code == 200
    assert read_api.get(f"{CUSTOMERS}/{customer_contract.works_group_id}").status_code == 200


def test_a_read_only_token_is_refused_the_transfer_with_403(read_api, code):
    with nothing_written():
        response = read_api.transfer(code.works_group.domain, transfer_body(code))

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert "partner" in response.json()["description"]
    challenge = response["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="partner"' in challenge
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED


def test_the_scope_check_comes_before_reading_the_body(read_api, code):
    """A write the token may not make is 403 whatever its body: nothing is validated first."""
    response = read_api.transfer(code.works_group.domain, "not json")

    assert response.status_code == 403


def test_a_partner_token_writes(oauth_api, code):
    response = oauth_api.transfer(code.works_group.domain, transfer_body(code))

    assert response.status_code == 202


def test_a_personal_token_carries_the_partner_scope(api, code):
    assert api.transfer(code.works_group.domain, transfer_body(code)).status_code == 202


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_rule_is_the_method_s_so_endpoints_added_later_are_covered(rf, read_api, method):
    """The bearer check every operation runs refuses a write to a read-only token whatever
    the path: an endpoint added later needs no declaration to be covered."""
    request = rf.generic(method, "/api/v1/added-later", headers=read_api._headers(None))

    with pytest.raises(InsufficientScope):
        BearerToken()(request)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reads_of_any_path_pass_the_scope_check(rf, read_api, method):
    request = rf.generic(method, "/api/v1/added-later", headers=read_api._headers(None))

    assert BearerToken()(request).scopes == {"partner.read"}


def test_every_documented_write_is_refused_to_a_read_only_token(read_api, code):
    document = openapi_document()
    writes = [
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method != "get" and path.startswith("/api/")
    ]
    assert writes  # the transfer, today

    ids = {"domain": code.works_group.domain, "webhookId": 1, "deliveryId": 1}
    for path, method in writes:
        url = path.format(**ids)  # the scope is checked before anything is looked up
        assert read_api.request(method.upper(), url).status_code == 403, (method, path)


def test_the_transfer_as_an_app_is_audited_as_its_staff_member_naming_the_app(
    oauth_api, app_credentials, staff, code, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        oauth_api.transfer(code.works_group.domain, transfer_body(code))

    event = AuditEvent.objects.get(action=AuditEvent.Action.CODE_VERIFIED)
    assert event.actor == staff
    assert event.details["api_app"] == app_credentials.app.client_id
    assert [message.to for message in mailoutbox] == [[code.works_group.super_admin.email]]


def test_a_failed_attempt_as_an_app_names_the_app_too(oauth_api, app_credentials, code):
    oauth_api.preview(code.works_group.domain, "ABCDEFGHJKLMNPQRSTUV")

    event = AuditEvent.objects.get(action=AuditEvent.Action.VERIFICATION_FAILED)
    assert event.details["api_app"] == app_credentials.app.client_id


def test_an_expired_access_token_is_401(oauth_api, code):
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = oauth_api.preview(code.works_group.domain, code.code)

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_revoking_the_app_revokes_its_tokens(oauth_api, app_credentials, staff, code):
    api_app_revoke(app=app_credentials.app, by=staff)

    with nothing_written(ignore=(AUDIT_EVENTS,)):
        response = oauth_api.preview(code.works_group.domain, code.code)

    assert response.status_code == 401


def test_a_token_stops_working_when_its_staff_member_leaves(oauth_api, staff, code):
    staff.is_active = False
    staff.save()

    assert oauth_api.preview(code.works_group.domain, code.code).status_code == 401


def test_a_read_only_app_gets_read_only_tokens(client, staff, code):
    reader = api_app_create(staff=staff, name="参照専用", scopes=["partner.read"])
    api = ApiClient(client, sign_in(client, reader)["access_token"])

    assert api.preview(code.works_group.domain, code.code).status_code == 200
    assert api.transfer(code.works_group.domain, transfer_body(code)).status_code == 403
