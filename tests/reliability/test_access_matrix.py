"""Who may open what: every URL of the URLconf × every kind of visitor → the expected status.

Seven visitors: anonymous; the super admin and the admin of a works group (G); the super
admin of another group; the staff of the partner that verified G's code (P) and of another
partner; an operator. Partner staff call the API with their partner's token; everyone else
has only a session, which the API does not accept. Another tenant's object is a 404.
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
from partners.models import ApiToken, PartnerCode
from partners.tokens import api_token_create
from tests.factories import (
    AuditEventFactory,
    OutboundEmailFactory,
    PartnerCodeFactory,
    PartnerFactory,
    UserFactory,
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


@pytest.fixture
def world(db) -> World:
    group = WorksGroupFactory()
    super_admin = UserFactory(works_group=group)
    partner = PartnerFactory()
    staff = UserFactory(staff=True, partner=partner)
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
    _other_token, other_secret = api_token_create(staff=other_staff, name="他社システム")
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
    }
    return World(
        group=group,
        code=code,
        api_code=api_code,
        token=token,
        users=users,
        secrets={"staff": secret, "other_staff": other_secret},
        ids=ids,
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
    ("POST", "/logout/",                               None, (302, 302, 302, 302, 302, 302, 302)),
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
    ("GET",  "/ops/login/",                            None, (200, 200, 200, 200, 200, 200, 302)),
    ("POST", "/ops/logout/",                           None, (302, 302, 302, 302, 302, 302, 302)),
    ("GET",  "/ops/",                                  None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/accounts/worksgroup/{group}/change/", None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/accounts/user/{user}/change/",      None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/accounts/auditevent/{event}/change/", None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/partners/partnercode/{code}/change/", None, (302, 302, 302, 302, 302, 302, 200)),
    ("GET",  "/ops/outbox/outboundemail/{email}/change/",
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
    ("GET",  "/api/v1/openapi.json",                   None, (200, 200, 200, 200, 200, 200, 200)),
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
    if isinstance(body, dict) and path.startswith("/api/"):
        payload = json.dumps(body).replace("{api_code}", world.ids["api_code"])
        return client.post(path, payload, content_type="application/json", headers=headers)
    return client.post(path, body or {}, headers=headers)


@pytest.mark.parametrize(
    ("method", "path", "body", "statuses"),
    [pytest.param(*row, id=f"{row[0]} {row[1]}") for row in MATRIX],
)
def test_every_url_answers_every_visitor_as_expected(client, world, method, path, body, statuses):
    expected = dict(zip(ROLES, statuses, strict=True))
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
