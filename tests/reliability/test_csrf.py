"""CSRF protection on every form: a POST without the token is a 403 that writes nothing; the
same POST with the token goes through; every POST form the app renders carries a token."""

from dataclasses import dataclass

import pytest
from django.test import Client

from accounts.models import User
from api.models import ApiApp
from api.services import api_app_create
from outbox.models import OutboundEmail
from partners import services
from partners.models import ApiToken, PartnerCode
from partners.tokens import api_token_create
from tests.factories import (
    PASSWORD,
    OutboundEmailFactory,
    PartnerFactory,
    SandboxCustomerFactory,
    UserFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
    WorksGroupFactory,
)
from tests.support import db_state

from .pages import parse

pytestmark = pytest.mark.django_db

LANDING = {
    "anonymous": "/login/",
    "super_admin": "/console/",
    "staff": "/partner/",
    "operator": "/ops/",
}


@dataclass
class World:
    """A group at the wizard step a form needs (a sandbox customer of the partner), its super
    admin, a partner's staff, an operator."""

    group: object
    super_admin: User
    staff: User
    operator: User
    code: PartnerCode | None
    token: ApiToken
    email: OutboundEmail
    app: ApiApp
    delivery: object

    def path(self, template: str) -> str:
        return template.format(
            token=self.token.pk,
            app=self.app.pk,
            sandbox=self.group.domain,
            webhook=self.delivery.endpoint_id,
            delivery=self.delivery.pk,
        )


def _world(step: int) -> World:
    group = WorksGroupFactory(is_sandbox=True)
    super_admin = UserFactory(works_group=group)
    staff = UserFactory(staff=True, partner=PartnerFactory())
    SandboxCustomerFactory(works_group=group, partner=staff.partner, created_by=staff)
    code = None
    if step >= 2:
        code = services.code_issue(works_group=group, by=super_admin)
    if step >= 3:
        code = services.code_verify(
            partner=staff.partner,
            staff=staff,
            domain=group.domain,
            raw_code=code.code,
            show_profile=True,
        )
    token, _secret = api_token_create(staff=staff, name="基幹システム")
    return World(
        group=group,
        super_admin=super_admin,
        staff=staff,
        operator=UserFactory(operator=True),
        code=code,
        token=token,
        email=OutboundEmailFactory(status=OutboundEmail.Status.FAILED),
        app=api_app_create(staff=staff, name="基幹システム連携", scopes=["partner"]).app,
        delivery=WebhookDeliveryFactory(
            endpoint=WebhookEndpointFactory(partner=staff.partner), status="FAILED"
        ),
    )


COMPANY_INFO = {
    "group_name": "新しいグループ",
    "company_name": "新しい会社",
    "phone": "03-0000-0000",
    "language": "ja_JP",
    "time_zone": "Asia/Tokyo",
    "receive_notices": "True",
    "notice_recipients": "ADMINS",
}

WEBHOOK_FORM = {
    "url": "https://hooks.partner.example/worksadmin",
    "events": ["code.verified"],
    "is_active": "on",
}

# who, wizard step, path, form; every one a POST that writes when it carries its token.
FORMS = [
    ("anonymous", 1, "/login/", lambda w: {"username": w.super_admin.email, "password": PASSWORD}),
    ("anonymous", 1, "/ops/login/", lambda w: {"username": w.operator.email, "password": PASSWORD}),
    ("super_admin", 1, "/console/settings/company/", lambda w: COMPANY_INFO),
    ("super_admin", 1, "/console/audit/exports/", lambda w: {}),
    ("super_admin", 1, "/console/partner/contract/issue/", lambda w: {}),
    ("super_admin", 2, "/console/partner/contract/reissue/", lambda w: {}),
    ("super_admin", 2, "/console/partner/contract/cancel/", lambda w: {}),
    ("super_admin", 3, "/console/partner/contract/decline/", lambda w: {}),
    (
        "super_admin",
        3,
        "/console/partner/contract/company/",
        lambda w: {
            "group_name": "新しいグループ",
            "company_name": "新しい会社",
            "phone": "03-0000-0000",
            "admin_email": "new-admin@example.com",
            "current_password": PASSWORD,
        },
    ),
    ("super_admin", 3, "/console/partner/contract/complete/", lambda w: {}),
    (
        "staff",
        2,
        "/partner/customers/import/",
        lambda w: {"domain": w.group.domain, "code": w.code.code, "confirm": "1"},
    ),
    ("staff", 1, "/partner/tokens/", lambda w: {"name": "別のシステム"}),
    ("staff", 1, "/i18n/setlang/", lambda w: {"language": "en", "next": "/partner/"}),
    ("staff", 1, "/partner/tokens/{token}/revoke/", lambda w: {}),
    ("staff", 1, "/partner/apps/", lambda w: {"name": "別のアプリ", "scopes": ["partner"]}),
    ("staff", 1, "/partner/apps/{app}/secret/", lambda w: {}),
    ("staff", 1, "/partner/apps/{app}/key/", lambda w: {}),
    ("staff", 1, "/partner/apps/{app}/revoke/", lambda w: {}),
    ("super_admin", 3, "/console/sandbox/reset/", lambda w: {}),
    ("staff", 1, "/partner/sandbox/", lambda w: {"plan": "FREE", "seats": "10"}),
    ("staff", 2, "/partner/sandbox/{sandbox}/reset/", lambda w: {}),
    ("staff", 1, "/partner/sandbox/{sandbox}/delete/", lambda w: {}),
    (
        "operator",
        2,
        "/ops/accounts/worksgroup/",
        lambda w: {"action": "sandbox_code_expire", "_selected_action": [w.group.pk]},
    ),
    ("staff", 1, "/partner/webhooks/", lambda w: WEBHOOK_FORM),
    ("staff", 1, "/partner/webhooks/{webhook}/", lambda w: {**WEBHOOK_FORM, "is_active": ""}),
    ("staff", 1, "/partner/webhooks/{webhook}/rotate/", lambda w: {}),
    ("staff", 1, "/partner/webhooks/{webhook}/deliveries/{delivery}/redeliver/", lambda w: {}),
    ("staff", 1, "/partner/webhooks/{webhook}/delete/", lambda w: {}),
    (
        "operator",
        1,
        "/ops/outbox/outboundemail/",
        lambda w: {"action": "retry", "_selected_action": [w.email.pk]},
    ),
]


def _browser(world: World, who: str) -> Client:
    browser = Client(enforce_csrf_checks=True)
    user = {"super_admin": world.super_admin, "staff": world.staff, "operator": world.operator}
    if who in user:
        browser.force_login(user[who])
    browser.get(LANDING[who])  # sets the CSRF cookie, as the page with the form would
    return browser


@pytest.mark.parametrize(
    ("who", "step", "path", "form"), [pytest.param(*case, id=case[2]) for case in FORMS]
)
def test_a_form_posted_without_its_csrf_token_is_refused_and_writes_nothing(who, step, path, form):
    world = _world(step)
    browser = _browser(world, who)
    path = world.path(path)
    before = db_state()

    response = browser.post(path, form(world))

    assert response.status_code == 403
    assert db_state() == before


@pytest.mark.parametrize(
    ("who", "step", "path", "form"), [pytest.param(*case, id=case[2]) for case in FORMS]
)
def test_the_same_form_with_its_csrf_token_goes_through(who, step, path, form):
    world = _world(step)
    browser = _browser(world, who)
    path = world.path(path)
    before = db_state()

    response = browser.post(
        path, {**form(world), "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )

    assert response.status_code in (200, 302)
    assert db_state() != before


def test_log_out_and_approve_need_the_token_too():
    """承認 writes no row and log-out only a new session generation: refused all the same."""
    world = _world(3)
    browser = _browser(world, "super_admin")

    assert browser.post("/console/partner/contract/approve/").status_code == 403
    assert browser.post("/logout/").status_code == 403
    assert browser.get("/console/").status_code == 200  # still signed in

    token = {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    approved = browser.post("/console/partner/contract/approve/", token)
    assert approved["Location"] == "/console/partner/contract/confirm/"
    assert browser.post("/logout/", token).status_code == 302
    assert browser.get("/console/").status_code == 302  # signed out


def test_every_post_form_the_app_renders_carries_a_csrf_token(rendered_pages):
    post_forms = {
        label: [form for form in parse(html).forms if form.method == "post"]
        for label, html in rendered_pages
    }

    # Every page has at least its log-in or log-out form: the walk really saw the forms.
    assert all(post_forms.values())
    missing = [
        (label, form.action)
        for label, forms in post_forms.items()
        for form in forms
        if "csrfmiddlewaretoken" not in form.fields
    ]
    assert missing == []
