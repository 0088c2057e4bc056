"""監査 at /console/audit/ and its CSV download."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import AuditEvent
from tests.factories import AuditEventFactory, UserFactory, WorksGroupFactory

pytestmark = pytest.mark.django_db

URL = "/console/audit/"
CSV_URL = "/console/audit/csv/"
START = datetime(2023, 3, 14, 1, 0, tzinfo=UTC)


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


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_audit_lists_events_newest_first(login, super_admin):
    _events(super_admin.works_group, 3)

    content = login(super_admin).get(URL).content.decode()

    positions = [content.index(f"actor-{i:03}@example.com") for i in (2, 1, 0)]
    assert positions == sorted(positions)


def test_audit_shows_time_in_the_group_time_zone_and_the_action_label(login, super_admin):
    AuditEventFactory(
        works_group=super_admin.works_group,
        created_at=START,
        action=AuditEvent.Action.COMPANY_INFO_UPDATED,
        details={"changed": ["phone"]},
    )

    content = login(super_admin).get(URL).content.decode()

    assert "2023-03-14 10:00:00" in content
    assert "会社情報の更新" in content
    assert "changed: [&#x27;phone&#x27;]" in content


def test_audit_with_no_events_says_so(login, super_admin):
    assert "記録はありません。" in login(super_admin).get(URL).content.decode()


def test_audit_filters_by_action(login, super_admin):
    group = super_admin.works_group
    AuditEventFactory(works_group=group, action="CODE_ISSUED", actor_label="issuer@example.com")
    AuditEventFactory(
        works_group=group, action="COMPANY_INFO_UPDATED", actor_label="editor@example.com"
    )

    content = login(super_admin).get(URL, {"action": "COMPANY_INFO_UPDATED"}).content.decode()

    assert "editor@example.com" in content
    assert "issuer@example.com" not in content


def test_audit_filter_offers_every_action_a_group_can_have(login, super_admin):
    content = login(super_admin).get(URL).content.decode()

    for value, _label in AuditEvent.Action.choices:
        offered = f'<option value="{value}"' in content
        assert offered == (value not in AuditEvent.PARTNER_ONLY_ACTIONS), value


def test_audit_shows_50_events_per_page(login, super_admin):
    _events(super_admin.works_group, 51)
    client = login(super_admin)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert first.count("@example.com</td>") == 50
    assert "actor-050@example.com" in first
    assert "actor-000@example.com" not in first
    assert '<a href="?page=2">次へ</a>' in first
    assert second.count("@example.com</td>") == 1
    assert "actor-000@example.com" in second
    assert '<a href="?page=1">前へ</a>' in second
    assert "次へ" not in second


def test_audit_with_50_events_has_a_single_page(login, super_admin):
    _events(super_admin.works_group, 50)

    content = login(super_admin).get(URL).content.decode()

    assert content.count("@example.com</td>") == 50
    assert "次へ" not in content


def test_audit_pages_keep_the_filter(login, super_admin):
    group = super_admin.works_group
    _events(group, 51, action="CODE_ISSUED")
    _events(group, 1, action="LOGIN")

    content = login(super_admin).get(URL, {"action": "CODE_ISSUED"}).content.decode()

    assert 'href="?action=CODE_ISSUED&amp;page=2"' in content


def test_audit_malformed_page_number_shows_the_first_page(login, super_admin):
    _events(super_admin.works_group, 51)

    content = login(super_admin).get(URL, {"page": "abc"}).content.decode()

    assert "actor-050@example.com" in content


def test_audit_lists_only_the_own_groups_events(login, super_admin):
    AuditEventFactory(works_group=super_admin.works_group, actor_label="mine@example.com")
    AuditEventFactory(works_group=WorksGroupFactory(), actor_label="theirs@example.com")
    AuditEventFactory(works_group=None, actor_label="system@example.com")

    content = login(super_admin).get(URL).content.decode()

    assert "mine@example.com" in content
    assert "theirs@example.com" not in content
    assert "system@example.com" not in content


def test_admin_reads_the_audit_log(login, admin):
    AuditEventFactory(works_group=admin.works_group, actor_label="mine@example.com")

    assert "mine@example.com" in login(admin).get(URL).content.decode()


def test_company_info_save_appears_in_the_audit_log(login, super_admin):
    client = login(super_admin)
    info = super_admin.works_group.company_info
    client.post(
        "/console/settings/company/",
        {
            "group_name": info.group_name,
            "company_name": info.company_name,
            "phone": "0399998888",
            "language": "ja_JP",
            "time_zone": "Asia/Tokyo",
            "receive_notices": "True",
            "notice_recipients": "ADMINS",
        },
    )

    content = client.get(URL).content.decode()

    assert f"<td>{super_admin.email}</td>" in content
    assert "<td>会社情報の更新</td>" in content
    assert "changed: [&#x27;phone&#x27;]" in content


def test_audit_page_links_the_csv_with_the_same_filter(login, super_admin):
    content = login(super_admin).get(URL, {"action": "LOGIN"}).content.decode()

    assert f'href="{CSV_URL}?action=LOGIN"' in content


def test_csv_download_has_a_header_row_and_every_event(login, super_admin):
    group = super_admin.works_group
    AuditEventFactory(
        works_group=group,
        created_at=START,
        actor_label="first@example.com",
        action="CODE_ISSUED",
    )
    AuditEventFactory(
        works_group=group,
        created_at=START + timedelta(hours=1),
        actor_label="second@example.com",
        action="COMPANY_INFO_UPDATED",
    )

    response = login(super_admin).get(CSV_URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit.csv"'
    rows = _csv_rows(response)
    assert rows[0] == ["日時", "操作者", "操作", "詳細"]
    assert [row[:3] for row in rows[1:]] == [
        ["2023-03-14 11:00:00", "second@example.com", "会社情報の更新"],
        ["2023-03-14 10:00:00", "first@example.com", "パートナーコード発行"],
    ]


def test_csv_download_follows_the_groups_language(login):
    group = WorksGroupFactory(company_info__language="en_US")
    AuditEventFactory(works_group=group, action="COMPANY_INFO_UPDATED")

    rows = _csv_rows(login(UserFactory(works_group=group)).get(CSV_URL))

    with translation.override("en"):
        assert rows[0] == [gettext("日時"), gettext("操作者"), gettext("操作"), gettext("詳細")]
        assert rows[1][2] == gettext("会社情報の更新")
    assert rows[0] != ["日時", "操作者", "操作", "詳細"]


def test_csv_download_applies_the_action_filter(login, super_admin):
    group = super_admin.works_group
    AuditEventFactory(works_group=group, action="CODE_ISSUED", actor_label="issuer@example.com")
    AuditEventFactory(works_group=group, action="LOGIN", actor_label="login@example.com")

    rows = _csv_rows(login(super_admin).get(CSV_URL, {"action": "LOGIN"}))

    assert [row[1] for row in rows[1:]] == ["login@example.com"]


def test_csv_download_is_not_paginated(login, super_admin):
    _events(super_admin.works_group, 51)

    rows = _csv_rows(login(super_admin).get(CSV_URL))

    assert len(rows) == 1 + 51


def test_csv_download_holds_only_the_own_groups_events(login, super_admin):
    AuditEventFactory(works_group=super_admin.works_group, actor_label="mine@example.com")
    AuditEventFactory(works_group=WorksGroupFactory(), actor_label="theirs@example.com")

    rows = _csv_rows(login(super_admin).get(CSV_URL))

    assert [row[1] for row in rows[1:]] == ["mine@example.com"]


def test_another_groups_super_admin_sees_only_their_own_events(login, super_admin):
    AuditEventFactory(works_group=super_admin.works_group, actor_label="mine@example.com")
    other = UserFactory()
    AuditEventFactory(works_group=other.works_group, actor_label="theirs@example.com")

    content = login(other).get(URL).content.decode()

    assert "theirs@example.com" in content
    assert "mine@example.com" not in content


def test_csv_details_are_json_that_spreadsheets_and_scripts_can_read(login, super_admin):
    AuditEventFactory(
        works_group=super_admin.works_group,
        action=AuditEvent.Action.CODE_ISSUED,
        details={"code": "ERV…PQLZ", "valid_until": "2023-04-14"},
    )

    rows = _csv_rows(login(super_admin).get(CSV_URL))

    assert json.loads(rows[1][3]) == {"code": "ERV…PQLZ", "valid_until": "2023-04-14"}
