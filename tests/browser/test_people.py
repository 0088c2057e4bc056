"""Who is looking: an English-speaking group, a read-only admin, someone who cannot log in."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from partners import services
from partners.models import PartnerCode
from tests.factories import PASSWORD, UserFactory, WorksGroupFactory

from .steps import WIZARD, bring_to_step, code_issue, current_step, log_in

pytestmark = pytest.mark.browser

# Hiragana and katakana, but not the "・" the header uses as a separator in every language.
KANA = re.compile(r"[\u3040-\u30fa\u30fc-\u30ff]")


def test_english_ui_for_an_en_us_group(new_page, screens, server):
    group = WorksGroupFactory(
        domain="acme",
        company_info__language="en_US",
        company_info__group_name="Acme",
        company_info__company_name="Acme Inc.",
    )
    admin_user = UserFactory(works_group=group, name="Alice Smith", email="alice@acme.example")
    page = new_page("customer")
    log_in(page, admin_user.email)

    page.goto(WIZARD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Contract with a partner")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Main")
    expect(current_step(page)).to_contain_text("Issue partner code")
    screens.shot(page, "step1-en")

    code = code_issue(page, button="Issue code")
    valid_until = PartnerCode.objects.get(code=code).valid_until()
    expect(page.locator(".code-block")).to_contain_text("Valid until")
    expect(page.locator(".code-block")).to_contain_text(f"{valid_until:%Y.%m.%d}")
    page.get_by_role("button", name="Copy code").click()
    expect(page.locator("#partner-code ~ .copy-feedback")).to_have_text("Copied")
    assert not KANA.search(page.locator("body").inner_text()), "Japanese left on the page"
    screens.shot(page, "step2-en")

    page.goto("/console/settings/company/")
    expect(page.locator("h1")).to_have_text("Company info")
    assert not KANA.search(page.locator("body").inner_text())
    screens.shot(page, "company-info-en")


def test_read_only_admin_sees_disabled_buttons(new_page, screens, customer, abc_staff):
    viewer = UserFactory(
        works_group=customer.works_group, role=User.Role.ADMIN, email="viewer@mizl.example"
    )
    page = new_page("admin")
    log_in(page, viewer.email)
    page.goto(WIZARD)

    issue = page.get_by_role("button", name="コード発行")
    expect(issue).to_be_disabled()
    expect(issue).to_have_attribute("aria-describedby", "read-only-note")
    expect(page.locator("#read-only-note")).to_have_text("この操作は最高管理者のみ行えます。")
    screens.shot(page, "step1-read-only")

    bring_to_step(2, admin=customer, staff=abc_staff)
    page.reload()
    expect(page.locator("#partner-code")).to_be_visible()
    for name in ["コード再発行", "コードの取り消し"]:
        expect(page.get_by_role("button", name=name)).to_be_disabled()
    screens.shot(page, "step2-read-only")

    code = PartnerCode.objects.get(works_group=customer.works_group)
    services.code_verify(
        partner=abc_staff.partner,
        staff=abc_staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
    )
    page.reload()
    for name in ["承認", "拒否（別のパートナー）"]:
        expect(page.get_by_role("button", name=name)).to_be_disabled()
    expect(page.locator("#confirm-dialog")).to_have_count(0)
    screens.shot(page, "step3-read-only")

    page.goto("/console/settings/company/")
    expect(page.locator(".notice")).to_contain_text("管理者は閲覧のみ行えます。")
    expect(page.get_by_label("企業/団体名")).to_be_disabled()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    screens.shot(page, "company-info-read-only")


def test_log_in_failures(new_page, screens, customer):
    page = new_page("visitor")
    page.goto(WIZARD)
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    screens.shot(page, "redirected-to-log-in")

    page.get_by_role("button", name="ログイン").click()
    email = page.get_by_label("メールアドレス")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"\bid_username_error\b"))
    expect(page.locator("#id_username_error")).to_have_attribute("role", "alert")
    expect(page.get_by_label("パスワード")).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    screens.shot(page, "empty-form")

    email.fill(customer.email)
    page.get_by_label("パスワード").fill("not-the-password")
    page.get_by_role("button", name="ログイン").click()
    refused = page.get_by_role("alert")
    expect(refused).to_have_text("メールアドレスまたはパスワードが正しくありません。")
    expect(page.get_by_label("メールアドレス")).to_have_value(customer.email)
    screens.shot(page, "wrong-password")

    page.get_by_label("メールアドレス").fill("nobody@mizl.example")
    page.get_by_label("パスワード").fill("not-the-password")
    page.get_by_role("button", name="ログイン").click()
    # An unknown address gets the same answer: the form does not tell who has an account.
    expect(page.get_by_role("alert")).to_have_text(
        "メールアドレスまたはパスワードが正しくありません。"
    )
    screens.shot(page, "unknown-address")

    assert "next=" in page.url
    page.get_by_label("メールアドレス").fill(customer.email.upper())
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/console/partner/contract/$"))
    expect(page.locator("h1")).to_have_text("パートナーとの契約")
    screens.shot(page, "logged-in")


def test_partner_staff_switch_the_partner_console_to_english_from_the_header(
    new_page, screens, abc_staff
):
    page = new_page("partner")
    log_in(page, abc_staff.email)
    expect(page.locator("h1")).to_have_text("顧客一覧")
    screens.shot(page, "customers-ja")

    header = page.locator(".site-header")
    header.get_by_label("表示言語").select_option("en")
    header.get_by_role("button", name="切り替え").click()

    expect(page).to_have_url(re.compile(r"/partner/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Customers")
    expect(header.get_by_label("Display language")).to_have_value("en")
    assert not KANA.search(page.locator("body").inner_text()), "Japanese left on the page"
    screens.shot(page, "customers-en")
    page.get_by_role("link", name="Import a customer").first.click()
    expect(page.locator("h1")).to_have_text("Import a customer")
    screens.shot(page, "import-en")

    # Remembered for the staff member: another browser shows English after signing in.
    elsewhere = new_page("partner-elsewhere")
    log_in(elsewhere, abc_staff.email)
    expect(elsewhere.locator("h1")).to_have_text("Customers")
    screens.shot(elsewhere, "customers-en-elsewhere")
