"""What a person does in the browser, in the console's own words."""

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

WIZARD = "/console/partner/contract/"
IMPORT = "/partner/customers/import/"


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Through the /login/ form, as a person would."""
    page.goto("/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/(console|partner)/$"))


def step_of(page: Page) -> int:
    return int(page.locator("#wizard").get_attribute("data-step"))


def current_step(page: Page):
    """The open step of the wizard: the <li aria-current="step">."""
    return page.locator('#wizard li[aria-current="step"]')


def code_issue(page: Page, *, button: str = "コード発行") -> str:
    """コード発行 on step 1; returns the code step 2 shows."""
    page.goto(WIZARD)
    page.get_by_role("button", name=button).click()
    code = page.locator("#partner-code")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{20}$"))
    return code.inner_text()


def import_customer(page: Page, domain: str, code: str, *, confirm: bool = True) -> None:
    """顧客の取り込み on the partner console: 確認, then 取り込む (コード認証)."""
    page.goto(IMPORT)
    page.get_by_label("ドメイン又はグループ名").fill(domain)
    page.get_by_label("パートナーコード").fill(code)
    page.get_by_role("button", name="確認").click()
    if confirm:
        page.get_by_role("button", name="取り込む（コード認証）").click()


def bring_to_step(step: int, *, admin, staff) -> None:
    """Arrange the customer's wizard at `step` through the service verbs (no clicking)."""
    # Imported here: this module is also imported before Django is set up.
    from partners import services

    group = admin.works_group
    if step >= 2:
        code = services.code_issue(works_group=group, by=admin)
    if step >= 3:
        services.code_verify(
            partner=staff.partner,
            staff=staff,
            domain=group.domain,
            raw_code=code.code,
            show_profile=True,
        )
    if step >= 4:
        services.contract_complete(works_group=group, by=admin)


def has_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
