"""Who chooses the language. Customers see their group's 言語; partner staff, operators and
visitors of the log-in page choose theirs with Django's set_language (/i18n/setlang/),
remembered on their user (before they sign in, in the language cookie)."""

import re

import pytest
from django.conf import settings

from partners import services
from tests.factories import PASSWORD, PartnerFactory, UserFactory, WorksGroupFactory

pytestmark = pytest.mark.django_db

SETLANG = "/i18n/setlang/"
MENU = '<form method="post" action="/i18n/setlang/" class="language-menu">'
# The menus name each language in its own script, as the 言語 setting does.
LANGUAGE_SELECTS = re.compile(r'<select name="language".*?</select>', re.S)
KANA = re.compile(r"[\u3040-\u30ff]")
HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Chinese is written in Han characters too: there, any kana is Japanese left over.
NON_JAPANESE = [
    ("en_US", "en", HAN_OR_KANA),
    ("ko_KR", "ko", HAN_OR_KANA),
    ("zh_TW", "zh-hant", KANA),
    ("zh_CN", "zh-hans", KANA),
]


def choose(client, language: str, next_url: str = "/login/"):
    return client.post(SETLANG, {"language": language, "next": next_url})


def left_over(content: str, pattern: re.Pattern) -> set[str]:
    """Japanese in a page but in its language menus, and the ・ between a name and a role."""
    return set(pattern.findall(LANGUAGE_SELECTS.sub("", content))) - {"・"}


# -- the log-in page -----------------------------------------------------------------------


def test_log_in_page_offers_the_five_languages_and_starts_in_japanese(client):
    response = client.get("/login/")

    assert response["Content-Language"] == "ja"
    content = response.content.decode()
    assert MENU in content
    options = re.findall(
        r'<option value="([^"]+)" lang="[^"]+"( selected)?>([^<]+)</option>', content
    )
    assert options == [
        ("ja", " selected", "日本語"),
        ("en", "", "English"),
        ("ko", "", "한국어"),
        ("zh-hant", "", "繁體中文"),
        ("zh-hans", "", "简体中文"),
    ]


def test_log_in_page_follows_the_language_chosen_on_it(client):
    response = choose(client, "ko")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    page = client.get("/login/")
    assert page["Content-Language"] == "ko"
    assert '<html lang="ko">' in page.content.decode()
    assert "로그인" in page.content.decode()


def test_language_cookie_is_kept_a_year_and_hidden_from_scripts(client):
    cookie = choose(client, "en").cookies[settings.LANGUAGE_COOKIE_NAME]

    assert cookie.value == "en"
    assert cookie["max-age"] == 60 * 60 * 24 * 365
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.parametrize("language", ["fr", "zh-tw", "", "ja_JP"])
def test_a_language_the_site_does_not_offer_changes_nothing(client, language):
    choose(client, language)

    assert client.get("/login/")["Content-Language"] == "ja"


def test_choosing_a_language_needs_a_post(client):
    assert client.get(SETLANG, {"language": "en"}).status_code == 405


# -- partner staff and operators -------------------------------------------------------


def test_partner_staff_switch_the_partner_console_to_english_from_the_header(login, staff):
    client = login(staff)
    before = client.get("/partner/")
    assert before["Content-Language"] == "ja"
    assert MENU in before.content.decode()

    response = choose(client, "en", next_url="/partner/")

    assert response["Location"] == "/partner/"
    staff.refresh_from_db()
    assert staff.language == "en"
    after = client.get("/partner/")
    assert after["Content-Language"] == "en"
    assert "Customers" in after.content.decode()


def test_partner_staff_find_their_language_again_in_a_new_browser(client, staff):
    staff.language = "zh-hans"
    staff.save()

    client.post("/login/", {"username": staff.email, "password": PASSWORD})

    assert client.get("/partner/")["Content-Language"] == "zh-hans"


def test_the_language_chosen_on_the_log_in_page_becomes_the_staff_members(client, staff):
    choose(client, "zh-hant")

    client.post("/login/", {"username": staff.email, "password": PASSWORD})

    staff.refresh_from_db()
    assert staff.language == "zh-hant"
    assert client.get("/partner/")["Content-Language"] == "zh-hant"


def test_operators_choose_their_language_in_ops(login):
    operator = UserFactory(operator=True)
    client = login(operator)
    assert MENU in client.get("/ops/").content.decode()

    choose(client, "ko", next_url="/ops/")

    operator.refresh_from_db()
    assert operator.language == "ko"
    assert client.get("/ops/")["Content-Language"] == "ko"


# -- customers -------------------------------------------------------------------------


def test_customers_see_their_groups_language_and_no_menu(login, super_admin):
    client = login(super_admin)

    choose(client, "en", next_url="/console/")

    super_admin.refresh_from_db()
    assert super_admin.language == ""
    response = client.get("/console/")
    assert response["Content-Language"] == "ja"
    assert MENU not in response.content.decode()


# -- every screen in every language ---------------------------------------------------------


def _console_pages(client, admin, staff):
    """(name, html) of every console screen, the wizard through all four steps."""
    group = admin.works_group
    for path in ["/console/", "/console/settings/company/", "/console/audit/"]:
        yield path, client.get(path)
    yield "search", client.get("/console/partner/search/")
    yield "step 1", client.get("/console/partner/contract/")
    code = services.code_issue(works_group=group, by=admin)
    yield "step 2", client.get("/console/partner/contract/")
    services.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=group.domain,
        raw_code=code.code,
        show_profile=True,
    )
    yield "step 3", client.get("/console/partner/contract/")
    yield "company gate", client.get("/console/partner/contract/company/")
    yield "confirm", client.get("/console/partner/contract/confirm/")
    client.post("/console/partner/contract/complete/")
    yield "step 4", client.get("/console/partner/contract/", follow=True)
    yield "audit after the switch", client.get("/console/audit/")


@pytest.fixture
def acme_staff():
    partner = PartnerFactory(
        name="Partner Inc.",
        region="Tokyo",
        description="A reseller.",
        handled_apps=["talk", "calendar", "drive", "mail"],
    )
    return UserFactory(staff=True, partner=partner, name="Pat")


@pytest.mark.parametrize(("setting", "language", "japanese"), NON_JAPANESE)
def test_the_whole_console_is_in_the_groups_language(
    login, acme_staff, setting, language, japanese
):
    group = WorksGroupFactory(
        domain="acme",
        apps=["talk", "calendar", "drive", "mail", "survey"],
        company_info__language=setting,
        company_info__company_name="Acme",
        company_info__group_name="Acme",
    )
    client = login(UserFactory(works_group=group, name="Ann"))

    pages = dict(_console_pages(client, group.super_admin, acme_staff))

    for name, response in pages.items():
        assert response["Content-Language"] == language, name
        assert left_over(response.content.decode(), japanese) == set(), name


@pytest.mark.parametrize(("_setting", "language", "japanese"), NON_JAPANESE)
def test_the_whole_partner_console_is_in_the_staff_members_language(
    login, acme_staff, _setting, language, japanese
):
    acme_staff.language = language
    acme_staff.save()
    group = WorksGroupFactory(
        domain="acme", company_info__company_name="Acme", company_info__group_name="Acme"
    )
    code = services.code_issue(works_group=group, by=UserFactory(works_group=group))
    client = login(acme_staff)
    import_form = {"domain": "acme", "code": code.code, "preview": "1"}

    pages = {
        "customers": client.get("/partner/"),
        "import": client.get("/partner/customers/import/"),
        "preview": client.post("/partner/customers/import/", import_form),
        "wrong pair": client.post("/partner/customers/import/", {**import_form, "domain": "x1"}),
        "tokens": client.get("/partner/tokens/"),
        "token created": client.post("/partner/tokens/", {"name": "ERP"}),
        "log-out page": client.get("/logout/"),
    }

    for name, response in pages.items():
        assert response["Content-Language"] == language, name
        assert left_over(response.content.decode(), japanese) == set(), name
