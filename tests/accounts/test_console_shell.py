"""The console shell: set-up banner, menu, and the UI language of the group."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import AuditEvent, User
from tests.factories import AuditEventFactory, UserFactory, WorksGroupFactory

pytestmark = pytest.mark.django_db

BANNER = "初期設定がまだ完了していません。"
BANNER_LINK = '<a href="/console/settings/company/">今すぐ設定する</a>'
CONSOLE_PAGES = [
    "/console/",
    "/console/settings/company/",
    "/console/audit/",
    "/console/partner/contract/",
    "/console/partner/search/",
]
JAPANESE = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]+")


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_banner_links_to_company_info_on_every_console_page_while_incomplete(login, path):
    user = UserFactory(works_group=WorksGroupFactory(company_info__phone=""))

    content = login(user).get(path).content.decode()

    assert BANNER in content
    assert BANNER_LINK in content


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_banner_is_gone_once_company_info_is_complete(login, super_admin, path):
    content = login(super_admin).get(path).content.decode()

    assert BANNER not in content


@pytest.mark.parametrize("field", ["group_name", "company_name", "phone"])
def test_each_missing_field_brings_the_banner_back(login, field):
    user = UserFactory(works_group=WorksGroupFactory(**{f"company_info__{field}": ""}))

    content = login(user).get("/console/").content.decode()

    assert BANNER in content


def test_admin_sees_the_banner_too(login, group, admin):
    UserFactory(works_group=group)
    group.company_info.phone = ""
    group.company_info.save()

    assert BANNER in login(admin).get("/console/").content.decode()


def test_group_without_a_super_admin_is_incomplete(login, group):
    admin = UserFactory(works_group=group, role=User.Role.ADMIN)

    assert BANNER in login(admin).get("/console/").content.decode()


def test_completing_company_info_removes_the_banner(login):
    group = WorksGroupFactory(company_info__group_name="", company_info__phone="")
    client = login(UserFactory(works_group=group))
    assert BANNER in client.get("/console/").content.decode()

    response = client.post(
        "/console/settings/company/",
        {
            "group_name": "水谷",
            "company_name": group.company_info.company_name,
            "phone": "03-1234-5678",
            "language": "ja_JP",
            "time_zone": "Asia/Tokyo",
            "receive_notices": "True",
            "notice_recipients": "ADMINS",
        },
        follow=True,
    )

    assert "会社情報を保存しました。" in response.content.decode()
    assert BANNER not in response.content.decode()


def test_menu_links_the_real_pages(login, super_admin):
    content = login(super_admin).get("/console/").content.decode()

    for href, label in [
        ("/console/settings/company/", "会社情報"),
        ("/console/audit/", "監査"),
        ("/console/partner/contract/", "パートナーとの契約"),
        ("/console/partner/search/", "パートナー検索"),
    ]:
        assert re.search(rf'<a [^>]*href="{href}"[^>]*>{label}</a>', content), label


@pytest.mark.parametrize(
    "label",
    ["メンバー", "サービス", "セキュリティ", "統計", "モニタリング", "アップグレード", "アプリ"],
)
def test_out_of_scope_menu_items_are_disabled_with_an_explanation(login, super_admin, label):
    content = login(super_admin).get("/console/").content.decode()

    assert re.search(
        rf'<span class="[^"]*menu-disabled" aria-disabled="true">{label}'
        r"<small>このシミュレーションの対象外です</small></span>",
        content,
    )
    assert not re.search(rf"<a [^>]*>{label}</a>", content)


def test_menu_marks_the_current_page(login, super_admin):
    content = login(super_admin).get("/console/audit/").content.decode()

    assert re.search(r'href="/console/audit/" aria-current="page">監査</a>', content)


def test_header_shows_the_signed_in_user_and_role(login, group):
    user = UserFactory(works_group=group, name="水谷 太郎")

    content = login(user).get("/console/").content.decode()

    assert "水谷 太郎 ・ 最高管理者" in content


def test_japanese_is_the_default_language(login, super_admin):
    response = login(super_admin).get("/console/")

    assert response["Content-Language"] == "ja"
    assert '<html lang="ja">' in response.content.decode()


def test_login_page_is_japanese(client, db):
    response = client.get("/login/")

    assert response["Content-Language"] == "ja"
    assert '<html lang="ja">' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "ui_language"),
    [("en_US", "en"), ("ko_KR", "ko"), ("zh_TW", "zh-hant"), ("zh_CN", "zh-hans")],
)
def test_each_language_setting_gets_the_console_in_that_language(login, language, ui_language):
    user = UserFactory(works_group=WorksGroupFactory(company_info__language=language))

    response = login(user).get("/console/")

    assert response["Content-Language"] == ui_language
    assert f'<html lang="{ui_language}">' in response.content.decode()


def test_ui_language_follows_a_change_of_the_setting(login, super_admin):
    client = login(super_admin)
    info = super_admin.works_group.company_info
    info.language = "en_US"
    info.save()

    response = client.get("/console/")

    assert response["Content-Language"] == "en"


def test_each_group_sees_its_own_language(client, login):
    english = UserFactory(works_group=WorksGroupFactory(company_info__language="en_US"))
    japanese = UserFactory(works_group=WorksGroupFactory(company_info__language="ja_JP"))

    assert login(english).get("/console/")["Content-Language"] == "en"
    client.logout()
    assert login(japanese).get("/console/")["Content-Language"] == "ja"


def _english(message: str) -> str:
    with translation.override("en"):
        english = gettext(message)
    assert english != message, f"no English translation of {message!r}"
    return english


@pytest.fixture
def english_user():
    group = WorksGroupFactory(
        company_info__language="en_US",
        company_info__company_name="Acme",
        company_info__group_name="Acme",
        company_info__phone="",
    )
    AuditEventFactory(
        works_group=group,
        action=AuditEvent.Action.COMPANY_INFO_UPDATED,
        actor_label="taro@acme.example",
        details={"changed": ["phone"]},
    )
    return UserFactory(works_group=group, name="Taro")


def test_english_group_sees_the_banner_in_english(login, english_user):
    content = login(english_user).get("/console/").content.decode()

    assert _english(BANNER) in content
    assert f'<a href="/console/settings/company/">{_english("今すぐ設定する")}</a>' in content
    assert BANNER not in content


def test_english_group_sees_company_info_in_english(login, english_user):
    content = login(english_user).get("/console/settings/company/").content.decode()

    for label in [
        "会社情報",
        "ワークスグループ名",
        "企業/団体名",
        "電話番号",
        "保存",
        "キャンセル",
    ]:
        assert _english(label) in content


def test_english_group_gets_field_messages_in_english(login, english_user):
    response = login(english_user).post(
        "/console/settings/company/",
        {
            "group_name": "Acme",
            "company_name": "Acme",
            "phone": "03(1234)5678",
            "language": "en_US",
            "time_zone": "Asia/Tokyo",
            "receive_notices": "True",
            "notice_recipients": "ADMINS",
        },
    )

    assert (
        _english("電話番号には半角数字と + - * # , P T のみ使えます。") in response.content.decode()
    )


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_english_console_pages_have_no_japanese_left(login, english_user, path):
    content = login(english_user).get(path).content.decode()
    # The language picker names each language in its own script, as the real console does;
    # 「・」 only separates the user's name from their role in the header.
    content = re.sub(r'<select name="language".*?</select>', "", content, flags=re.S)

    assert set(JAPANESE.findall(content)) <= {"・"}
