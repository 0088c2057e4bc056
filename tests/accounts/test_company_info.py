"""基本設定 > 会社情報 at /console/settings/company/."""

import re

import pytest

from accounts.models import AuditEvent, CompanyInfo
from tests.factories import UserFactory, WorksGroupFactory

pytestmark = pytest.mark.django_db

URL = "/console/settings/company/"
UPDATED = AuditEvent.Action.COMPANY_INFO_UPDATED
FIELDS = [
    "group_name",
    "company_name",
    "phone",
    "language",
    "time_zone",
    "receive_notices",
    "notice_recipients",
]


@pytest.fixture
def data():
    """A complete, valid submission of the form."""
    return {
        "group_name": "水谷グループ",
        "company_name": "水谷建設",
        "phone": "03-1234-5678",
        "language": "ja_JP",
        "time_zone": "Asia/Tokyo",
        "receive_notices": "True",
        "notice_recipients": "ADMINS",
    }


def _stored(group) -> dict:
    return CompanyInfo.objects.filter(works_group=group).values(*FIELDS).get()


def _field_error(content: str, field: str) -> str | None:
    match = re.search(
        rf'<p class="field-error" id="id_{field}_error"[^>]*>(.*?)</p>', content, re.S
    )
    return match.group(1).strip() if match else None


def _tags_named(content: str, field: str) -> list[str]:
    return re.findall(rf'<(?:input|select|textarea)[^>]*\bname="{field}"[^>]*>', content)


def test_page_shows_every_field_of_the_seed(login, super_admin):
    content = login(super_admin).get(URL).content.decode()

    for text in [
        "会社情報",
        "ワークスグループ名",
        "企業/団体名",
        "電話番号",
        "言語",
        "利用地域",
        "LINE WORKSチームからのお知らせ",
        "受け取る",
        "受け取らない",
        "受信メンバー",
        "管理者権限を持つメンバーのみ",
        "すべてのメンバー",
    ]:
        assert text in content, text
    for field in FIELDS:
        assert _tags_named(content, field), field


@pytest.mark.parametrize("user", ["super_admin", "admin"])
def test_basic_information_shows_the_domain_read_only(request, login, user):
    """What the customer tells a partner with the code; fixed when the group was created."""
    content = login(request.getfixturevalue(user)).get(URL).content.decode()

    basic = content[content.index("基本情報") : content.index("言語・利用地域")]
    assert re.search(r"<dt>ドメイン又はグループ名</dt>\s*<dd[^>]*><strong>mizl</strong>", basic)
    assert not _tags_named(content, "domain")


def test_advanced_settings_is_shown_disabled_as_outside_the_simulation(login, super_admin):
    content = login(super_admin).get(URL).content.decode()

    assert re.search(
        r'<span class="menu-disabled" aria-disabled="true">高度な設定'
        r"<small>このシミュレーションの対象外です</small></span>",
        content,
    )
    assert not re.search(r"<a [^>]*>高度な設定</a>", content)


def test_page_offers_save_and_cancel(login, super_admin):
    content = login(super_admin).get(URL).content.decode()

    assert re.search(r'<button type="submit"[^>]*>保存</button>', content)
    assert re.search(rf'<a class="button" href="{URL}">キャンセル</a>', content)


def test_page_shows_the_stored_values(login, super_admin):
    info = super_admin.works_group.company_info
    info.company_name = "水谷建設"
    info.phone = "0311112222"
    info.save()

    content = login(super_admin).get(URL).content.decode()

    assert 'value="水谷建設"' in content
    assert 'value="0311112222"' in content


def test_page_sits_under_basic_settings_in_the_breadcrumb(login, super_admin):
    content = login(super_admin).get(URL).content.decode()

    assert re.search(
        r"メイン</a></li>\s*<li>基本設定</li><li aria-current=\"page\">会社情報", content
    )


def test_super_admin_saves_company_info(login, super_admin, data):
    client = login(super_admin)
    data.update(group_name="新しい名前", phone="+81-3-9999-0000", receive_notices="False")

    response = client.post(URL, data, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "会社情報を保存しました。" in response.content.decode()
    stored = _stored(super_admin.works_group)
    assert stored["group_name"] == "新しい名前"
    assert stored["phone"] == "+81-3-9999-0000"
    assert stored["receive_notices"] is False


def test_save_writes_one_audit_event_listing_changed_fields(login, super_admin, data):
    client = login(super_admin)
    data.update(company_name="水谷建設 改", language="en_US", notice_recipients="ALL")

    client.post(URL, data)

    event = AuditEvent.objects.get(action=UPDATED)
    assert event.works_group == super_admin.works_group
    assert event.actor == super_admin
    assert event.details["changed"] == sorted(
        ["company_name", "group_name", "language", "notice_recipients"]
    )


def test_saving_unchanged_values_is_still_audited_with_no_changes(login, super_admin, data):
    group = super_admin.works_group
    info = group.company_info
    data.update(group_name=info.group_name, company_name=info.company_name, phone=info.phone)

    login(super_admin).post(URL, data)

    assert AuditEvent.objects.get(action=UPDATED).details == {"changed": []}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("group_name", "水" * 41, id="group-name-41-chars"),
        pytest.param("company_name", "水" * 41, id="company-name-41-chars"),
        pytest.param("phone", "12345", id="phone-too-short"),
        pytest.param("phone", "1" * 21, id="phone-too-long"),
        pytest.param("phone", "03-1234-567x", id="phone-letter"),
        pytest.param("phone", "03 1234 5678", id="phone-space"),
        pytest.param("language", "fr_FR", id="language-unknown"),
        pytest.param("language", "", id="language-missing"),
        pytest.param("time_zone", "Mars/Olympus", id="time-zone-unknown"),
        pytest.param("time_zone", "", id="time-zone-missing"),
        pytest.param("receive_notices", "maybe", id="notices-unknown"),
        pytest.param("receive_notices", "", id="notices-missing"),
        pytest.param("notice_recipients", "EVERYONE", id="recipients-unknown"),
        pytest.param("notice_recipients", "", id="recipients-missing"),
    ],
)
def test_invalid_value_gets_a_field_message_and_nothing_is_written(
    login, super_admin, data, field, value
):
    group = super_admin.works_group
    before = _stored(group)
    data[field] = value

    response = login(super_admin).post(URL, data)

    assert response.status_code == 200
    assert _field_error(response.content.decode(), field)
    assert _stored(group) == before
    assert not AuditEvent.objects.filter(action=UPDATED).exists()


def test_bad_phone_message_names_the_allowed_characters(login, super_admin, data):
    data["phone"] = "03(1234)5678"

    response = login(super_admin).post(URL, data)

    assert _field_error(response.content.decode(), "phone") == (
        "電話番号には半角数字と + - * # , P T のみ使えます。"
    )


def test_invalid_submission_keeps_what_was_typed(login, super_admin, data):
    data.update(company_name="入力した会社名", phone="12345")

    content = login(super_admin).post(URL, data).content.decode()

    assert 'value="入力した会社名"' in content
    assert 'value="12345"' in content


def test_admin_sees_company_info_read_only(login, admin):
    content = login(admin).get(URL).content.decode()

    assert "管理者は閲覧のみ行えます。" in content
    assert ">保存</button>" not in content
    for field in FIELDS:
        tags = _tags_named(content, field)
        assert tags, field
        assert all(" disabled" in tag for tag in tags), field


def test_admin_post_is_refused_and_nothing_is_written(login, admin, data):
    group = admin.works_group
    before = _stored(group)
    data["company_name"] = "書き換え"

    response = login(admin).post(URL, data)

    assert response.status_code == 403
    assert _stored(group) == before
    assert not AuditEvent.objects.filter(action=UPDATED).exists()


def test_super_admin_sees_own_group_info_not_another_groups(login, super_admin):
    other = WorksGroupFactory()
    UserFactory(works_group=other)
    mine = super_admin.works_group.company_info.company_name

    content = login(super_admin).get(URL).content.decode()

    assert f'value="{mine}"' in content
    assert other.company_info.company_name not in content


def test_save_changes_only_the_signed_in_users_group(login, super_admin, data):
    other = WorksGroupFactory()
    before = _stored(other)
    data["company_name"] = "自社だけ"

    login(super_admin).post(URL, data)

    assert _stored(super_admin.works_group)["company_name"] == "自社だけ"
    assert _stored(other) == before
