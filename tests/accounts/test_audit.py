"""監査 at /console/audit/ (its CSV exports: test_audit_export.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import AuditEvent
from tests.factories import AuditEventFactory, UserFactory, WorksGroupFactory

pytestmark = pytest.mark.django_db

URL = "/console/audit/"
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


def test_audit_filter_offers_every_action_a_group_s_log_can_hold(login, super_admin):
    content = login(super_admin).get(URL).content.decode()

    for value, _label in AuditEvent.Action.choices:
        offered = f'<option value="{value}"' in content
        # A partner's API tokens and apps are events of the partner, never of a group.
        assert offered == (value not in AuditEvent.PARTNER_ACCOUNT_ACTIONS), value


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


def test_another_groups_super_admin_sees_only_their_own_events(login, super_admin):
    AuditEventFactory(works_group=super_admin.works_group, actor_label="mine@example.com")
    other = UserFactory()
    AuditEventFactory(works_group=other.works_group, actor_label="theirs@example.com")

    content = login(other).get(URL).content.decode()

    assert "theirs@example.com" in content
    assert "mine@example.com" not in content
