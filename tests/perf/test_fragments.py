"""The console's menu is rendered once per language and page in a process (core/jinja2.py
`fragment`): it must look exactly as rendered afresh, and nothing may outlive what it
depends on."""

import re

import pytest

from accounts.models import CompanyInfo, Language
from core import jinja2 as core_jinja2
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COMPANY = "/console/settings/company/"
AUDIT = "/console/audit/"


def _menu(response) -> str:
    return re.search(r'<nav class="side-menu".*?</nav>', response.text, re.S).group(0)


@pytest.fixture(autouse=True)
def _empty_cache():
    core_jinja2._FRAGMENTS.clear()
    yield
    core_jinja2._FRAGMENTS.clear()


def _cached_then_fresh(browser, path: str, settings) -> tuple[list[str], str]:
    """The menu of `path` twice as the cache serves it, then rendered afresh (DEBUG)."""
    cached = [_menu(browser.get(path)), _menu(browser.get(path))]
    settings.DEBUG = True  # no cache
    return cached, _menu(browser.get(path))


def test_the_cached_menu_is_the_menu_rendered_afresh(login, super_admin, settings):
    cached, fresh = _cached_then_fresh(login(super_admin), COMPANY, settings)

    assert cached == [fresh, fresh]
    assert 'href="/console/settings/company/" aria-current="page"' in fresh


def test_each_page_marks_its_own_item(login, super_admin):
    browser = login(super_admin)

    company, audit = _menu(browser.get(COMPANY)), _menu(browser.get(AUDIT))

    assert 'href="/console/settings/company/" aria-current="page"' in company
    assert 'href="/console/audit/" aria-current="page"' in audit
    assert 'aria-current="page"' not in company.replace(
        'href="/console/settings/company/" aria-current="page"', ""
    )


def test_a_language_change_shows_the_menu_in_the_new_language_at_once(login, super_admin):
    browser = login(super_admin)
    assert "会社情報" in _menu(browser.get(COMPANY))

    CompanyInfo.objects.filter(works_group=super_admin.works_group).update(language=Language.EN_US)
    english = _menu(browser.get(COMPANY))

    assert "Company info" in english or "Company Info" in english
    assert "会社情報" not in english


def test_another_tenant_and_role_get_the_same_menu_with_nothing_of_anyone(login, super_admin):
    mine = _menu(login(super_admin).get(COMPANY))
    other = UserFactory(admin=True)
    theirs = _menu(login(other).get(COMPANY))

    assert mine == theirs  # the menu holds no data of a tenant or a user
    for shown in (super_admin.email, super_admin.works_group.domain, other.works_group.domain):
        assert shown not in mine


def test_after_log_out_no_menu_is_served(login, super_admin):
    browser = login(super_admin)
    browser.get(COMPANY)

    browser.post("/logout/")
    response = browser.get(COMPANY)

    assert response.status_code == 302
    assert 'class="side-menu"' not in response.text


def test_the_cache_is_bounded(login, super_admin, monkeypatch):
    monkeypatch.setattr(core_jinja2, "FRAGMENTS_MAX", 2)
    browser = login(super_admin)
    for path in (COMPANY, AUDIT, "/console/", COMPANY):
        browser.get(path)

    assert len(core_jinja2._FRAGMENTS) <= 2


PARTNER_CUSTOMERS = "/partner/"


@pytest.mark.parametrize("sandbox", [False, True])
def test_the_partner_menu_is_the_menu_rendered_afresh_with_or_without_the_sandbox(
    login, staff, settings, sandbox
):
    settings.SANDBOX = sandbox
    cached, fresh = _cached_then_fresh(login(staff), PARTNER_CUSTOMERS, settings)

    assert cached == [fresh, fresh]
    assert 'href="/partner/" aria-current="page"' in fresh
    assert ("/partner/sandbox/" in fresh) is sandbox


def test_the_sandbox_flag_is_part_of_the_partner_menu_s_key(login, staff, settings):
    browser = login(staff)
    settings.SANDBOX = False
    without = _menu(browser.get(PARTNER_CUSTOMERS))
    settings.SANDBOX = True
    with_sandbox = _menu(browser.get(PARTNER_CUSTOMERS))

    assert without != with_sandbox
