"""Issue 16 in a real browser: the log-in cool-off, and 監査's CSV export from the form to
the downloaded file, with the list following a running export without a reload."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from accounts.models import AuditExport
from tests.factories import PASSWORD, AuditEventFactory

from .steps import log_in

pytestmark = pytest.mark.browser

EXPORTS = "/console/audit/exports/"


def test_log_in_is_refused_for_a_while_after_ten_failures(new_page, screens, customer):
    page = new_page("visitor")
    page.goto("/login/")
    for _attempt in range(10):
        page.get_by_label("メールアドレス").fill(customer.email)
        page.get_by_label("パスワード").fill("not-the-password")
        page.get_by_role("button", name="ログイン").click()
        expect(page.get_by_role("alert")).to_have_text(
            "メールアドレスまたはパスワードが正しくありません。"
        )

    page.get_by_label("メールアドレス").fill(customer.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "ログインの失敗が続いたため、一時的にログインを制限しています。15分後にもう一度お試しください。"
    )
    expect(page).to_have_url(re.compile(r"/login/$"))
    screens.shot(page, "cooling-off")


def test_an_export_is_started_written_and_downloaded(new_page, screens, customer):
    AuditEventFactory(works_group=customer.works_group, actor_label="=cmd|'/c calc'!A0")
    page = new_page("customer")
    log_in(page, customer.email)
    page.goto("/console/audit/")
    page.get_by_role("link", name="CSVエクスポート").click()
    expect(page).to_have_url(re.compile(r"/console/audit/exports/$"))
    screens.shot(page, "export-form")

    page.get_by_role("button", name="エクスポート").click()

    expect(page.locator(".messages")).to_contain_text("エクスポートを開始しました。")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="ダウンロード").click()
    screens.shot(page, "export-ready")
    text = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["日時", "操作者", "操作", "詳細"]
    assert "'=cmd|'/c calc'!A0" in [row[1] for row in rows[1:]]
    assert not [cell for row in rows for cell in row if cell.startswith("=")]


def test_the_export_list_follows_a_running_export_without_a_reload(new_page, screens, customer):
    export = AuditExport.objects.create(
        works_group=customer.works_group,
        status=AuditExport.Status.RUNNING,
        rows_total=1000,
        rows_written=400,
    )
    page = new_page("customer")
    log_in(page, customer.email)
    page.goto(EXPORTS)
    expect(page.locator("progress")).to_have_attribute("value", "400")
    page.evaluate("window.__sameDocument = true")
    screens.shot(page, "running")

    AuditExport.objects.filter(pk=export.pk).update(rows_written=1000)
    expect(page.get_by_text("1,000 / 1,000")).to_be_visible(timeout=10_000)
    AuditExport.objects.filter(pk=export.pk).update(
        status=AuditExport.Status.READY, file_name="not-read.csv"
    )

    expect(page.get_by_role("link", name="ダウンロード")).to_be_visible(timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    screens.shot(page, "ready")
