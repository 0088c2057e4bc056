"""Walking the whole switch through the pages, as a person would with the demo log-ins."""

import re

from django.test import Client

from partners.models import PartnerContract

CODE_ON_PAGE = re.compile(r'id="partner-code" class="partner-code">([A-Z0-9]{20})<')


def signed_in(email: str, password: str) -> Client:
    """A browser that logged in through the log-in page (so the log-in is audited)."""
    browser = Client()
    response = browser.post("/login/", {"username": email, "password": password})
    assert response.status_code == 302, f"{email} could not log in"
    return browser


def wizard_step(browser: Client) -> int:
    page = browser.get("/console/partner/contract/").text
    return int(re.search(r'data-step="(\d)"', page).group(1))


def issue_code(customer: Client) -> str:
    """コード発行 on the wizard; the code as step 2 shows it."""
    assert wizard_step(customer) == 1
    customer.post("/console/partner/contract/issue/")
    return CODE_ON_PAGE.search(customer.get("/console/partner/contract/").text).group(1)


def import_customer(partner: Client, domain: str, code: str) -> None:
    """顧客の取り込み: 確認, then 取り込む."""
    form = {"domain": domain, "code": code}
    assert "お客様の情報" in partner.post("/partner/customers/import/", form).text
    done = partner.post(
        "/partner/customers/import/", {**form, "confirm": "1", "show_profile": "on"}
    )
    assert done.status_code == 302, done.text


def approve_and_complete(customer: Client, *, gate: dict | None = None) -> None:
    """承認, the company-info gate when it asks (`gate`), then OK."""
    assert wizard_step(customer) == 3
    approved = customer.post("/console/partner/contract/approve/")
    if approved["Location"].endswith("/company/"):
        saved = customer.post("/console/partner/contract/company/", gate)
        assert saved.status_code == 302, saved.text
    customer.post("/console/partner/contract/complete/")
    assert wizard_step(customer) == 4


def walk_switch(*, domain: str, admin: tuple[str, str], staff: tuple[str, str], gate=None):
    """The whole switch for `domain`; returns the contract and the customer's browser."""
    customer = signed_in(*admin)
    code = issue_code(customer)
    import_customer(signed_in(*staff), domain, code)
    approve_and_complete(customer, gate=gate)
    return PartnerContract.objects.get(works_group__domain=domain), customer


MIZL_GATE = {
    "group_name": "水谷",
    "company_name": "水谷建設",
    "phone": "03-1234-5678",
    "admin_email": "taro@mizl.example",  # the gate changes the super admin's e-mail…
    "current_password": "demo-admin-pass",  # …which takes their password
}
MIZL = {
    "domain": "mizl",
    "admin": ("admin@mizl.example", "demo-admin-pass"),
    "staff": ("staff@abc.example", "demo-partner-pass"),
    "gate": MIZL_GATE,
}
