"""The sandbox in a real browser: the wizard's reset (a modal, and a page without
JavaScript) and the partner console's テスト顧客, with axe-core on each new screen."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User, WorksGroup
from partners import services
from partners.models import PartnerCode
from sandbox.models import SandboxCustomer

from .conftest import ARTIFACTS
from .steps import WIZARD, log_in, step_of
from .test_accessibility import Audit

pytestmark = pytest.mark.browser

SANDBOX = "/partner/sandbox/"


@pytest.fixture
def demo(server):
    call_command("seed_demo", stdout=io.StringIO())
    return WorksGroup.objects.get(domain="mizl")


@pytest.fixture
def audit(axe, screens, artifacts_name):
    return Audit(axe, screens, ARTIFACTS / "axe" / artifacts_name)


def _at_step_2(mizl) -> None:
    services.code_issue(works_group=mizl, by=User.objects.get(email="admin@mizl.example"))


def test_the_reset_button_asks_in_a_modal_then_resets(new_page, screens, demo, quiet_db):
    with quiet_db():
        _at_step_2(demo)
    admin = new_page("customer")
    log_in(admin, "admin@mizl.example", "demo-admin-pass")
    admin.goto(WIZARD)
    reset = admin.get_by_role("button", name="リセット", exact=True)
    dialog = admin.locator("#sandbox-reset-dialog")
    assert step_of(admin) == 2

    reset.click()
    expect(dialog).to_be_visible()
    assert admin.evaluate("document.querySelector('#sandbox-reset-dialog').matches(':modal')")
    expect(dialog.get_by_role("link", name="キャンセル")).to_be_focused()
    screens.shot(admin, "reset-dialog")
    admin.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(reset).to_be_focused()
    assert PartnerCode.objects.filter(works_group=demo).exists()

    reset.click()
    dialog.get_by_role("button", name="OK").click()

    expect(admin.locator(".message-success")).to_have_text(
        "ワークスグループを最初の状態に戻しました。"
    )
    assert step_of(admin) == 1
    assert not PartnerCode.objects.filter(works_group=demo).exists()
    screens.shot(admin, "reset")


def test_the_reset_works_without_javascript(new_page, screens, demo, quiet_db):
    with quiet_db():
        _at_step_2(demo)
    admin = new_page("customer-no-js", java_script_enabled=False)
    log_in(admin, "admin@mizl.example", "demo-admin-pass")
    admin.goto(WIZARD)

    admin.get_by_role("button", name="リセット", exact=True).click()
    expect(admin).to_have_url(re.compile(r"/console/sandbox/reset/\??$"))  # a GET form
    screens.shot(admin, "confirm-page")
    admin.get_by_role("button", name="OK").click()

    expect(admin).to_have_url(re.compile(r"/console/partner/contract/$"))
    assert step_of(admin) == 1


def test_a_partner_makes_resets_and_deletes_a_sandbox_customer(new_page, screens, demo):
    staff = new_page("partner")
    log_in(staff, "staff@abc.example", "demo-partner-pass")
    staff.get_by_role("link", name="テスト顧客").click()
    staff.get_by_label("メンバー数").fill("25")
    staff.get_by_role("button", name="テスト顧客を作成").last.click()

    password = staff.locator("#sandbox-admin-password")
    expect(password).to_have_text(re.compile(r"^\S{16}$"))
    first_code = staff.locator("#sandbox-partner-code").inner_text()
    customer = SandboxCustomer.objects.get()
    domain = customer.works_group.domain
    screens.shot(staff, "created")

    staff.get_by_role("button", name=f"「{domain}」をリセット").click()
    dialog = staff.locator("#sandbox-confirm")
    expect(dialog).to_contain_text(
        f"テスト顧客「{domain}」を最初の状態に戻しますが、よろしいですか？"
    )
    screens.shot(staff, "reset-dialog")
    dialog.get_by_role("button", name="OK").click()
    fresh = staff.locator("#sandbox-partner-code")
    expect(fresh).to_have_text(re.compile(r"^[A-Z2-9]{20}$"))
    assert fresh.inner_text() != first_code
    screens.shot(staff, "reset")

    staff.get_by_role("link", name="テスト顧客の一覧へ").click()
    staff.get_by_role("button", name=f"「{domain}」を削除").click()
    expect(dialog).to_contain_text(f"テスト顧客「{domain}」を削除しますが、よろしいですか？")
    dialog.get_by_role("button", name="OK").click()
    expect(staff.locator(".message-success")).to_have_text(
        f"テスト顧客「{domain}」を削除しました。"
    )
    assert not SandboxCustomer.objects.exists()
    screens.shot(staff, "deleted")


def test_the_sandbox_screens_pass_axe(new_page, audit, demo, quiet_db):
    with quiet_db():
        _at_step_2(demo)
    admin = new_page("customer", bypass_csp=True)
    log_in(admin, "admin@mizl.example", "demo-admin-pass")
    admin.goto(WIZARD)
    audit.check(admin, "wizard-with-reset")
    admin.get_by_role("button", name="リセット", exact=True).click()
    audit.check(admin, "reset-dialog")
    admin.goto("/console/sandbox/reset/")
    audit.check(admin, "reset-confirm-page")

    staff = new_page("partner", bypass_csp=True)
    log_in(staff, "staff@abc.example", "demo-partner-pass")
    staff.goto(SANDBOX)
    audit.check(staff, "sandbox-customers-empty")
    staff.get_by_role("button", name="テスト顧客を作成").last.click()
    audit.check(staff, "sandbox-customer-created")
    domain = SandboxCustomer.objects.get().works_group.domain
    staff.goto(f"{SANDBOX}{domain}/delete/")
    audit.check(staff, "sandbox-delete-confirm")
    audit.assert_clean()
