"""Every HTML page a visitor can reach, rendered in each state it has, and a parser for the
parts of them that security checks look at (forms, scripts, inline handlers)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import Client

from accounts.models import User
from api.models import ApiApp
from partners import services
from sandbox.models import SandboxCustomer
from tests.factories import (
    PartnerFactory,
    UserFactory,
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WorksGroupFactory,
)
from webhooks.models import WebhookEndpoint


def every_page(client: Client) -> Iterator[tuple[str, str]]:
    """(label, html) of every page, as each kind of visitor sees it, through the whole flow."""
    group = WorksGroupFactory()
    super_admin = UserFactory(works_group=group)
    admin = UserFactory(works_group=group, admin=True)
    staff = UserFactory(staff=True, partner=PartnerFactory())
    operator = UserFactory(operator=True)

    def page(label: str, path: str, method: str = "get", **data) -> tuple[str, str]:
        response = getattr(client, method)(path, data)
        assert response.status_code == 200, (label, response.status_code)
        return label, response.text

    yield page("login", "/login/")
    yield page("login with errors", "/login/", "post", username="x@example.com", password="x")

    client.force_login(super_admin)
    yield page("log-out page", "/logout/")
    yield page("console", "/console/")
    yield page("company info", "/console/settings/company/")
    yield page("company info with errors", "/console/settings/company/", "post", phone="x")
    yield page("audit", "/console/audit/")
    yield page("audit exports", "/console/audit/exports/")
    yield page("audit export refused", "/console/audit/exports/", "post", date_from="x")
    yield page("partner search", "/console/partner/search/")
    yield page("wizard step 1", "/console/partner/contract/")
    yield page(
        "wizard step 1, partner picked", "/console/partner/contract/", partner=staff.partner.pk
    )
    code = services.code_issue(works_group=group, by=super_admin)
    yield page("wizard step 2", "/console/partner/contract/")
    services.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=group.domain,
        raw_code=code.code,
        show_profile=True,
    )
    yield page("wizard step 3", "/console/partner/contract/")
    yield page("company gate", "/console/partner/contract/company/")
    yield page("company gate with errors", "/console/partner/contract/company/", "post")
    yield page("confirm", "/console/partner/contract/confirm/")

    client.force_login(admin)
    yield page("wizard step 3, read-only", "/console/partner/contract/")
    yield page("company info, read-only", "/console/settings/company/")

    client.force_login(staff)
    yield page("customers", "/partner/")
    yield page("import", "/partner/customers/import/")
    yield page("import with errors", "/partner/customers/import/", "post", domain="x", code="bad")
    yield page("tokens", "/partner/tokens/")
    yield page("token created", "/partner/tokens/", "post", name="基幹システム")
    yield page("webhooks", "/partner/webhooks/")
    yield page(
        "webhook registered",
        "/partner/webhooks/",
        "post",
        url="https://hooks.partner.example/worksadmin",
        events=["code.verified", "switch.completed"],
        is_active="on",
    )
    yield page("webhook form with errors", "/partner/webhooks/", "post", url="http://x/")
    endpoint = WebhookEndpoint.objects.get(partner=staff.partner)
    WebhookAttemptFactory(
        delivery=WebhookDeliveryFactory(endpoint=endpoint), status_code=500, outcome="RETRY"
    )
    yield page("webhook and its delivery log", f"/partner/webhooks/{endpoint.pk}/")
    yield page("webhook secret rotated", f"/partner/webhooks/{endpoint.pk}/rotate/", "post")
    yield page("apps", "/partner/apps/")
    yield page("app with errors", "/partner/apps/", "post", name="")
    yield page("app registered", "/partner/apps/", "post", name="連携", scopes=["partner"])
    app = ApiApp.objects.get(created_by=staff)
    yield page("app secret renewed", f"/partner/apps/{app.pk}/secret/", "post")
    yield page("app key renewed", f"/partner/apps/{app.pk}/key/", "post")
    yield page("sandbox customers", "/partner/sandbox/")
    yield page(
        "sandbox customer created",
        "/partner/sandbox/",
        "post",
        plan="FREE",
        seats="10",
        issue_code="on",
    )
    sandbox = SandboxCustomer.objects.get(partner=staff.partner).works_group
    yield page("sandbox customers, bad seats", "/partner/sandbox/", "post", plan="FREE", seats="0")
    yield page("sandbox reset confirm", f"/partner/sandbox/{sandbox.domain}/reset/")
    yield page("sandbox delete confirm", f"/partner/sandbox/{sandbox.domain}/delete/")
    yield page("sandbox reset done", f"/partner/sandbox/{sandbox.domain}/reset/", "post")

    client.force_login(User.objects.get(works_group=sandbox))
    yield page("wizard of a sandbox tenant, step 2", "/console/partner/contract/")
    yield page("sandbox tenant reset confirm", "/console/sandbox/reset/")

    client.force_login(super_admin)
    services.contract_complete(works_group=group, by=super_admin)
    yield page("wizard step 4", "/console/partner/contract/")

    client.force_login(operator)
    yield page("ops index", "/ops/")
    models = (
        "partners/partnercode",
        "outbox/outboundemail",
        "accounts/auditevent",
        "sandbox/sandboxcustomer",
        "webhooks/webhookendpoint",
        "webhooks/webhookdelivery",
    )
    for model in models:
        yield page(f"ops {model} list", f"/ops/{model}/")
    yield page("ops works group", f"/ops/accounts/worksgroup/{group.pk}/change/")
    client.logout()


@dataclass
class Form:
    method: str
    action: str | None
    fields: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """Collects forms (with their field names), scripts, inline handlers and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.inline_scripts: list[str] = []
        self.event_handlers: list[str] = []
        self.javascript_urls: list[str] = []
        self.inline_styles: list[str] = []
        self._form: Form | None = None
        self._script_is_inline = False
        self._script_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.event_handlers.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.javascript_urls.append(f"<{tag} {name}={value}>")
            if name == "style":
                self.inline_styles.append(f"<{tag} style={value}>")
        if tag == "form":
            self._form = Form(
                method=(attributes.get("method") or "get").lower(),
                action=attributes.get("action"),
            )
            self.forms.append(self._form)
        elif tag in ("input", "button", "select", "textarea") and self._form is not None:
            if attributes.get("name"):
                self._form.fields.append(attributes["name"])
        elif tag == "script":
            # JSON data blocks (json_script) are never executed, so CSP does not care.
            is_data = (attributes.get("type") or "").endswith("json")
            self._script_is_inline = "src" not in attributes and not is_data
            self._script_text = []
        elif tag == "style":
            self.inline_styles.append("<style>")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "script":
            if self._script_is_inline:
                text = "".join(self._script_text).strip()
                self.inline_scripts.append(text[:80] or "<script> without src")
            self._script_is_inline = False

    def handle_data(self, data):
        if self._script_is_inline:
            self._script_text.append(data)


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser
