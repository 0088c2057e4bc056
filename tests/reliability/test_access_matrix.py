"""Who may open what: every URL of the URLconf × every kind of visitor → the expected status.

Seven visitors: anonymous; the super admin and the admin of a works group (G); the super
admin of another group; the staff of the partner that verified G's code (P) and of another
partner; an operator. Partner staff call the API with their partner's token; everyone else
has only a session, which the API does not accept. Another tenant's object is a 404.

A second matrix calls every API operation with each kind of token: a personal token, OAuth
access tokens of P's app with `partner` and with `partner.read`, and one of another partner.

G is a sandbox tenant (the other group is not), and P has two sandbox customers of its own,
each with an open code: one for the partner console, one for the API.
"""

import json
import re
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.export_writer import STORAGE, audit_export_run
from accounts.exports import audit_export_start
from accounts.models import AuditExport, User, WorksGroup
from api.services import api_app_create
from partners.models import ApiToken, PartnerCode
from partners.tokens import api_token_create
from sandbox import services as sandbox_services
from tests.api.oauth_support import sign_in
from tests.api.openapi_support import openapi_document
from tests.factories import (
    AuditEventFactory,
    OutboundEmailFactory,
    PartnerCodeFactory,
    PartnerContractFactory,
    PartnerFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
    WorksGroupFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "super_admin",
    "admin",
    "other_super_admin",
    "staff",
    "other_staff",
    "operator",
)


@dataclass
class World:
    group: WorksGroup
    code: PartnerCode
    api_code: PartnerCode
    token: ApiToken
    users: dict[str, User | None]
    secrets: dict[str, str]
    ids: dict[str, object]
    apps: tuple  # the partner's API app and another partner's, for the second matrix


@pytest.fixture
def world(db) -> World:
    group = WorksGroupFactory(is_sandbox=True)
    super_admin = UserFactory(works_group=group)
    partner = PartnerFactory()
    staff = UserFactory(staff=True, partner=partner)
    console_sandbox, api_sandbox = (
        sandbox_services.sandbox_customer_create(partner=partner, by=staff, via="test")
        for _ in range(2)
    )
    other_staff = UserFactory(staff=True, partner=PartnerFactory())
    code = PartnerCodeFactory(
        works_group=group,
        issued_by=super_admin,
        verified=True,
        verified_partner=partner,
        verified_by=staff,
    )
    api_code = PartnerCodeFactory(intended_partner=partner)
    token, secret = api_token_create(staff=staff, name="基幹システム")
    delivery = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(partner=partner))
    _other_token, other_secret = api_token_create(staff=other_staff, name="他社システム")
    app = api_app_create(staff=staff, name="基幹システム連携", scopes=["partner", "partner.read"])
    other_app = api_app_create(staff=other_staff, name="他社連携", scopes=["partner"])
    customer = PartnerContractFactory(code__verified_partner=partner, partner=partner)
    users = {
        "anonymous": None,
        "super_admin": super_admin,
        "admin": UserFactory(works_group=group, admin=True),
        "other_super_admin": UserFactory(works_group=WorksGroupFactory()),
        "staff": staff,
        "other_staff": other_staff,
        "operator": UserFactory(operator=True),
    }
    ids = {
        "group": group.pk,
        "code": code.pk,
        "token": token.pk,
        "event": AuditEventFactory(works_group=group, details={"code": code.masked}).pk,
        "export": _finished_export(group, super_admin).pk,
        "email": OutboundEmailFactory(works_group=group).pk,
        "user": super_admin.pk,
        "api_domain": api_code.works_group.domain,
        "api_code": api_code.code,
        "app": app.app.pk,
        "customer": customer.works_group_id,
        "sandbox": console_sandbox.customer.works_group.domain,
        "api_sandbox": api_sandbox.customer.works_group.domain,
        "webhook": delivery.endpoint_id,
        "delivery": delivery.pk,
    }
    return World(
        group=group,
        code=code,
        api_code=api_code,
        token=token,
        users=users,
        secrets={"staff": secret, "other_staff": other_secret},
        ids=ids,
        apps=(app, other_app),
    )


def _finished_export(group, super_admin):
    """A finished 監査 export of `group` (the real thing, writer and all, is tested in
    tests/accounts/test_audit_export.py)."""
    name = storages[STORAGE].save(f"{group.pk}/matrix.csv", ContentFile(b"\xef\xbb\xbf\r\n"))
    return AuditExport.objects.create(
        works_group=group, requested_by=super_admin, status=AuditExport.Status.READY, file_name=name
    )


# method, path, body; then the status for each of ROLES, in order.
# fmt: off
MATRIX = [
    ("GET",  "/",                                      None, (302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/login/",                                None, (200, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/logout/",                               None, (302, 200, 200, 200, 200, 200, 200)),
    ("POST", "/logout/",                               None, (302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/i18n/setlang/",                         None, (405, 405, 405, 405, 405, 405, 405)),
    ("POST", "/i18n/setlang/",                         {"language": "en"},
                                                             (302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/console/",                              None, (302, 200, 200, 200, 403, 403, 403)),
    ("GET",  "/console/settings/company/",             None, (302, 200, 200, 200, 403, 403, 403)),
    ("POST", "/console/settings/company/",             {},   (302, 200, 403, 200, 403, 403, 403)),
    ("GET",  "/console/audit/",                        None, (302, 200, 200, 200, 403, 403, 403)),
    ("GET",  "/console/audit/exports/",                None, (302, 200, 403, 200, 403, 403, 403)),
    ("POST", "/console/audit/exports/",                {},   (302, 302, 403, 302, 403, 403, 403)),
    ("GET",  "/console/audit/exports/{export}/download/",
                                                       None, (302, 200, 403, 404, 403, 403, 403)),
    ("GET",  "/console/partner/contract/",             None, (302, 200, 200, 200, 403, 403, 403)),
    ("GET",  "/console/partner/contract/status/",      None, (302, 200, 200, 200, 403, 403, 403)),
    ("GET",  "/console/partner/contract/issue/",       None, (302, 405, 405, 405, 403, 403, 403)),
    ("POST", "/console/partner/contract/issue/",       {},   (302, 302, 403, 302, 403, 403, 403)),
    ("POST", "/console/partner/contract/reissue/",     {},   (302, 302, 403, 302, 403, 403, 403)),
    ("POST", "/console/partner/contract/cancel/",      {},   (302, 302, 403, 302, 403, 403, 403)),
    ("POST", "/console/partner/contract/approve/",     {},   (302, 302, 403, 302, 403, 403, 403)),
    ("GET",  "/console/partner/contract/company/",     None, (302, 200, 403, 302, 403, 403, 403)),
    ("POST", "/console/partner/contract/company/",     {},   (302, 200, 403, 302, 403, 403, 403)),
    ("GET",  "/console/partner/contract/confirm/",     None, (302, 200, 403, 200, 403, 403, 403)),
    ("POST", "/console/partner/contract/decline/",     {},   (302, 302, 403, 302, 403, 403, 403)),
    ("POST", "/console/partner/contract/complete/",    {},   (302, 302, 403, 302, 403, 403, 403)),
    ("GET",  "/console/partner/search/",               None, (302, 200, 200, 200, 403, 403, 403)),
    ("GET",  "/partner/",                              None, (302, 403, 403, 403, 200, 200, 403)),
    ("GET",  "/partner/customers/import/",             None, (302, 403, 403, 403, 200, 200, 403)),
    ("POST", "/partner/customers/import/",             {},   (302, 403, 403, 403, 200, 200, 403)),
    ("GET",  "/partner/tokens/",                       None, (302, 403, 403, 403, 200, 200, 403)),
    ("POST", "/partner/tokens/{token}/revoke/",        {},   (302, 403, 403, 403, 302, 404, 403)),
    ("GET",  "/partner/apps/",                         None, (302, 403, 403, 403, 200, 200, 403)),
    ("POST", "/partner/apps/",                         {},   (302, 403, 403, 403, 200, 200, 403)),
    ("POST", "/partner/apps/{app}/secret/",            {},   (302, 403, 403, 403, 200, 404, 403)),
    ("POST", "/partner/apps/{app}/key/",               {},   (302, 403, 403, 403, 200, 404, 403)),
    ("POST", "/partner/apps/{app}/revoke/",            {},   (302, 403, 403, 403, 302, 404, 403)),
    ("GET",  "/oauth2/v2.0/token",                     None, (405, 405, 405, 405, 405, 405, 405)),
    ("POST", "/oauth2/v2.0/token",                     {},   (400, 400, 400, 400, 400, 400, 400)),
    ("GET",  "/ops/login/",                            None, (200, 200, 200, 200, 200, 200, 302)),
    ("POST", "/ops/logout/",                           None, (302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/ops/",                                  None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/accounts/worksgroup/{group}/change/", None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/accounts/user/{user}/change/",      None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/accounts/auditevent/{event}/change/", None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/partners/partnercode/{code}/change/", None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/outbox/outboundemail/{email}/change/",
                                                       None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/console/sandbox/reset/",                None, (302, 200, 403, 404, 403, 403, 403)),
    ("POST", "/console/sandbox/reset/",                {},   (302, 302, 403, 302, 403, 403, 403)),
    ("GET",  "/partner/sandbox/",                      None, (302, 403, 403, 403, 200, 200, 403)),
    ("POST", "/partner/sandbox/",                      {},   (302, 403, 403, 403, 200, 200, 403)),
    ("GET",  "/partner/sandbox/{sandbox}/reset/",      None, (302, 403, 403, 403, 200, 404, 403)),
    ("POST", "/partner/sandbox/{sandbox}/reset/",      {},   (302, 403, 403, 403, 200, 404, 403)),
    ("GET",  "/partner/sandbox/{sandbox}/delete/",     None, (302, 403, 403, 403, 200, 404, 403)),
    ("POST", "/partner/sandbox/{sandbox}/delete/",     {},   (302, 403, 403, 403, 302, 404, 403)),
    ("GET",  "/partner/webhooks/",                     None, (302, 403, 403, 403, 200, 200, 403)),
    ("POST", "/partner/webhooks/",                     {},   (302, 403, 403, 403, 200, 200, 403)),
    ("GET",  "/partner/webhooks/{webhook}/",           None, (302, 403, 403, 403, 200, 404, 403)),
    ("POST", "/partner/webhooks/{webhook}/",           {},   (302, 403, 403, 403, 200, 404, 403)),
    ("POST", "/partner/webhooks/{webhook}/rotate/",    {},   (302, 403, 403, 403, 200, 404, 403)),
    ("POST", "/partner/webhooks/{webhook}/deliveries/{delivery}/redeliver/",
                                                       {},   (302, 403, 403, 403, 302, 404, 403)),
    ("GET",  "/partner/webhooks/{webhook}/rotate/",    None, (302, 403, 403, 403, 405, 405, 403)),
    ("POST", "/partner/webhooks/{webhook}/delete/",    {},   (302, 403, 403, 403, 302, 404, 403)),
    ("GET",  "/dev/webhooks/",                         None, (404, 404, 404, 404, 404, 404, 404)),
    ("GET",  "/ops/webhooks/webhookdelivery/{delivery}/change/",
                                                       None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/healthz",                               None, (200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/readyz",                                None, (200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/dev/mailbox/",                          None, (404, 404, 404, 404, 404, 404, 404)),
    ("GET",  "/dev/mailbox/{email}/html/",             None, (404, 404, 404, 404, 404, 404, 404)),
    ("GET",  "/api/v1/partners/potential-customers/{api_domain}?partnerCode={api_code}",
                                                       None, (401, 401, 401, 401, 200, 409, 401)),
    ("POST", "/api/v1/partners/potential-customers/{api_domain}/transfer",
             {"partnerCode": "{api_code}", "enablePartnerProfileDisplay": True},
                                                             (401, 401, 401, 401, 202, 409, 401)),
    ("GET",  "/api/v1/partners/customers",             None, (401, 401, 401, 401, 200, 200, 401)),
    ("GET",  "/api/v1/partners/customers/{customer}",  None, (401, 401, 401, 401, 200, 404, 401)),
    ("GET",  "/api/v1/partners/customers/{customer}/subscription",
                                                       None, (401, 401, 401, 401, 200, 404, 401)),
    ("POST", "/api/v1/sandbox/customers",              {},   (401, 401, 401, 401, 201, 201, 401)),
    ("POST", "/api/v1/sandbox/customers/{api_sandbox}/reset",
                                                       None, (401, 401, 401, 401, 200, 404, 401)),
    ("POST", "/api/v1/sandbox/customers/{api_sandbox}/expire-code",
                                                       None, (401, 401, 401, 401, 200, 404, 401)),
    ("POST", "/api/v1/sandbox/customers/{api_sandbox}/lapse-code",
                                                       None, (401, 401, 401, 401, 409, 404, 401)),
    ("DELETE", "/api/v1/sandbox/customers/{api_sandbox}",
                                                       None, (401, 401, 401, 401, 204, 404, 401)),
    ("GET",  "/api/v1/partners/webhooks",              None, (401, 401, 401, 401, 200, 200, 401)),
    ("POST", "/api/v1/partners/webhooks",
             {"url": "https://hooks.partner.example/", "events": ["code.verified"]},
                                                             (401, 401, 401, 401, 201, 201, 401)),
    ("GET",  "/api/v1/partners/webhooks/{webhook}",    None, (401, 401, 401, 401, 200, 404, 401)),
    ("PATCH", "/api/v1/partners/webhooks/{webhook}",   {"description": "変更"},
                                                             (401, 401, 401, 401, 200, 404, 401)),
    ("GET",  "/api/v1/partners/webhooks/{webhook}/deliveries",
                                                       None, (401, 401, 401, 401, 200, 404, 401)),
    ("POST", "/api/v1/partners/webhooks/{webhook}/deliveries/{delivery}/redeliver",
                                                       {},   (401, 401, 401, 401, 202, 404, 401)),
    ("DELETE", "/api/v1/partners/webhooks/{webhook}",  None, (401, 401, 401, 401, 204, 404, 401)),
    ("GET",  "/api/v1/openapi.json",                   None, (200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/api/v1/docs",                           None, (200, 200, 200, 200, 200, 200, 200)),
    ("GET",  "/api/v1/",                               None, (404, 404, 404, 404, 404, 404, 404)),
    ("GET",  "/api/v1/no-such-endpoint",               None, (404, 404, 404, 404, 404, 404, 404)),
]
# fmt: on


def _request(client: Client, world: World, role: str, method: str, path: str, body):
    client.logout()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    headers = {}
    if role in world.secrets and path.startswith("/api/"):
        headers["Authorization"] = f"Bearer {world.secrets[role]}"
    path = path.format(**world.ids)
    if method == "GET":
        return client.get(path, headers=headers)
    if path.startswith("/api/"):
        payload = json.dumps(body).replace("{api_code}", world.ids["api_code"]) if body else ""
        return client.generic(
            method, path, payload, content_type="application/json", headers=headers
        )
    return client.post(path, body or {}, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX],
)
def test_every_url_answers_every_visitor_as_expected(client, world, method, path, body, statuses):
    expected = dict(zip(ROLES, statuses, strict=True))
    actual = {role: _request(client, world, role, method, path, body).status_code for role in ROLES}
    assert actual == expected


def _is_sandbox(path: str) -> bool:
    return "/sandbox/" in path


@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX],
)
def test_with_the_sandbox_off_its_urls_are_gone_and_every_other_answers_as_before(
    client, world, settings, method, path, body, statuses
):
    settings.SANDBOX = False
    expected = dict(zip(ROLES, (404,) * len(ROLES) if _is_sandbox(path) else statuses, strict=True))
    actual = {role: _request(client, world, role, method, path, body).status_code for role in ROLES}
    assert actual == expected


def _route_templates(resolver: URLResolver, prefix: str = "") -> set[str]:
    routes = set()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route == "ops/":
                continue  # Django's admin: its own permission model, sampled in the matrix
            routes |= _route_templates(pattern, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            routes.add(route)
    return routes


def test_the_matrix_covers_every_named_url_of_the_urlconf():
    """A new URL without a row in the matrix fails here, not in production."""
    in_matrix = {
        re.sub(r"\{[^}]+\}", "<>", path.split("?")[0]).lstrip("/") for _m, path, _b, _s in MATRIX
    }
    in_urlconf = {re.sub(r"<[^>]+>", "<>", route) for route in _route_templates(get_resolver())}
    assert in_urlconf - in_matrix == set()


# Every API operation × every kind of token ---------------------------------------------

TOKEN_KINDS = ("personal", "partner", "partner.read", "other_partner")
TRANSFER_BODY = {"partnerCode": "{api_code}", "enablePartnerProfileDisplay": True}
# method, path, body; then the status for each of TOKEN_KINDS, in order.
# fmt: off
SCOPE_MATRIX = [
    ("GET",  "/api/v1/partners/potential-customers/{api_domain}?partnerCode={api_code}",
                                                         None, (200, 200, 200, 409)),
    ("POST", "/api/v1/partners/potential-customers/{api_domain}/transfer",
                                                TRANSFER_BODY, (202, 202, 403, 409)),
    ("GET",  "/api/v1/partners/customers",               None, (200, 200, 200, 200)),
    ("GET",  "/api/v1/partners/customers/{customer}",    None, (200, 200, 200, 404)),
    ("GET",  "/api/v1/partners/customers/{customer}/subscription",
                                                         None, (200, 200, 200, 404)),
    ("POST", "/api/v1/sandbox/customers",                  {}, (201, 201, 403, 201)),
    ("POST", "/api/v1/sandbox/customers/{api_sandbox}/reset",
                                                           {}, (200, 200, 403, 404)),
    ("POST", "/api/v1/sandbox/customers/{api_sandbox}/expire-code",
                                                           {}, (200, 200, 403, 404)),
    ("POST", "/api/v1/sandbox/customers/{api_sandbox}/lapse-code",
                                                           {}, (409, 409, 403, 404)),
    ("DELETE", "/api/v1/sandbox/customers/{api_sandbox}",
                                                         None, (204, 204, 403, 404)),
    ("GET",  "/api/v1/partners/webhooks",                None, (200, 200, 200, 200)),
    ("POST", "/api/v1/partners/webhooks",
             {"url": "https://hooks.partner.example/", "events": ["code.verified"]},
                                                               (201, 201, 403, 201)),
    ("GET",  "/api/v1/partners/webhooks/{webhook}",      None, (200, 200, 200, 404)),
    ("PATCH", "/api/v1/partners/webhooks/{webhook}",     {"description": "変更"},
                                                               (200, 200, 403, 404)),
    ("GET",  "/api/v1/partners/webhooks/{webhook}/deliveries",
                                                         None, (200, 200, 200, 404)),
    ("POST", "/api/v1/partners/webhooks/{webhook}/deliveries/{delivery}/redeliver",
                                                           {}, (202, 202, 403, 404)),
    ("DELETE", "/api/v1/partners/webhooks/{webhook}",    None, (204, 204, 403, 404)),
]
# fmt: on


@pytest.fixture
def tokens(world, client) -> dict[str, str]:
    """The second matrix's bearer tokens, by kind (signed in only where that matrix needs them)."""
    app, other_app = world.apps
    return {
        "personal": world.secrets["staff"],
        "partner": sign_in(client, app, scope="partner")["access_token"],
        "partner.read": sign_in(client, app, scope="partner.read")["access_token"],
        "other_partner": sign_in(client, other_app)["access_token"],
    }


@pytest.mark.parametrize("kind", TOKEN_KINDS)
@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in SCOPE_MATRIX],
)
def test_every_api_operation_answers_every_kind_of_token_as_expected(
    client, world, tokens, kind, method, path, body, statuses
):
    """One call per world: a transfer that succeeds uses the code up for the next caller."""
    headers = {"Authorization": f"Bearer {tokens[kind]}"}
    url = path.format(**world.ids)
    if body is None:
        response = client.generic(method, url, headers=headers)
    else:
        payload = json.dumps(body).replace("{api_code}", world.ids["api_code"])
        response = client.generic(
            method, url, payload, content_type="application/json", headers=headers
        )

    assert response.status_code == dict(zip(TOKEN_KINDS, statuses, strict=True))[kind]
    assert response["Content-Type"] == "application/json"


def test_the_scope_matrix_covers_every_api_operation():
    """A new endpoint without a row in the scope matrix fails here."""
    documented = {
        (method.upper(), re.sub(r"\{[^}]+\}", "<>", path))
        for path, item in openapi_document()["paths"].items()
        if path.startswith("/api/")
        for method in item
    }
    in_matrix = {
        (method, re.sub(r"\{[^}]+\}", "<>", path.split("?")[0]))
        for method, path, _body, _statuses in SCOPE_MATRIX
    }
    assert documented == in_matrix


# Cross-tenant reads --------------------------------------------------------------------


def test_another_groups_super_admin_sees_none_of_this_groups_audit_rows(world):
    client = Client()
    client.force_login(world.users["other_super_admin"])

    page = client.get("/console/audit/")
    other = world.users["other_super_admin"]
    started = audit_export_start(works_group=other.works_group, by=other)
    export = audit_export_run(export_id=started.pk)
    csv = client.get(f"/console/audit/exports/{export.pk}/download/")

    masked = world.code.masked
    assert masked not in page.text
    assert masked not in b"".join(csv.streaming_content).decode()
    client.force_login(world.users["admin"])
    assert masked in client.get("/console/audit/").text  # the group's own admin does see it


def test_another_partners_staff_sees_none_of_this_partners_customers(world):
    client = Client()
    client.force_login(world.users["other_staff"])

    company_name = world.group.company_info.company_name

    assert company_name not in client.get("/partner/").text
    assert company_name not in client.get("/partner/", {"q": world.group.domain}).text
    client.force_login(world.users["staff"])
    assert company_name in client.get("/partner/").text


def test_another_groups_super_admin_cannot_move_this_groups_code(world):
    client = Client()
    client.force_login(world.users["other_super_admin"])
    for action in ("issue", "reissue", "cancel", "decline", "approve", "complete"):
        client.post(f"/console/partner/contract/{action}/")

    world.code.refresh_from_db()
    assert world.code.status == PartnerCode.Status.VERIFIED
    assert PartnerCode.objects.filter(works_group=world.group).count() == 1


def test_the_api_does_not_accept_a_session_in_place_of_a_token(world):
    client = Client()
    client.force_login(world.users["staff"])

    response = client.get(
        f"/api/v1/partners/potential-customers/{world.api_code.works_group.domain}",
        {"partnerCode": world.api_code.code},
    )

    assert response.status_code == 401


def test_a_wrong_pair_reads_the_same_whether_or_not_the_group_exists(world):
    client = Client()
    headers = {"Authorization": f"Bearer {world.secrets['staff']}"}
    wrong_code = "ABCDEFGHJKLMNPQRSTUV"

    existing = client.get(
        f"/api/v1/partners/potential-customers/{world.api_code.works_group.domain}",
        {"partnerCode": wrong_code},
        headers=headers,
    )
    missing = client.get(
        "/api/v1/partners/potential-customers/no-such-group",
        {"partnerCode": wrong_code},
        headers=headers,
    )

    assert (existing.status_code, existing.json()) == (missing.status_code, missing.json())
    assert existing.status_code == 404
