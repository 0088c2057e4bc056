"""The console at a phone's width (375 px) and a desktop's (1440 px): every step, no sideways
scrolling, the seed's furniture in place."""

import pytest
from playwright.sync_api import expect

from partners import services

from .conftest import DESKTOP, PHONE
from .steps import IMPORT, WIZARD, bring_to_step, current_step, has_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

WIDTHS = {"375": PHONE, "1440": DESKTOP}
STEP_TITLES = {
    1: "パートナーコード発行",
    2: "パートナーコードの認証待ち",
    3: "前日までの料金精算とパートナー確認",
    4: "パートナー契約への切り替え完了",
}


def _check_shell(page, *, phone: bool) -> None:
    """Header, breadcrumb, menu with パートナー open and パートナーとの契約 selected, footer."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page.locator(".site-header .brand-mark")).to_have_text("LINE WORKS")
    breadcrumb = page.get_by_role("navigation", name="パンくずリスト").locator("li")
    expect(breadcrumb).to_have_text(["メイン", "パートナー", "パートナーとの契約"])
    menu = page.get_by_role("navigation", name="メニュー")
    selected = menu.locator('a[aria-current="page"]')
    if phone:
        toggle = menu.get_by_role("button", name="メニュー")
        expect(selected).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(selected).to_be_visible()
    expect(selected).to_have_text("パートナーとの契約")
    expect(menu.locator(".menu-group.open > .menu-heading")).to_have_text("パートナー")
    expect(page.locator(".site-footer")).to_contain_text("© WORKS MOBILE Corp.")


def _show_step(page, screens, step: int, width: str) -> None:
    page.goto(WIZARD)
    assert page.locator("#wizard").get_attribute("data-step") == str(step)
    expect(page.locator(".steps > li")).to_have_count(4)
    expect(current_step(page).locator(".step-title")).to_contain_text(STEP_TITLES[step])
    expect(page.locator(".notes")).to_contain_text("現在フリープランで利用中の環境は")
    assert not has_horizontal_scroll(page), f"step {step} scrolls sideways at {width} px"
    screens.shot(page, f"step{step}")


@pytest.mark.parametrize("width", WIDTHS)
def test_wizard_at_each_width(new_page, screens, customer, abc_staff, width):
    page = new_page(f"customer-{width}", viewport=WIDTHS[width])
    log_in(page, customer.email)
    group = customer.works_group

    _show_step(page, screens, 1, width)
    _check_shell(page, phone=width == "375")
    screens.shot(page, "step1-menu")

    code = services.code_issue(works_group=group, by=customer)
    _show_step(page, screens, 2, width)
    expect(page.locator("#partner-code")).to_have_text(code.code)

    services.code_verify(
        partner=abc_staff.partner,
        staff=abc_staff,
        domain=group.domain,
        raw_code=code.code,
        show_profile=True,
    )
    _show_step(page, screens, 3, width)
    page.get_by_role("button", name="承認").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    screens.shot(page, "step3-confirm")

    page.locator("#confirm-dialog").get_by_role("button", name="OK").click()
    expect(current_step(page)).to_contain_text(STEP_TITLES[4])
    _show_step(page, screens, 4, width)

    page.goto("/console/settings/company/")
    assert not has_horizontal_scroll(page)
    screens.shot(page, "company-info")


@pytest.mark.parametrize("width", WIDTHS)
def test_partner_console_at_each_width(new_page, screens, customer, abc_staff, width):
    bring_to_step(2, admin=customer, staff=abc_staff)
    page = new_page(f"partner-{width}", viewport=WIDTHS[width])
    log_in(page, abc_staff.email)
    page.goto(IMPORT)
    page.get_by_label("ドメイン又はグループ名").fill("mizl")
    page.get_by_label("パートナーコード").fill("WRONG")
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screens.shot(page, "import-error")
    page.goto("/partner/")
    assert not has_horizontal_scroll(page)
    screens.shot(page, "customers")


@pytest.mark.parametrize("width", WIDTHS)
def test_log_in_page_at_each_width(new_page, screens, server, width):
    page = new_page(f"visitor-{width}", viewport=WIDTHS[width])
    page.goto("/login/")
    assert not has_horizontal_scroll(page)
    screens.shot(page, "log-in")
