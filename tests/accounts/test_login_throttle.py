"""Log-in throttling on /login/ and /ops/login/ (issue 16, item 1).

At most LOGIN_RATE_LIMIT (10) failures per account and per client address in
LOGIN_RATE_WINDOW_SECONDS (15 minutes); then every attempt is refused until the window
closes, the right password too, without hashing anything. The address counts accounts,
not attempts, and a browser that has signed in to an account before is counted on its
own: one user's failures never lock out another user.
"""

import time

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from accounts.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 10
WINDOW_SECONDS = 15 * 60
LOCKED = "ログインの失敗が続いたため、一時的にログインを制限しています。"
WRONG_LOGIN = "メールアドレスまたはパスワードが正しくありません。"


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast), counting how often a password is hashed."""

    algorithm = "counting_md5"
    computed = 0

    def encode(self, password, salt):
        CountingHasher.computed += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_RATE_LIMIT = LIMIT
    settings.LOGIN_RATE_WINDOW_SECONDS = WINDOW_SECONDS


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_login_throttle.CountingHasher"]
    CountingHasher.computed = 0
    return CountingHasher


def _browser(ip: str = "192.0.2.1") -> Client:
    return Client(REMOTE_ADDR=ip)


def _log_in(browser, email, password=PASSWORD, path="/login/"):
    return browser.post(path, {"username": email, "password": password})


def _fail(browser, email, path="/login/"):
    response = _log_in(browser, email, "wrong-password", path)
    assert response.status_code == 200, response.status_code
    return response


def _assert_locked(response):
    assert response.status_code == 429
    assert WINDOW_SECONDS - 5 <= int(response["Retry-After"]) <= WINDOW_SECONDS + 1
    assert LOCKED in response.text
    assert "15分後にもう一度お試しください" in response.text


# The account -----------------------------------------------------------------------------


def test_an_account_is_refused_after_ten_failures_even_with_the_right_password(super_admin):
    for attempt in range(LIMIT):
        _fail(_browser(f"192.0.2.{attempt}"), super_admin.email)

    browser = _browser("198.51.100.1")
    response = _log_in(browser, super_admin.email)

    _assert_locked(response)
    assert not get_user(browser).is_authenticated


def test_nine_failures_leave_the_right_password_working(super_admin):
    for _attempt in range(LIMIT - 1):
        _fail(_browser(), super_admin.email)

    browser = _browser()
    assert _log_in(browser, super_admin.email).status_code == 302
    assert get_user(browser) == super_admin


def test_case_variants_of_an_email_are_one_account(super_admin):
    for attempt in range(LIMIT):
        _fail(_browser(f"192.0.2.{attempt}"), super_admin.email.upper())

    _assert_locked(_log_in(_browser("198.51.100.1"), super_admin.email))


def test_refused_attempts_compute_no_password_hash(super_admin, counting_hasher):
    for _attempt in range(LIMIT):
        _fail(_browser(), super_admin.email)
    counting_hasher.computed = 0

    for password in (PASSWORD, "wrong-password"):
        _assert_locked(_log_in(_browser("198.51.100.1"), super_admin.email, password))

    assert counting_hasher.computed == 0


def test_successful_log_ins_never_count(super_admin):
    for _attempt in range(LIMIT + 2):
        assert _log_in(_browser(), super_admin.email).status_code == 302


def test_the_limit_lifts_when_the_window_closes(super_admin, monkeypatch):
    for _attempt in range(LIMIT):
        _fail(_browser(), super_admin.email)
    _assert_locked(_log_in(_browser(), super_admin.email))

    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + WINDOW_SECONDS + 1)

    assert _log_in(_browser(), super_admin.email).status_code == 302


# One user's failures never lock out another -------------------------------------------------


def test_one_users_failures_never_lock_out_a_colleague_at_the_same_address(group):
    alice, bob = UserFactory(works_group=group), UserFactory(works_group=group, admin=True)
    office = _browser("203.0.113.10")
    for _attempt in range(LIMIT + 5):
        _log_in(office, alice.email, "wrong-password")

    colleague = _browser("203.0.113.10")
    response = _log_in(colleague, bob.email)

    assert response.status_code == 302
    assert get_user(colleague) == bob


def test_an_address_failing_on_ten_accounts_is_refused(group):
    sprayed = [UserFactory(works_group=group, admin=True) for _ in range(LIMIT)]
    victim = UserFactory(works_group=group, admin=True)
    for user in sprayed:
        _fail(_browser("203.0.113.66"), user.email)

    _assert_locked(_log_in(_browser("203.0.113.66"), victim.email))
    assert _log_in(_browser("203.0.113.67"), victim.email).status_code == 302


def test_a_browser_that_signed_in_before_is_not_locked_out_by_anothers_guesses(super_admin):
    own = _browser("203.0.113.10")
    assert _log_in(own, super_admin.email).status_code == 302
    own.post("/logout/")
    for attempt in range(LIMIT + 5):
        _log_in(_browser(f"198.51.100.{attempt}"), super_admin.email, "wrong-password")
    _assert_locked(_log_in(_browser("203.0.113.11"), super_admin.email))

    response = _log_in(own, super_admin.email)

    assert response.status_code == 302
    assert get_user(own) == super_admin


def test_a_browser_that_signed_in_before_is_still_limited_on_its_own(super_admin):
    own = _browser("203.0.113.10")
    _log_in(own, super_admin.email)
    own.post("/logout/")
    for _attempt in range(LIMIT):
        _fail(own, super_admin.email)

    _assert_locked(_log_in(own, super_admin.email))


def test_another_accounts_cookie_gives_no_way_around_the_limit(super_admin, admin):
    attacker = _browser("198.51.100.1")
    _log_in(attacker, admin.email)
    attacker.post("/logout/")
    for _attempt in range(LIMIT):
        _fail(_browser(), super_admin.email)

    _assert_locked(_log_in(attacker, super_admin.email))


# /ops/login/ -------------------------------------------------------------------------------


def test_the_ops_login_is_throttled_too(db):
    operator = UserFactory(operator=True)
    for attempt in range(LIMIT):
        _fail(_browser(f"192.0.2.{attempt}"), operator.email, path="/ops/login/")

    browser = _browser("198.51.100.1")
    response = _log_in(browser, operator.email, path="/ops/login/")

    _assert_locked(response)
    assert not get_user(browser).is_authenticated


def test_failures_on_both_log_in_pages_add_up(db):
    operator = UserFactory(operator=True)
    for attempt in range(LIMIT // 2):
        _fail(_browser(f"192.0.2.{attempt}"), operator.email)
        _fail(_browser(f"192.0.2.{attempt}"), operator.email, path="/ops/login/")

    _assert_locked(_log_in(_browser(), operator.email, path="/ops/login/"))
    _assert_locked(_log_in(_browser(), operator.email))


def test_the_ops_login_still_works(db):
    operator = UserFactory(operator=True)
    browser = _browser()

    response = _log_in(browser, operator.email, path="/ops/login/")

    assert response.status_code == 302
    assert get_user(browser) == operator


# The audit trail -------------------------------------------------------------------------


def test_every_failed_log_in_is_audited_for_the_accounts_group(super_admin):
    _fail(_browser("192.0.2.7"), super_admin.email)
    _fail(_browser("192.0.2.8"), super_admin.email, path="/ops/login/")

    events = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert events.count() == 2
    assert {event.works_group for event in events} == {super_admin.works_group}
    assert {event.actor_label for event in events} == {super_admin.email}
    assert {event.details["ip"] for event in events} == {"192.0.2.7", "192.0.2.8"}


def test_a_failure_on_an_unknown_email_is_audited_for_no_tenant(db):
    _fail(_browser(), "nobody@example.com")

    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert (event.works_group, event.partner, event.actor) == (None, None, None)
    assert event.actor_label == "nobody@example.com"


def test_the_lock_is_audited_once_per_window(super_admin):
    for _attempt in range(LIMIT):
        _fail(_browser(), super_admin.email)
    for _attempt in range(5):
        _assert_locked(_log_in(_browser(), super_admin.email))

    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == LIMIT
    locked = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_LOCKED)
    assert locked.works_group == super_admin.works_group


def test_the_group_sees_failed_log_ins_in_its_audit_log(login, super_admin, admin):
    _fail(_browser(), admin.email)

    content = login(super_admin).get("/console/audit/").text

    assert "ログイン失敗" in content
    assert admin.email in content
