"""監査 > CSVエクスポート (issue 16, items 3 and 7).

A request only queues the export; a task writes the file in batches and offers it once it
is complete. Exports are bounded in rows, one at a time per works group, the super admin's
only, and every cell a spreadsheet would run as a formula is neutralised.
"""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts import exports
from accounts.export_writer import STORAGE, audit_export_run
from accounts.models import AuditEvent, AuditExport
from core.errors import NotAllowed
from tests.factories import AuditEventFactory, UserFactory, WorksGroupFactory
from tests.support import drain_queue, nothing_written

pytestmark = pytest.mark.django_db

EXPORTS = "/console/audit/exports/"
START = datetime(2023, 3, 14, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    """Each test's exports in a directory of its own, to see what is (not) left there."""
    settings.STORAGES = {
        **settings.STORAGES,
        STORAGE: {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "exports")},
        },
    }
    return tmp_path / "exports"


@pytest.fixture
def owner(login, super_admin):
    return login(super_admin)


def _events(group, count, **fields):
    """`count` events, one minute apart, by actor-000@…, actor-001@…, oldest first."""
    return [
        AuditEventFactory(
            works_group=group,
            created_at=START + timedelta(minutes=i),
            actor_label=f"actor-{i:03}@example.com",
            **fields,
        )
        for i in range(count)
    ]


def _export(client, capture, **form):
    """Start an export as the browser does and let its task run (the immediate backend)."""
    with capture(execute=True):
        response = client.post(EXPORTS, form)
    assert response.status_code == 302, response.status_code
    return AuditExport.objects.latest("created_at")


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def _download(client, export):
    return client.get(f"{EXPORTS}{export.pk}/download/")


# The file ---------------------------------------------------------------------------------


def test_an_export_is_offered_for_download_once_written(
    owner, super_admin, django_capture_on_commit_callbacks
):
    AuditEventFactory(works_group=super_admin.works_group, created_at=START)

    export = _export(owner, django_capture_on_commit_callbacks)

    assert export.status == AuditExport.Status.READY
    assert (export.rows_total, export.rows_written, export.truncated) == (1, 1, False)
    page = owner.get(EXPORTS)
    assert f'href="{EXPORTS}{export.pk}/download/"' in page.text
    response = _download(owner, export)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-mizl-')
    assert "no-store" in response["Cache-Control"]


def test_the_csv_has_a_header_and_every_event_newest_first_in_the_groups_time(
    owner, super_admin, django_capture_on_commit_callbacks
):
    group = super_admin.works_group
    AuditEventFactory(works_group=group, created_at=START, actor_label="first@example.com")
    AuditEventFactory(
        works_group=group,
        created_at=START + timedelta(hours=1),
        actor_label="second@example.com",
        action="COMPANY_INFO_UPDATED",
    )

    rows = _rows(_download(owner, _export(owner, django_capture_on_commit_callbacks)))

    assert rows[0] == ["日時", "操作者", "操作", "詳細"]
    assert [row[:3] for row in rows[1:]] == [
        ["2023-03-14 11:00:00", "second@example.com", "会社情報の更新"],
        ["2023-03-14 10:00:00", "first@example.com", "パートナーコード発行"],
    ]


def test_the_csv_follows_the_groups_language(login, django_capture_on_commit_callbacks):
    group = WorksGroupFactory(company_info__language="en_US")
    AuditEventFactory(works_group=group, action="COMPANY_INFO_UPDATED")
    client = login(UserFactory(works_group=group))

    rows = _rows(_download(client, _export(client, django_capture_on_commit_callbacks)))

    with translation.override("en"):
        assert rows[0] == [gettext("日時"), gettext("操作者"), gettext("操作"), gettext("詳細")]
        assert rows[1][2] == gettext("会社情報の更新")
    assert rows[0] != ["日時", "操作者", "操作", "詳細"]


def test_the_csv_details_are_json(owner, super_admin, django_capture_on_commit_callbacks):
    AuditEventFactory(
        works_group=super_admin.works_group,
        details={"code": "ERV…PQLZ", "valid_until": "2023-04-14"},
    )

    rows = _rows(_download(owner, _export(owner, django_capture_on_commit_callbacks)))

    assert json.loads(rows[1][3]) == {"code": "ERV…PQLZ", "valid_until": "2023-04-14"}


def test_the_export_applies_the_action_filter_and_the_period(
    owner, super_admin, django_capture_on_commit_callbacks
):
    group = super_admin.works_group
    _events(group, 3, action="LOGIN")  # 2023-03-14, Tokyo
    AuditEventFactory(works_group=group, action="LOGIN", created_at=START + timedelta(days=2))
    AuditEventFactory(works_group=group, action="CODE_ISSUED", created_at=START)

    export = _export(
        owner,
        django_capture_on_commit_callbacks,
        action="LOGIN",
        date_from="2023-03-14",
        date_to="2023-03-14",
    )

    rows = _rows(_download(owner, export))
    assert [row[1] for row in rows[1:]] == [f"actor-{i:03}@example.com" for i in (2, 1, 0)]


def test_the_export_holds_only_the_own_groups_events(
    owner, super_admin, django_capture_on_commit_callbacks
):
    AuditEventFactory(works_group=super_admin.works_group, actor_label="mine@example.com")
    AuditEventFactory(works_group=WorksGroupFactory(), actor_label="theirs@example.com")

    rows = _rows(_download(owner, _export(owner, django_capture_on_commit_callbacks)))

    assert [row[1] for row in rows[1:]] == ["mine@example.com"]


@pytest.mark.parametrize("value", ["=cmd|'/ccalc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_cells_a_spreadsheet_would_run_are_written_as_text(
    owner, super_admin, django_capture_on_commit_callbacks, value
):
    AuditEventFactory(works_group=super_admin.works_group, actor_label=value)

    rows = _rows(_download(owner, _export(owner, django_capture_on_commit_callbacks)))

    assert rows[1][1] == "'" + value


# Bounded --------------------------------------------------------------------------------------


def test_an_export_stops_at_the_row_cap_and_says_so(
    settings, owner, super_admin, django_capture_on_commit_callbacks
):
    settings.AUDIT_EXPORT_MAX_ROWS = 5
    _events(super_admin.works_group, 8)

    export = _export(owner, django_capture_on_commit_callbacks)

    rows = _rows(_download(owner, export))
    assert [row[1] for row in rows[1:]] == [f"actor-{i:03}@example.com" for i in (7, 6, 5, 4, 3)]
    assert (export.rows_total, export.truncated) == (5, True)
    assert "上限の5件で打ち切りました。" in owner.get(EXPORTS).text


def test_rows_are_read_in_batches_of_bounded_size(
    settings, owner, super_admin, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("accounts.export_writer.BATCH_SIZE", 3)
    _events(super_admin.works_group, 8)

    export = _export(owner, django_capture_on_commit_callbacks)

    rows = _rows(_download(owner, export))
    assert [row[1] for row in rows[1:]] == [f"actor-{i:03}@example.com" for i in range(7, -1, -1)]


def test_one_export_at_a_time_per_group(login, super_admin):
    client = login(super_admin)
    waiting = client.post(EXPORTS, {})  # queued: its task runs only after the commit
    assert waiting.status_code == 302

    with nothing_written():
        refused = client.post(EXPORTS, {})

    assert refused.status_code == 429
    assert "監査ログのエクスポートを実行中です。" in refused.text
    other = UserFactory()
    assert login(other).post(EXPORTS, {}).status_code == 302  # another group is not held up


def test_an_export_lost_with_its_worker_holds_no_place_for_ever(login, super_admin):
    AuditExport.objects.create(
        works_group=super_admin.works_group,
        status=AuditExport.Status.RUNNING,
        created_at=timezone.now() - timedelta(hours=2),
    )
    client = login(super_admin)

    assert client.post(EXPORTS, {}).status_code == 302
    assert "作成できませんでした" in client.get(EXPORTS).text


# Never half-written ---------------------------------------------------------------------------


def test_a_running_export_is_shown_with_its_progress_and_not_offered(owner, super_admin):
    export = AuditExport.objects.create(
        works_group=super_admin.works_group,
        status=AuditExport.Status.RUNNING,
        rows_total=300_000,
        rows_written=120_000,
    )

    page = owner.get(EXPORTS)

    assert '<progress value="120000" max="300000">' in page.text
    assert "120,000 / 300,000" in page.text
    assert "data-refresh-while-running" in page.text
    assert _download(owner, export).status_code == 404


def test_an_export_that_fails_while_writing_is_never_offered(
    owner, super_admin, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The storage cannot take the file (its directory is a file): the export ends failed,
    visibly, and nothing is left to download."""
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        STORAGE: {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    AuditEventFactory(works_group=super_admin.works_group)

    export = _export(owner, django_capture_on_commit_callbacks)

    assert export.status == AuditExport.Status.FAILED
    assert export.file_name == ""
    assert _download(owner, export).status_code == 404
    assert "作成できませんでした" in owner.get(EXPORTS).text


def test_a_finished_export_is_not_written_again(
    owner, super_admin, export_dir, django_capture_on_commit_callbacks
):
    export = _export(owner, django_capture_on_commit_callbacks)

    again = audit_export_run(export_id=export.pk)

    assert again.file_name == export.file_name
    assert len(list(Path(export_dir).rglob("*.csv"))) == 1


def test_expired_exports_are_not_offered_and_their_files_go(
    settings, owner, super_admin, export_dir, django_capture_on_commit_callbacks
):
    old = _export(owner, django_capture_on_commit_callbacks)
    AuditExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))

    assert _download(owner, old).status_code == 404
    _export(owner, django_capture_on_commit_callbacks)
    assert not AuditExport.objects.filter(pk=old.pk).exists()
    assert not storages[STORAGE].exists(old.file_name)


# Who -----------------------------------------------------------------------------------------


def test_the_read_only_admin_cannot_export(login, admin, super_admin):
    export = AuditExport.objects.create(
        works_group=admin.works_group, status=AuditExport.Status.READY, file_name="x.csv"
    )
    client = login(admin)

    with nothing_written():
        assert client.post(EXPORTS, {}).status_code == 403
    assert client.get(EXPORTS).status_code == 403
    assert _download(client, export).status_code == 403
    assert "CSVエクスポート" not in client.get("/console/audit/").text


def test_another_groups_super_admin_cannot_download(
    login, owner, django_capture_on_commit_callbacks
):
    export = _export(owner, django_capture_on_commit_callbacks)

    assert _download(login(UserFactory()), export).status_code == 404


def test_starting_an_export_is_audited(owner, super_admin, django_capture_on_commit_callbacks):
    _export(owner, django_capture_on_commit_callbacks, action="LOGIN", date_from="2023-03-01")

    event = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_EXPORTED)
    assert event.actor == super_admin
    assert event.details == {"action": "LOGIN", "from": "2023-03-01", "to": ""}


def test_a_period_that_ends_before_it_starts_is_refused(owner):
    with nothing_written():
        response = owner.post(EXPORTS, {"date_from": "2023-03-14", "date_to": "2023-03-01"})

    assert response.status_code == 200
    assert "終了日は開始日以降の日付を入力してください。" in response.text


def test_the_audit_page_links_the_export_with_its_filter(owner):
    content = owner.get("/console/audit/", {"action": "LOGIN"}).text

    assert f'href="{EXPORTS}?action=LOGIN"' in content
    assert 'value="LOGIN" selected' in owner.get(EXPORTS, {"action": "LOGIN"}).text


def test_the_service_refuses_anyone_but_the_super_admin(admin):
    with pytest.raises(NotAllowed):
        exports.audit_export_start(works_group=admin.works_group, by=admin)


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_request_writes_no_file(settings, export_dir):
    """Production: the request only queues the export; the worker writes it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    owner_user = UserFactory()
    AuditEventFactory(works_group=owner_user.works_group)
    client = Client()
    client.force_login(owner_user)

    response = client.post(EXPORTS, {})

    assert response.status_code == 302
    export = AuditExport.objects.get()
    assert export.status == AuditExport.Status.QUEUED
    assert not list(Path(export_dir).rglob("*"))
    drain_queue()
    export.refresh_from_db()
    assert export.status == AuditExport.Status.READY
    assert _rows(_download(client, export))[1][1] == "admin@example.com"
