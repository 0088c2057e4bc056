"""Sessions end when they should (issue 16, item 2), with the default signed-cookie sessions.

A signed cookie cannot be deleted from the server, so a copy of it would stay valid for
SESSION_COOKIE_AGE. Each session carries a hash of the user's password, session generation,
role and tenant; log-out bumps the generation, and any change of the others changes the hash:
every copy of every session of that user is anonymous on its next request. The user row
checked is the one the request loads anyway, so this costs no query.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

COMPANY_INFO = "/console/settings/company/"


@pytest.fixture(autouse=True)
def _signed_cookie_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


def _signed_in(user, *, path="/login/") -> Client:
    browser = Client()
    response = browser.post(path, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def _copy_of(browser: Client) -> Client:
    """Another browser holding a copy of `browser`'s session cookie (stolen, or a backup)."""
    thief = Client()
    name = settings.SESSION_COOKIE_NAME
    thief.cookies[name] = browser.cookies[name].value
    return thief


def test_a_copied_session_cookie_is_signed_in_before_log_out(super_admin):
    browser = _signed_in(super_admin)
    thief = _copy_of(browser)

    assert thief.get(COMPANY_INFO).status_code == 200


def test_a_session_cookie_copied_before_log_out_is_anonymous_after_it(super_admin):
    browser = _signed_in(super_admin)
    thief = _copy_of(browser)

    browser.post("/logout/")

    response = thief.get(COMPANY_INFO)
    assert response.status_code == 302
    assert response.url == f"/login/?next={COMPANY_INFO}"


def test_a_session_cookie_copied_before_log_out_cannot_write(super_admin):
    browser = _signed_in(super_admin)
    thief = _copy_of(browser)
    browser.post("/logout/")

    response = thief.post(COMPANY_INFO, {"group_name": "乗っ取り", "company_name": "乗っ取り"})

    assert response.status_code == 302
    super_admin.works_group.company_info.refresh_from_db()
    assert super_admin.works_group.company_info.group_name != "乗っ取り"


def test_log_out_ends_the_users_sessions_in_every_browser(super_admin):
    office, home = _signed_in(super_admin), _signed_in(super_admin)

    office.post("/logout/")

    assert home.get(COMPANY_INFO).status_code == 302


def test_log_out_leaves_other_users_signed_in(super_admin, admin):
    own, colleague = _signed_in(super_admin), _signed_in(admin)

    own.post("/logout/")

    assert colleague.get(COMPANY_INFO).status_code == 200


def test_log_out_from_ops_ends_every_session_too(db):
    operator = User.objects.create_superuser("ops@example.com", PASSWORD)
    browser = _signed_in(operator, path="/ops/login/")
    thief = _copy_of(browser)

    browser.post("/ops/logout/")

    assert thief.get("/ops/").status_code == 302
    assert not get_user(thief).is_authenticated


def test_a_password_change_ends_every_session(super_admin):
    thief = _signed_in(super_admin)

    super_admin.set_password("a-new-long-password")
    super_admin.save()

    assert thief.get(COMPANY_INFO).status_code == 302


def test_deactivation_ends_every_session(super_admin):
    thief = _signed_in(super_admin)

    User.objects.filter(pk=super_admin.pk).update(is_active=False)

    assert thief.get(COMPANY_INFO).status_code == 302
    assert not get_user(thief).is_authenticated


def test_a_role_change_ends_every_session(super_admin, group):
    demoted = _signed_in(super_admin)

    User.objects.filter(pk=super_admin.pk).update(role=User.Role.ADMIN)

    assert demoted.get(COMPANY_INFO).status_code == 302
    assert not get_user(demoted).is_authenticated


def test_losing_operator_rights_ends_every_session(db):
    operator = User.objects.create_superuser("ops@example.com", PASSWORD)
    browser = _signed_in(operator, path="/ops/login/")

    User.objects.filter(pk=operator.pk).update(is_superuser=False)

    assert not get_user(browser).is_authenticated


def test_signing_in_again_after_log_out_works(super_admin):
    browser = _signed_in(super_admin)
    browser.post("/logout/")

    browser = _signed_in(super_admin)

    assert browser.get(COMPANY_INFO).status_code == 200


def test_a_signed_in_page_still_costs_one_query_for_the_user(
    super_admin, django_assert_num_queries
):
    """The hash is computed from the user row the request loads anyway."""
    browser = _signed_in(super_admin)

    with django_assert_num_queries(1):
        assert browser.get("/console/").status_code == 200
