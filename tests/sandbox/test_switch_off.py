"""SANDBOX=false: every sandbox page, action, command and endpoint is gone, and nothing else
changes. (The test settings turn the sandbox on; these tests turn it off.)"""

import json
import re

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import WorksGroup
from api.main import api
from partners import services as flow
from partners.models import PartnerCode
from partners.tokens import api_token_create
from sandbox import errors, services
from sandbox.services import Via
from tests.factories import UserFactory
from tests.partners.flow import refused
from tests.support import nothing_written

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/sandbox/reset/",
    "/partner/sandbox/",
    "/partner/sandbox/{domain}/reset/",
    "/partner/sandbox/{domain}/delete/",
]
ENDPOINTS = [
    ("POST", "/api/v1/sandbox/customers"),
    ("POST", "/api/v1/sandbox/customers/{domain}/reset"),
    ("POST", "/api/v1/sandbox/customers/{domain}/expire-code"),
    ("POST", "/api/v1/sandbox/customers/{domain}/lapse-code"),
    ("DELETE", "/api/v1/sandbox/customers/{domain}"),
    ("GET", "/api/v1/sandbox/customers"),
]


@pytest.fixture
def off(settings):
    settings.SANDBOX = False


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["anonymous", "super_admin", "staff", "operator"])
def test_every_sandbox_page_is_a_404_for_everyone(created, staff, demo, off, path, who):
    user = {
        "anonymous": None,
        "super_admin": demo["mizl_admin"],
        "staff": staff,
        "operator": demo["ops"],
    }[who]
    browser = Client()
    if user:
        browser.force_login(user)
    url = path.format(domain=created.customer.works_group.domain)

    with nothing_written():
        assert browser.get(url).status_code == 404
        assert browser.post(url).status_code == 404


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("with_token", [True, False], ids=["token", "no token"])
def test_every_sandbox_endpoint_answers_as_an_unknown_api_path(
    client, created, staff, off, method, path, with_token
):
    secret = api_token_create(staff=staff, name="基幹システム")[1]
    headers = {"Authorization": f"Bearer {secret}"} if with_token else {}
    url = path.format(domain=created.customer.works_group.domain)

    with nothing_written():
        response = client.generic(method, url, "{}", "application/json", headers=headers)

    unknown = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == unknown.json()


def test_the_document_leaves_the_sandbox_out_and_is_otherwise_the_same(settings):
    on = json.loads(json.dumps(api.get_openapi_schema()))
    settings.SANDBOX = False
    off = json.loads(json.dumps(api.get_openapi_schema()))

    sandbox_paths = {path for path in on["paths"] if "/sandbox/" in path}
    assert len(sandbox_paths) == 5
    assert off["paths"] == {p: item for p, item in on["paths"].items() if p not in sandbox_paths}
    schemas = on["components"]["schemas"]
    assert off["components"]["schemas"] == {
        name: schema for name, schema in schemas.items() if not name.startswith("Sandbox")
    }
    assert {k: v for k, v in off.items() if k != "paths" and k != "components"} == {
        k: v for k, v in on.items() if k != "paths" and k != "components"
    }


def test_the_partner_console_has_no_sandbox_menu_item(signed_in_as, staff, off):
    page = signed_in_as(staff).get("/partner/").text

    assert "/partner/sandbox/" not in page
    assert "テスト顧客" not in page


def test_the_wizard_has_no_reset_button(signed_in_as, demo, settings):
    browser = signed_in_as(demo["mizl_admin"])
    with_sandbox = browser.get("/console/partner/contract/").text
    settings.SANDBOX = False

    without = browser.get("/console/partner/contract/").text

    assert "/console/sandbox/reset/" in with_sandbox
    assert "/console/sandbox/reset/" not in without
    assert _without_the_panel(with_sandbox) == _tokens_blanked(without)


def _tokens_blanked(html: str) -> str:
    """The page without its per-response CSRF tokens and with white space collapsed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r"\s+", " ", html)


def _without_the_panel(html: str) -> str:
    start = html.index('<section class="panel sandbox-panel"')
    end = html.index("</dialog>", start) + len("</dialog>")
    return _tokens_blanked(html[:start] + html[end:])


@pytest.mark.parametrize(
    ("model", "actions"),
    [
        (WorksGroup, {"sandbox_reset", "sandbox_code_expire", "sandbox_code_lapse"}),
        (PartnerCode, {"sandbox_code_expire", "sandbox_code_lapse"}),
    ],
)
def test_ops_offers_no_sandbox_action(rf, model, actions, settings):
    request = rf.get("/ops/")
    request.user = UserFactory(operator=True)
    model_admin = admin.site._registry[model]
    assert actions <= set(model_admin.get_actions(request))
    settings.SANDBOX = False

    assert not actions & set(model_admin.get_actions(request))


def test_an_ops_action_posted_anyway_does_nothing(signed_in_as, demo, off):
    code = flow.code_issue(works_group=demo["mizl"], by=demo["mizl_admin"])
    browser = signed_in_as(demo["ops"])
    url = reverse("admin:accounts_worksgroup_changelist")

    with nothing_written():
        browser.post(url, {"action": "sandbox_code_expire", "_selected_action": [demo["mizl"].pk]})

    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED


def test_reset_demo_refuses(demo, off):
    with nothing_written(), pytest.raises(CommandError, match=str(errors.SANDBOX_OFF)):
        call_command("reset_demo")


def test_every_service_refuses(created, staff, demo, off):
    group = created.customer.works_group
    calls = [
        lambda: services.sandbox_customer_create(partner=staff.partner, by=staff, via=Via.API),
        lambda: services.sandbox_tenant_reset(works_group=group, by=staff, via=Via.API),
        lambda: services.sandbox_customer_delete(works_group=group, by=staff, via=Via.API),
        lambda: services.sandbox_code_expire(works_group=group, by=staff, via=Via.API),
        lambda: services.sandbox_code_lapse(works_group=group, by=staff, via=Via.API),
        lambda: services.sandbox_tenant_reset(works_group=demo["mizl"], by=None, via=Via.COMMAND),
    ]
    for call in calls:
        with nothing_written(), refused(errors.SandboxOff, errors.SANDBOX_OFF):
            call()
