"""/api/v1/docs in Chromium: Swagger UI from our own static files, under the real Content
Security Policy, with no console error and no request leaving the app's origin; a developer
can authorize with an access token and call the API from it."""

import re

import pytest
from playwright.sync_api import expect

from api.services import api_app_create
from tests.api.oauth_support import sign_in
from tests.api.openapi_support import METHODS, openapi_document
from tests.factories import PartnerContractFactory

pytestmark = pytest.mark.browser

DOCS = "/api/v1/docs"


@pytest.fixture
def access_token(client, abc_staff):
    PartnerContractFactory(
        partner=abc_staff.partner,
        code__verified_partner=abc_staff.partner,
        code__works_group__company_info__company_name="さくら商事株式会社",
    )
    app = api_app_create(staff=abc_staff, name="連携", scopes=["partner.read"])
    return sign_in(client, app)["access_token"]


def _watch(page, origin: str):
    """Every request the page makes that leaves the origin, and every console error."""
    foreign, errors = [], []
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url)
            if not (request.url.startswith(origin) or request.url.startswith("data:"))
            else None
        ),
    )
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return foreign, errors


def test_the_reference_renders_every_operation_from_our_own_files(new_page, server, screens):
    page = new_page("developer")
    foreign, errors = _watch(page, server)

    response = page.goto(DOCS)

    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("worksadmin partner API")
    operations = [
        operation["operationId"]
        for item in openapi_document()["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    ]
    expect(page.locator(".opblock")).to_have_count(len(operations))
    for name in ("listCustomers", "getCustomer", "issueToken", "transferPotentialCustomer"):
        expect(page.locator(f'[id$="-{name}"]')).to_be_visible()
    scripts = page.locator("script[src]").evaluate_all("els => els.map(e => e.src)")
    assert scripts and all(src.startswith(f"{server}/static/") for src in scripts)
    screens.shot(page, "reference")
    assert foreign == []
    assert errors == []


def test_a_developer_can_call_the_api_from_the_reference(new_page, server, screens, access_token):
    page = new_page("developer")
    foreign, errors = _watch(page, server)
    page.goto(DOCS)

    page.locator(".auth-wrapper .authorize").click()
    dialog = page.locator(".modal-ux")
    dialog.locator("input").first.fill(access_token)
    dialog.locator(".auth-btn-wrapper .authorize").click()
    dialog.locator(".btn-done").click()
    operation = page.locator('[id$="-listCustomers"]')
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()

    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text(re.compile(r"^\s*200"))
    expect(operation.locator(".live-responses-table")).to_contain_text("さくら商事株式会社")
    screens.shot(page, "called")
    assert foreign == []
    assert errors == []
