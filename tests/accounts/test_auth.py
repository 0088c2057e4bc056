"""Log-in by e-mail, log-out, and who lands where."""

import re

import pytest
from django.contrib.auth import get_user

from accounts.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG_LOGIN = "メールアドレスまたはパスワードが正しくありません。"
CONSOLE_PAGES = [
    "/console/",
    "/console/settings/company/",
    "/console/audit/",
    "/console/audit/exports/",
    "/console/partner/contract/",
    "/console/partner/search/",
]


def _log_in(client, email, password=PASSWORD, **extra):
    return client.post("/login/", {"username": email, "password": password, **extra})


def _landing(client, response) -> str:
    """Follow the redirects after log-in and return the path the browser ends on."""
    while response.status_code == 302:
        response = client.get(response.url)
    return response.request["PATH_INFO"]


def test_login_page_asks_for_email_and_password(client):
    response = client.get("/login/")

    content = response.content.decode()
    assert 'type="email"' in content
    assert 'name="username"' in content
    assert 'type="password"' in content


def test_customer_logs_in_by_email(client, super_admin):
    response = _log_in(client, super_admin.email)

    assert get_user(client) == super_admin
    assert _landing(client, response) == "/console/"


def test_email_is_case_insensitive_at_login(client, group):
    user = UserFactory(email="taro@mizl.example", works_group=group)

    _log_in(client, "Taro@MIZL.example")

    assert get_user(client) == user


def test_login_is_recorded_in_the_groups_audit_log(client, super_admin):
    _log_in(client, super_admin.email)

    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.LOGIN
    assert event.actor == super_admin
    assert event.works_group == super_admin.works_group


def test_partner_staff_login_is_recorded_for_the_partner(client, staff):
    _log_in(client, staff.email)

    event = AuditEvent.objects.get()
    assert (event.action, event.partner, event.works_group) == ("LOGIN", staff.partner, None)


def test_wrong_password_shows_the_error_and_logs_nobody_in(client, super_admin):
    response = _log_in(client, super_admin.email, "not-the-password")

    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert not get_user(client).is_authenticated


def test_unknown_email_gets_the_same_error_as_a_wrong_password(client, db):
    response = _log_in(client, "nobody@example.com")

    assert WRONG_LOGIN in response.content.decode()
    assert not get_user(client).is_authenticated


def test_inactive_user_cannot_log_in(client, group):
    user = UserFactory(works_group=group, is_active=False)

    _log_in(client, user.email)

    assert not get_user(client).is_authenticated


def test_logout_by_post_ends_the_session_and_returns_to_login(login, super_admin):
    client = login(super_admin)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response.url == "/login/"
    assert not get_user(client).is_authenticated


def test_logout_by_get_shows_a_page_with_the_logout_button_and_keeps_the_session(
    login, super_admin
):
    """/logout/ is one of the spec's fixed URLs: a bookmarked or typed one shows a page whose
    「ログアウト」 button posts (with its CSRF token); the GET itself logs nobody out."""
    client = login(super_admin)

    response = client.get("/logout/")

    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(
        r'<form method="post" action="/logout/">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken"[^>]*>\s*<button type="submit"[^>]*>ログアウト</button>',
        content,
    )
    assert f"{super_admin.email} でログインしています。ログアウトしますか？" in content
    assert get_user(client) == super_admin


def test_logout_page_sends_an_anonymous_visitor_to_log_in(client, db):
    response = client.get("/logout/")

    assert response.status_code == 302
    assert response.url == "/login/"


def test_console_header_offers_logout_as_a_form(login, super_admin):
    content = login(super_admin).get("/console/").content.decode()

    assert 'action="/logout/"' in content
    assert "ログアウト" in content


@pytest.mark.parametrize(
    ("user_fixture", "landing"),
    [
        ("super_admin", "/console/"),
        ("admin", "/console/"),
        ("staff", "/partner/"),
    ],
)
def test_after_login_each_role_lands_on_its_console(client, request, user_fixture, landing):
    user = request.getfixturevalue(user_fixture)

    response = _log_in(client, user.email)

    assert _landing(client, response) == landing


def test_after_login_operator_lands_on_ops(client, db):
    operator = UserFactory(operator=True)

    response = _log_in(client, operator.email)

    assert _landing(client, response) == "/ops/"


def test_login_honours_next(client, super_admin):
    response = _log_in(client, super_admin.email, next="/console/audit/")

    assert response.url == "/console/audit/"


def test_login_ignores_next_to_another_site(client, super_admin):
    response = _log_in(client, super_admin.email, next="https://evil.example/")

    assert "evil.example" not in response.url
    assert _landing(client, response) == "/console/"


def test_signed_in_user_visiting_login_goes_to_their_console(login, staff):
    client = login(staff)

    response = client.get("/login/")

    assert _landing(client, response) == "/partner/"


@pytest.mark.parametrize("path", ["/", *CONSOLE_PAGES, "/partner/"])
def test_anonymous_visitor_is_sent_to_login_with_next(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"/login/?next={path}"


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_partner_staff_is_refused_the_customer_console(login, staff, path):
    response = login(staff).get(path)

    assert response.status_code == 403


def test_refusal_page_explains_itself(login, staff):
    response = login(staff).get("/console/")

    assert "この画面を表示する権限がありません。" in response.content.decode()


@pytest.mark.parametrize("path", ["/console/", "/console/settings/company/", "/console/audit/"])
def test_operator_is_refused_the_customer_console(login, db, path):
    response = login(UserFactory(operator=True)).get(path)

    assert response.status_code == 403


@pytest.mark.parametrize("user_fixture", ["super_admin", "admin"])
@pytest.mark.parametrize("path", ["/partner/", "/partner/customers/import/"])
def test_customers_are_refused_the_partner_console(login, request, user_fixture, path):
    user = request.getfixturevalue(user_fixture)

    response = login(user).get(path)

    assert response.status_code == 403


@pytest.mark.parametrize("user_fixture", ["super_admin", "admin", "staff"])
def test_non_operators_are_sent_to_the_ops_login(login, request, user_fixture):
    user = request.getfixturevalue(user_fixture)

    response = login(user).get("/ops/")

    assert response.status_code == 302
    assert response.url == "/ops/login/?next=/ops/"


def test_operator_opens_ops(login, db):
    response = login(UserFactory(operator=True)).get("/ops/")

    assert response.status_code == 200
    assert "worksadmin ops" in response.content.decode()
