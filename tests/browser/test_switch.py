"""The partner-contract flow in a real browser, customer and partner side by side."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from partners import services
from partners.models import PartnerCode, PartnerContract
from tests.factories import UserFactory, WorksGroupFactory
from tests.partners.flow import verify

from .steps import WIZARD, code_issue, current_step, import_customer, log_in, step_of

pytestmark = pytest.mark.browser

DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def test_full_switch_with_customer_and_partner(new_page, screens, customer, abc_staff):
    admin = new_page("customer")
    log_in(admin, customer.email)
    admin.goto(WIZARD)
    expect(current_step(admin)).to_contain_text("パートナーコード発行")
    screens.shot(admin, "customer-step1")

    code = code_issue(admin)
    issued = PartnerCode.objects.get(code=code)
    expect(admin.locator(".code-block")).to_contain_text(f"{issued.valid_until():%Y.%m.%d}まで")
    expect(current_step(admin)).to_contain_text("パートナーコードの認証待ち")
    screens.shot(admin, "customer-step2")

    admin.get_by_role("button", name="コード番号をコピー").click()
    expect(admin.locator("#partner-code ~ .copy-feedback")).to_have_text("コピーしました")
    assert admin.evaluate("navigator.clipboard.readText()") == code
    screens.shot(admin, "customer-code-copied")
    admin.get_by_role("button", name="ドメイン又はグループ名をコピー").click()
    expect(admin.locator("#group-domain ~ .copy-feedback")).to_have_text("コピーしました")
    assert admin.evaluate("navigator.clipboard.readText()") == "mizl"

    partner = new_page("partner")
    log_in(partner, abc_staff.email)
    screens.shot(partner, "partner-customers-empty")
    # Staff type what the customer read out: lower case, with hyphens, is accepted.
    spaced = "-".join(code[i : i + 4] for i in range(0, 20, 4)).lower()
    import_customer(partner, "mizl", spaced, confirm=False)
    preview = partner.locator(".preview")
    expect(preview).to_contain_text("水谷建設")
    expect(preview).to_contain_text("メール")  # used by the group, not handled by ABC
    screens.shot(partner, "partner-preview")
    partner.get_by_role("button", name="取り込む（コード認証）").click()
    expect(partner.get_by_role("status")).to_contain_text("コード認証が完了しました。")
    expect(partner.locator("table")).to_contain_text("承認待ち")
    screens.shot(partner, "partner-verified")

    # The customer's page follows by itself.
    expect(current_step(admin)).to_contain_text(
        "“ABC 株式会社”によるコード認証が完了しました。", timeout=15_000
    )
    expect(admin.locator(".settlement")).to_contain_text("合計")
    screens.shot(admin, "customer-step3")

    admin.get_by_role("button", name="承認").click()
    dialog = admin.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("パートナー契約への切り替えを完了しますが、よろしいですか？")
    screens.shot(admin, "customer-confirm-dialog")
    dialog.get_by_role("button", name="OK").click()

    expect(current_step(admin)).to_contain_text("パートナー契約への切り替え完了")
    expect(admin.get_by_role("status").first).to_contain_text(
        "パートナー契約への切り替えが完了しました。"
    )
    completed = current_step(admin).locator(".code-block")
    expect(completed).to_contain_text("ABC 株式会社")
    expect(completed).to_contain_text(DATE_TIME)
    contract = PartnerContract.objects.get(works_group=customer.works_group)
    local = timezone.localtime(contract.completed_at, customer.works_group.company_info.tz)
    expect(completed).to_contain_text(f"{local:%Y-%m-%d %H:%M:%S}")
    expect(admin.locator("#wizard form")).to_have_count(0)
    screens.shot(admin, "customer-step4")

    partner.goto("/partner/")
    expect(partner.locator("table")).to_contain_text("契約完了")
    screens.shot(partner, "partner-customer-completed")

    subjects = [message.subject for message in mail.outbox]
    assert "パートナー顧客としての登録を承認してください。" in subjects
    assert "パートナー顧客としての登録が完了しました。" in subjects


def test_step_two_copies_domain_and_code_as_one_message(new_page, screens, customer):
    """What the partner's page asks for, ready to paste into an e-mail to the partner."""
    admin = new_page("customer")
    log_in(admin, customer.email)
    code = code_issue(admin)
    valid_until = PartnerCode.objects.get(code=code).valid_until()
    expect(admin.get_by_role("button", name="承認")).to_be_disabled()

    admin.get_by_role("button", name="ドメインとコードをまとめてコピー").click()

    expect(admin.locator(".copy-both .copy-feedback")).to_have_text("コピーしました")
    assert admin.evaluate("navigator.clipboard.readText()").splitlines() == [
        "パートナーコードの認証をお願いします。",
        "ドメイン又はグループ名：mizl",
        f"コード番号：{code}",
        f"有効期間：{valid_until:%Y.%m.%d}まで",
    ]
    screens.shot(admin, "domain-and-code-copied")


def test_step_two_moves_to_step_three_without_a_reload(new_page, screens, customer, abc_staff):
    admin = new_page("customer")
    log_in(admin, customer.email)
    code = code_issue(admin)
    admin.evaluate("window.__sameDocument = true")
    screens.shot(admin, "waiting-for-the-partner")

    partner = new_page("partner")
    log_in(partner, abc_staff.email)
    import_customer(partner, "mizl", code)
    expect(partner.locator("table")).to_contain_text("承認待ち")

    expect(current_step(admin)).to_contain_text(
        "“ABC 株式会社”によるコード認証が完了しました。", timeout=15_000
    )
    assert step_of(admin) == 3
    assert admin.evaluate("window.__sameDocument") is True, "the page was reloaded"
    # Screen readers hear the news; the approve button works in the swapped-in step.
    expect(admin.locator("#wizard-status")).to_contain_text("コード認証が完了しました。")
    screens.shot(admin, "step3-arrived")
    admin.get_by_role("button", name="承認").click()
    expect(admin.locator("#confirm-dialog")).to_be_visible()
    screens.shot(admin, "approve-after-swap")


def test_company_info_gate_refuses_a_bad_phone_then_continues(new_page, screens, abc_staff):
    # The seed's screen 5: 企業/団体名 known, ワークスグループ名 and 電話番号 still empty.
    group = WorksGroupFactory(domain="mizl", company_info__group_name="", company_info__phone="")
    customer = UserFactory(works_group=group, email="admin@mizl.example")
    verify(
        abc_staff,
        code=services.code_issue(works_group=group, by=customer),
        show_profile=True,
        now=None,
    )

    admin = new_page("customer")
    log_in(admin, customer.email)
    admin.goto(WIZARD)
    expect(admin.locator(".setup-banner")).to_contain_text("初期設定がまだ完了していません。")
    screens.shot(admin, "step3-with-incomplete-info")
    admin.get_by_role("button", name="承認").click()

    expect(admin).to_have_url(re.compile(r"/console/partner/contract/company/$"))
    expect(admin.locator(".lead")).to_have_text(
        "パートナー連携を行うには、会社情報の入力が必要です。"
    )
    expect(admin.get_by_label("企業/団体名")).to_have_value(group.company_info.company_name)
    screens.shot(admin, "company-info-gate")

    admin.get_by_label("ワークスグループ名").fill("水谷")
    phone = admin.get_by_label("電話番号")
    phone.fill("03-1234-ABCD")
    admin.get_by_role("button", name="保存").first.click()

    error = admin.locator("#id_phone_error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_attribute("aria-describedby", re.compile(r"\bid_phone_error\b"))
    expect(phone).to_be_focused()
    expect(admin.get_by_label("ワークスグループ名")).to_have_value("水谷")
    screens.shot(admin, "invalid-phone")

    phone.fill("03-1234-5678")
    admin.get_by_role("button", name="保存").first.click()

    dialog = admin.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    assert admin.evaluate("document.querySelector('#confirm-dialog').matches(':modal')")
    screens.shot(admin, "confirm-after-saving")
    dialog.get_by_role("button", name="OK").click()

    expect(current_step(admin)).to_contain_text("パートナー契約への切り替え完了")
    expect(admin.locator(".setup-banner")).to_have_count(0)
    group.company_info.refresh_from_db()
    assert group.company_info.phone == "03-1234-5678"
    screens.shot(admin, "switched")


def test_confirm_modal_cancel_and_ok_with_the_keyboard(new_page, screens, customer, abc_staff):
    verify(
        abc_staff,
        code=services.code_issue(works_group=customer.works_group, by=customer),
        show_profile=True,
        now=None,
    )
    admin = new_page("customer")
    log_in(admin, customer.email)
    admin.goto(WIZARD)
    approve = admin.get_by_role("button", name="承認")
    dialog = admin.locator("#confirm-dialog")
    cancel = dialog.get_by_role("link", name="キャンセル")
    ok = dialog.get_by_role("button", name="OK")

    approve.focus()
    admin.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(cancel).to_be_focused()  # the safe choice first
    screens.shot(admin, "dialog-open")

    # Focus stays inside the modal, both ways round.
    admin.keyboard.press("Tab")
    expect(ok).to_be_focused()
    assert admin.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    screens.shot(admin, "focus-on-ok")
    admin.keyboard.press("Tab")
    expect(cancel).to_be_focused()
    admin.keyboard.press("Shift+Tab")
    expect(ok).to_be_focused()

    admin.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(approve).to_be_focused()
    screens.shot(admin, "closed-with-escape")

    approve.click()
    cancel.click()
    expect(dialog).to_be_hidden()
    assert step_of(admin) == 3
    assert not PartnerContract.objects.exists()
    screens.shot(admin, "closed-with-cancel")

    approve.click()
    expect(dialog).to_be_visible()
    ok.focus()
    admin.keyboard.press("Enter")
    expect(current_step(admin)).to_contain_text("パートナー契約への切り替え完了")
    assert PartnerContract.objects.filter(works_group=customer.works_group).exists()
    screens.shot(admin, "switched")


def test_confirm_page_works_without_javascript(new_page, screens, customer, abc_staff):
    verify(
        abc_staff,
        code=services.code_issue(works_group=customer.works_group, by=customer),
        show_profile=True,
        now=None,
    )
    admin = new_page("customer-no-js", java_script_enabled=False)
    log_in(admin, customer.email)
    admin.goto(WIZARD)
    admin.get_by_role("button", name="承認").click()

    expect(admin).to_have_url(re.compile(r"/console/partner/contract/confirm/$"))
    dialog = admin.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    screens.shot(admin, "confirm-page")
    dialog.get_by_role("link", name="キャンセル").click()
    expect(admin).to_have_url(re.compile(r"/console/partner/contract/$"))
    expect(admin.locator("#confirm-dialog")).to_be_hidden()

    admin.get_by_role("button", name="承認").click()
    admin.locator("#confirm-dialog").get_by_role("button", name="OK").click()
    expect(current_step(admin)).to_contain_text("パートナー契約への切り替え完了")
    screens.shot(admin, "switched")


def test_customer_declines_the_partner(new_page, screens, customer, abc_staff):
    code = verify(
        abc_staff,
        code=services.code_issue(works_group=customer.works_group, by=customer),
        show_profile=True,
        now=None,
    )
    admin = new_page("customer")
    log_in(admin, customer.email)
    admin.goto(WIZARD)
    screens.shot(admin, "step3")

    admin.get_by_role("button", name="拒否（別のパートナー）").click()

    expect(admin.get_by_role("status").first).to_contain_text(
        "パートナーによるコード認証を拒否しました。"
    )
    expect(current_step(admin)).to_contain_text(
        f"“ABC 株式会社”によるコード認証を拒否しました（{code.masked}）。"
    )
    expect(admin.get_by_role("button", name="コード発行")).to_be_enabled()
    screens.shot(admin, "back-to-step1")

    partner = new_page("partner")
    log_in(partner, abc_staff.email)
    expect(partner.locator("table")).to_contain_text("お客様が拒否")
    screens.shot(partner, "partner-sees-the-decline")
    declined = [m for m in mail.outbox if abc_staff.email in m.to]
    assert [m.subject for m in declined] == ["お客様がパートナー顧客としての登録を拒否しました。"]


def test_second_partner_is_refused(new_page, screens, customer, abc_staff, xyz_staff):
    code = verify(
        abc_staff,
        code=services.code_issue(works_group=customer.works_group, by=customer),
        show_profile=True,
        now=None,
    )
    other = new_page("other-partner")
    log_in(other, xyz_staff.email)

    import_customer(other, "mizl", code.code, confirm=False)

    alert = other.get_by_role("alert")
    expect(alert).to_have_text("このパートナーコードはすでに認証済みのため、再利用できません。")
    expect(other.locator(".preview")).to_have_count(0)
    screens.shot(other, "refused")
    code.refresh_from_db()
    assert code.verified_partner == abc_staff.partner


def test_expiry_is_shown_once_the_validity_passes(new_page, screens, customer, abc_staff, quiet_db):
    admin = new_page("customer")
    log_in(admin, customer.email)
    code = code_issue(admin)
    screens.shot(admin, "step2-valid")

    # A month and a day go by.
    with quiet_db():
        PartnerCode.objects.filter(code=code).update(
            issued_at=timezone.now() - timedelta(days=32),
            expires_at=timezone.now() - timedelta(seconds=1),
        )

    partner = new_page("partner")
    log_in(partner, abc_staff.email)
    import_customer(partner, "mizl", code, confirm=False)
    expect(partner.get_by_role("alert")).to_contain_text(
        "このパートナーコードは有効期間が過ぎています。"
    )
    screens.shot(partner, "partner-refused-expired")

    # The customer's open page notices on its own and offers a new code.
    expect(current_step(admin)).to_contain_text("は有効期間が過ぎました。", timeout=15_000)
    expect(admin.get_by_role("button", name="コード発行")).to_be_enabled()
    screens.shot(admin, "customer-sees-expiry")


def test_code_issued_a_month_ago_has_expired(new_page, screens, customer):
    """Time injected into the service: issued 40 days ago, so step 1 explains the expiry."""
    code = services.code_issue(
        works_group=customer.works_group,
        by=customer,
        now=timezone.now() - timedelta(days=40),
    )
    admin = new_page("customer")
    log_in(admin, customer.email)
    admin.goto(WIZARD)

    expect(current_step(admin)).to_contain_text(
        f"前回のパートナーコード（{code.masked}）は有効期間が過ぎました。"
    )
    screens.shot(admin, "expired-on-arrival")


def test_the_seeds_switch_reads_as_in_the_seed(new_page, screens, customer, abc_staff):
    """Issued, verified and completed on 2023-03-14 (Tokyo) as in the seed's e-mails."""
    group = customer.works_group
    code = services.code_issue(
        works_group=group, by=customer, now=datetime(2023, 3, 14, 4, 0, tzinfo=UTC)
    )
    services.code_verify(
        partner=abc_staff.partner,
        staff=abc_staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=True,
        now=datetime(2023, 3, 14, 13, 19, tzinfo=UTC),
    )
    services.contract_complete(
        works_group=group, by=customer, now=datetime(2023, 3, 14, 13, 22, 41, tzinfo=UTC)
    )
    admin = new_page("customer")
    log_in(admin, customer.email)
    admin.goto(WIZARD)

    done = current_step(admin)
    expect(done.locator(".code-block")).to_contain_text("2023-03-14 22:22:41")
    # 25 seats × 540 yen × 13 of 31 days, floored; 10 % tax, floored.
    expect(done.locator(".settlement")).to_contain_text("2023.03.01〜2023.03.13（13日間）")
    expect(done.locator(".settlement")).to_contain_text("6,227円")
    screens.shot(admin, "step4-2023-03-14")
