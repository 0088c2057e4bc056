"""axe-core on every screen a person reaches: no serious or critical violations.

Each test walks through several screens with one log-in and reports every screen's serious
and critical violations together. The full result of each screen (every impact) is kept in
artifacts/axe/<test>/<screen>.json for review.
"""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners import services
from tests.factories import (
    UserFactory,
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WorksGroupFactory,
)
from webhooks.models import WebhookEndpoint

from .conftest import ARTIFACTS, PHONE
from .steps import IMPORT, WIZARD, log_in

WEBHOOKS = "/partner/webhooks/"

pytestmark = pytest.mark.browser


class Audit:
    """Run axe on a screen, keep its screenshot and JSON, remember what is serious."""

    def __init__(self, axe, screens, folder):
        self.axe = axe
        self.screens = screens
        self.folder = folder
        self.serious: dict[str, list[str]] = {}

    def check(self, page, screen: str) -> None:
        self.screens.shot(page, screen)
        found = self.axe(page)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{screen}.json").write_text(
            json.dumps(self.axe.last_result, ensure_ascii=False, indent=1)
        )
        if found:
            self.serious[screen] = found

    def assert_clean(self) -> None:
        assert self.serious == {}, "\n".join(
            f"{screen}: {line}" for screen, lines in self.serious.items() for line in lines
        )


@pytest.fixture
def audit(axe, screens, artifacts_name):
    return Audit(axe, screens, ARTIFACTS / "axe" / artifacts_name)


@pytest.fixture
def axe_page(new_page):
    """A page axe can be injected into: the app's CSP rightly refuses foreign scripts."""

    def open_page(name="axe", **options):
        return new_page(name, bypass_csp=True, **options)

    return open_page


@pytest.mark.parametrize("width", ["1440", "375"])
def test_wizard_steps(axe_page, audit, customer, abc_staff, quiet_db, width):
    page = axe_page(viewport=PHONE if width == "375" else None)
    group = customer.works_group
    log_in(page, customer.email)

    page.goto(WIZARD)
    audit.check(page, "step1")

    code = services.code_issue(works_group=group, by=customer)
    page.goto(WIZARD)
    page.get_by_role("button", name="コード番号をコピー").click()
    expect(page.locator("#partner-code ~ .copy-feedback")).not_to_be_empty()
    audit.check(page, "step2-copied")

    with quiet_db():  # step 2 is polling
        services.code_verify(
            partner=abc_staff.partner,
            staff=abc_staff,
            domain=group.domain,
            raw_code=code.code,
            show_profile=True,
        )
    page.goto(WIZARD)
    audit.check(page, "step3")

    page.get_by_role("button", name="承認").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    audit.check(page, "step3-confirm-dialog")

    page.locator("#confirm-dialog").get_by_role("button", name="OK").click()
    expect(page.locator("#wizard")).to_have_attribute("data-step", "4")
    audit.check(page, "step4")

    audit.assert_clean()


@pytest.mark.parametrize(
    ("language", "lang"),
    [("ja_JP", "ja"), ("en_US", "en"), ("ko_KR", "ko"), ("zh_TW", "zh-hant"), ("zh_CN", "zh-hans")],
)
def test_steps_two_and_three_in_every_language(
    axe_page, audit, customer, abc_staff, quiet_db, language, lang
):
    """The screenshots a reviewer compares with the seed, in each language of 言語."""
    group = customer.works_group
    group.billing_anchor = timezone.localdate() - timedelta(days=10)  # a statement to show
    group.save()
    info = group.company_info
    info.language = language
    info.save()
    page = axe_page()
    log_in(page, customer.email)

    code = services.code_issue(works_group=group, by=customer)
    page.goto(WIZARD)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#partner-code")).to_have_text(code.code)
    expect(page.locator("#group-domain")).to_have_text("mizl")
    audit.check(page, f"step2-{lang}")

    with quiet_db():  # step 2 is polling
        services.code_verify(
            partner=abc_staff.partner,
            staff=abc_staff,
            domain=group.domain,
            raw_code=code.code,
            show_profile=True,
        )
    page.goto(WIZARD)
    expect(page.locator("#wizard")).to_have_attribute("data-step", "3")
    expect(page.locator(".settlement dd.total")).not_to_have_text(re.compile(r"^0\D"))
    audit.check(page, f"step3-{lang}")

    audit.assert_clean()


def test_company_info_and_the_gate(axe_page, audit, abc_staff):
    group = WorksGroupFactory(domain="mizl", company_info__group_name="", company_info__phone="")
    customer = UserFactory(works_group=group)
    code = services.code_issue(works_group=group, by=customer)
    services.code_verify(
        partner=abc_staff.partner,
        staff=abc_staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
    )
    page = axe_page()
    log_in(page, customer.email)

    page.goto("/console/settings/company/")
    audit.check(page, "company-info")
    page.get_by_label("電話番号").fill("電話")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#id_phone_error")).to_be_visible()
    audit.check(page, "company-info-errors")

    page.goto(WIZARD)
    audit.check(page, "step3-incomplete-info")
    page.get_by_role("button", name="承認").click()
    expect(page).to_have_url(f"{page.url.split('/console/')[0]}/console/partner/contract/company/")
    audit.check(page, "company-gate")
    page.get_by_label("電話番号").fill("abc")
    page.get_by_label("管理者のメールアドレス").fill("not-an-address")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#id_phone_error")).to_be_visible()
    audit.check(page, "company-gate-errors")

    audit.assert_clean()


@pytest.mark.parametrize("width", ["1440", "375"])
def test_partner_console(axe_page, audit, customer, abc_staff, width):
    code = services.code_issue(works_group=customer.works_group, by=customer)
    page = axe_page(viewport=PHONE if width == "375" else None)
    log_in(page, abc_staff.email)

    page.goto(IMPORT)
    audit.check(page, "import")
    page.get_by_label("ドメイン又はグループ名").fill("mizl")
    page.get_by_label("パートナーコード").fill("0O1I")
    page.get_by_role("button", name="確認").click()
    expect(page.locator("#id_code_error")).to_be_visible()
    audit.check(page, "import-malformed-code")

    page.get_by_label("パートナーコード").fill("A" * 20)
    page.get_by_role("button", name="確認").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "import-wrong-pair")

    page.get_by_label("パートナーコード").fill(code.code)
    page.get_by_role("button", name="確認").click()
    expect(page.locator(".preview")).to_be_visible()
    audit.check(page, "import-preview")

    page.get_by_role("button", name="取り込む（コード認証）").click()
    expect(page.locator("table")).to_contain_text("承認待ち")
    audit.check(page, "customers")

    page.goto("/partner/apps/")
    page.get_by_role("button", name="登録").click()
    expect(page.locator(".field-invalid").first).to_be_visible()
    audit.check(page, "apps-with-errors")
    page.get_by_label("アプリ名").fill("基幹システム連携")
    page.get_by_label("partner（参照と更新）").check()
    page.get_by_role("button", name="登録").click()
    expect(page.locator("#app-private-key")).to_contain_text("BEGIN PRIVATE KEY")
    audit.check(page, "app-registered")

    audit.assert_clean()


def test_other_screens(axe_page, audit, customer, abc_staff):
    """Log-in (and its refusal), パートナー検索, 監査, the read-only admin, the English UI."""
    page = axe_page()
    page.goto("/login/")
    audit.check(page, "log-in")
    page.get_by_label("メールアドレス").fill(customer.email)
    page.get_by_label("パスワード").fill("wrong")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_be_visible()
    audit.check(page, "log-in-refused")

    log_in(page, customer.email)
    page.goto("/console/partner/search/")
    audit.check(page, "partner-search")
    services.code_issue(works_group=customer.works_group, by=customer)
    page.goto("/console/audit/")
    audit.check(page, "audit")
    page.goto("/console/audit/exports/")
    audit.check(page, "audit-exports")

    viewer = UserFactory(works_group=customer.works_group, admin=True)
    reader = axe_page("read-only-admin")
    log_in(reader, viewer.email)
    reader.goto(WIZARD)
    audit.check(reader, "step2-read-only-admin")

    english = WorksGroupFactory(company_info__language="en_US")
    foreign = axe_page("english")
    log_in(foreign, UserFactory(works_group=english).email)
    foreign.goto(WIZARD)
    audit.check(foreign, "step1-english")

    audit.assert_clean()


@pytest.mark.parametrize("width", ["1440", "375"])
def test_webhook_pages(axe_page, audit, abc_staff, quiet_db, width):
    page = axe_page(viewport=PHONE if width == "375" else None)
    log_in(page, abc_staff.email)

    page.goto(WEBHOOKS)
    audit.check(page, "webhooks")
    page.get_by_label("URL").fill("http://intranet.local/hooks")
    page.get_by_role("button", name="登録").click()
    expect(page.locator("#id_url_error")).to_be_visible()
    audit.check(page, "webhook-refused-url")

    page.get_by_label("URL").fill("https://hooks.partner.example/worksadmin")
    page.get_by_role("button", name="登録").click()
    expect(page.locator("#webhook-secret")).to_be_visible()
    audit.check(page, "webhook-registered")

    with quiet_db():
        endpoint = WebhookEndpoint.objects.get()
        WebhookAttemptFactory(
            delivery=WebhookDeliveryFactory(endpoint=endpoint),
            status_code=500,
            outcome="RETRY",
            response_excerpt="Internal Server Error",
        )
    page.get_by_role("link", name=endpoint.url).click()
    expect(page.locator("table.deliveries")).to_contain_text("Internal Server Error")
    audit.check(page, "webhook-delivery-log")

    audit.assert_clean()
