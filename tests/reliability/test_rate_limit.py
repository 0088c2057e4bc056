"""Failed verifications are rate-limited per staff member and per client address within the
partner, on the page and the API alike, with the local-memory cache of development and the
Redis of production. Only a wrong pair counts, and the count is taken before the attempt.

「Failed attempts are rate-limited per staff user and per client address (default 10 per
15 minutes, settings), answered with HTTP 429 and a message saying when to retry.」
"""

import os
import time
import uuid
from functools import partial

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

from accounts.models import AuditEvent
from api.services import api_app_create
from core import ratelimit
from partners import errors, services
from partners.models import PartnerCode
from partners.tokens import api_token_create
from tests.api.oauth_support import sign_in
from tests.factories import PartnerCodeFactory, PartnerFactory, UserFactory

from .support import run_concurrently, values_of

pytestmark = pytest.mark.django_db

# A database of its own, emptied by the tests (TEST_REDIS_URL lets parallel runs use others;
# each pytest-xdist worker counts down from it, so workers never empty each other's).
_BASE_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = (
    _BASE_REDIS_URL.rsplit("/", 1)[0] + f"/{int(_BASE_REDIS_URL.rsplit('/', 1)[1]) - _WORKER}"
)
IMPORT_PAGE = "/partner/customers/import/"
API_CUSTOMERS = "/api/v1/partners/potential-customers/"
WRONG_CODE = "ABCDEFGHJKLMNPQRSTUV"  # well-formed, never issued
LIMIT = 10
WINDOW_SECONDS = 15 * 60


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


@pytest.fixture
def limits(settings):
    """The documented defaults, whatever the environment says."""
    settings.VERIFY_RATE_LIMIT = LIMIT
    settings.VERIFY_RATE_WINDOW_SECONDS = WINDOW_SECONDS


def _use_local_memory(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"rate-limit-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture(params=["locmem", "redis"])
def rate_cache(request, settings, limits):
    """The counters' cache: local memory (the default) or Redis (CACHE_URL in production)."""
    if request.param == "locmem":
        _use_local_memory(settings)
        yield request.param
        return
    if not _redis_answers():
        pytest.skip(f"Redis at {REDIS_URL} does not answer (.ci/run starts one)")
    prefix = f"worksadmin-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield request.param
    # Only this test's keys: the database is shared with other test runs.
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def code(db):
    return PartnerCodeFactory()


@pytest.fixture
def browser(client):
    """The browser, signed in as a staff member (by default of a partner of their own).

    One test client throughout: each new one would set up the middleware again."""

    def sign_in(staff=None):
        client.force_login(staff or UserFactory(staff=True, partner=PartnerFactory()))
        return client

    return sign_in


def _preview(browser, *, domain, code, ip, confirm=False):
    form = {"domain": domain, "code": code, "show_profile": "on"}
    form["confirm" if confirm else "preview"] = "1"
    return browser.post(IMPORT_PAGE, form, REMOTE_ADDR=ip)


def _fail(browser, *, domain, ip):
    response = _preview(browser, domain=domain, code=WRONG_CODE, ip=ip)
    assert response.status_code == 200
    assert "組み合わせが正しくありません" in response.text
    return response


def _assert_limited(response):
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert WINDOW_SECONDS - 5 <= retry_after <= WINDOW_SECONDS + 1
    body = response.text if "json" not in response["Content-Type"] else response.json()
    message = body if isinstance(body, str) else body["description"]
    assert "15分後にもう一度お試しください" in message


# Per staff member --------------------------------------------------------------------


def test_a_staff_member_is_limited_after_ten_failures_from_any_address(rate_cache, code, browser):
    staff_browser = browser()
    domain = code.works_group.domain
    for attempt in range(LIMIT):
        _fail(staff_browser, domain=domain, ip=f"192.0.2.{attempt}")

    # Even the right pair, from an address never seen before, is refused and not verified.
    response = _preview(
        staff_browser, domain=domain, code=code.code, ip="192.0.2.200", confirm=True
    )

    _assert_limited(response)
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED
    # A colleague at another address is not held back by someone else's failures.
    colleague = browser(UserFactory(staff=True, partner=PartnerFactory()))
    assert _preview(colleague, domain=domain, code=code.code, ip="192.0.2.201").status_code == 200


def test_a_client_address_is_limited_after_ten_failures_by_the_partners_staff(
    rate_cache, code, browser
):
    domain = code.works_group.domain
    partner = PartnerFactory()
    for _attempt in range(LIMIT):
        _fail(browser(UserFactory(staff=True, partner=partner)), domain=domain, ip="198.51.100.7")

    fresh = browser(UserFactory(staff=True, partner=partner))
    _assert_limited(_preview(fresh, domain=domain, code=code.code, ip="198.51.100.7"))
    response = _preview(fresh, domain=domain, code=code.code, ip="198.51.100.8")
    assert response.status_code == 200
    assert code.works_group.domain in response.text  # the preview


def test_nine_failures_leave_the_tenth_attempt_open(limits, code, browser):
    staff_browser = browser()
    domain = code.works_group.domain
    for _attempt in range(LIMIT - 1):
        _fail(staff_browser, domain=domain, ip="192.0.2.1")

    response = _preview(staff_browser, domain=domain, code=code.code, ip="192.0.2.1", confirm=True)

    assert response.status_code == 302
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.VERIFIED


def test_successful_previews_never_count(limits, code, browser):
    staff_browser = browser()
    for _attempt in range(LIMIT + 1):
        response = _preview(
            staff_browser, domain=code.works_group.domain, code=code.code, ip="192.0.2.9"
        )
        assert response.status_code == 200


def test_refused_attempts_are_not_counted_or_audited_again(limits, code, browser):
    staff_browser = browser()
    domain = code.works_group.domain
    for _attempt in range(LIMIT):
        _fail(staff_browser, domain=domain, ip="192.0.2.1")
    first = _preview(staff_browser, domain=domain, code=WRONG_CODE, ip="192.0.2.1")
    for _attempt in range(5):
        _assert_limited(_preview(staff_browser, domain=domain, code=WRONG_CODE, ip="192.0.2.1"))

    _assert_limited(first)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.VERIFICATION_FAILED)
    assert failures.count() == LIMIT


# The window ----------------------------------------------------------------------------


def test_the_limit_lifts_when_the_window_closes(limits, settings, code, browser, monkeypatch):
    """Local memory, with the clock moved on instead of waiting fifteen minutes."""
    _use_local_memory(settings)
    staff_browser = browser()
    domain = code.works_group.domain
    for _attempt in range(LIMIT):
        _fail(staff_browser, domain=domain, ip="192.0.2.1")
    _assert_limited(_preview(staff_browser, domain=domain, code=code.code, ip="192.0.2.1"))

    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + WINDOW_SECONDS + 1)

    assert _preview(staff_browser, domain=domain, code=code.code, ip="192.0.2.1").status_code == 200


@pytest.mark.parametrize("rate_cache", ["redis"], indirect=True)
def test_redis_counters_expire_with_the_window(rate_cache, settings, code, browser):
    """In Redis the window is the keys' own expiry: nothing is left behind to lock anyone out."""
    prefix = settings.CACHES["default"]["KEY_PREFIX"]

    _fail(browser(), domain=code.works_group.domain, ip="192.0.2.1")

    server = redis.Redis.from_url(REDIS_URL)
    keys = [key for key in server.scan_iter(f"{prefix}:*") if b"verify-fail" in key]
    assert len(keys) == 2  # the count per staff member and per address
    assert all(0 < server.ttl(key) <= WINDOW_SECONDS for key in keys)


def test_a_redis_count_left_without_an_expiry_gets_one(rate_cache, settings):
    """A count that somehow has no expiry (written by hand, or by an older version) would
    be a lock that never lifts: the next attempt gives it the window."""
    if rate_cache != "redis":
        pytest.skip("Redis keeps the window as the count's expiry")
    key = "no-expiry:user:1"
    name = caches["default"].make_and_validate_key(key)
    server = redis.Redis.from_url(REDIS_URL)
    server.set(name, LIMIT)

    wait = ratelimit.acquire([key], limit=LIMIT, window=WINDOW_SECONDS)

    assert WINDOW_SECONDS - 5 <= wait <= WINDOW_SECONDS + 1
    assert 0 < server.ttl(name) <= WINDOW_SECONDS
    assert int(server.get(name)) == LIMIT  # the refused attempt's place was given back


def test_an_attempt_is_one_redis_round_trip_whatever_its_keys(rate_cache, monkeypatch):
    """Taking places under two keys and giving them back: one command each way (a script
    the server runs), not Django's five operations per key."""
    if rate_cache != "redis":
        pytest.skip("the local-memory cache has no round trips")
    sent = []
    original = redis.Redis.execute_command

    def counted(self, *args, **options):
        sent.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    keys = ["round-trips:user:1", "round-trips:address:1:192.0.2.9"]

    assert ratelimit.acquire(keys, limit=LIMIT, window=WINDOW_SECONDS) == 0
    ratelimit.release(keys)

    # EVALSHA, and EVAL or SCRIPT LOAD once if the server did not know the script yet
    assert sent.count("EVALSHA") == 2
    assert not set(sent) - {"EVALSHA", "EVAL", "SCRIPT LOAD"}
    assert caches["default"].get(keys[0]) == 0


# The API shares the counters --------------------------------------------------------------


def _api_get(client, secret, *, domain, code, ip):
    return client.get(
        f"{API_CUSTOMERS}{domain}",
        {"partnerCode": code},
        headers={"Authorization": f"Bearer {secret}"},
        REMOTE_ADDR=ip,
    )


def _api_transfer(client, secret, *, domain, code, ip):
    return client.post(
        f"{API_CUSTOMERS}{domain}/transfer",
        {"partnerCode": code, "enablePartnerProfileDisplay": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
        REMOTE_ADDR=ip,
    )


def test_the_api_limits_a_staff_members_token_after_ten_failures(rate_cache, code, client):
    staff = UserFactory(staff=True)
    _token, secret = api_token_create(staff=staff, name="基幹システム")
    domain = code.works_group.domain
    for attempt in range(LIMIT):
        response = _api_get(client, secret, domain=domain, code=WRONG_CODE, ip=f"192.0.2.{attempt}")
        assert response.status_code == 404

    response = _api_transfer(client, secret, domain=domain, code=code.code, ip="192.0.2.99")

    _assert_limited(response)
    assert response.json()["code"] == "TOO_MANY_REQUESTS"
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED


def test_the_api_limits_a_client_address_after_ten_failures(limits, code, client):
    domain = code.works_group.domain
    shared_address = "198.51.100.3"
    partner = PartnerFactory()
    for _attempt in range(LIMIT):
        staff = UserFactory(staff=True, partner=partner)
        _token, secret = api_token_create(staff=staff, name="system")
        failed = _api_get(client, secret, domain=domain, code=WRONG_CODE, ip=shared_address)
        assert failed.status_code == 404

    _token, secret = api_token_create(staff=UserFactory(staff=True, partner=partner), name="system")
    _assert_limited(_api_get(client, secret, domain=domain, code=code.code, ip=shared_address))
    elsewhere = _api_get(client, secret, domain=domain, code=code.code, ip="198.51.100.4")
    assert elsewhere.status_code == 200


def test_failures_on_the_page_and_the_api_add_up(limits, code, browser, client):
    staff = UserFactory(staff=True)
    _token, secret = api_token_create(staff=staff, name="基幹システム")
    staff_browser = browser(staff)
    domain = code.works_group.domain
    for attempt in range(LIMIT // 2):
        _fail(staff_browser, domain=domain, ip=f"192.0.2.{attempt}")
        _api_get(client, secret, domain=domain, code=WRONG_CODE, ip=f"192.0.2.{100 + attempt}")

    _assert_limited(_preview(staff_browser, domain=domain, code=code.code, ip="192.0.2.250"))
    _assert_limited(_api_get(client, secret, domain=domain, code=code.code, ip="192.0.2.251"))


def test_the_counters_live_in_the_cache_under_test(rate_cache):
    assert isinstance(caches["default"], RedisCache) == (rate_cache == "redis")


# OAuth access tokens share them too -----------------------------------------------------


def _oauth_token(client, staff) -> str:
    app = api_app_create(staff=staff, name="基幹システム連携", scopes=["partner"])
    return sign_in(client, app)["access_token"]


def test_an_app_is_limited_as_the_staff_member_who_registered_it(rate_cache, code, client):
    staff = UserFactory(staff=True)
    access_token = _oauth_token(client, staff)
    domain = code.works_group.domain
    for attempt in range(LIMIT):
        failed = _api_get(
            client, access_token, domain=domain, code=WRONG_CODE, ip=f"192.0.2.{attempt}"
        )
        assert failed.status_code == 404

    response = _api_transfer(client, access_token, domain=domain, code=code.code, ip="192.0.2.99")

    _assert_limited(response)
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED
    # …and so is the staff member's own personal token, and the page.
    _token, secret = api_token_create(staff=staff, name="基幹システム")
    _assert_limited(_api_get(client, secret, domain=domain, code=code.code, ip="192.0.2.98"))


def test_failures_through_an_app_and_on_the_page_add_up(limits, code, browser, client):
    staff = UserFactory(staff=True)
    access_token = _oauth_token(client, staff)
    staff_browser = browser(staff)
    domain = code.works_group.domain
    for attempt in range(LIMIT // 2):
        _fail(staff_browser, domain=domain, ip=f"192.0.2.{attempt}")
        _api_get(
            client, access_token, domain=domain, code=WRONG_CODE, ip=f"192.0.2.{100 + attempt}"
        )

    _assert_limited(_preview(staff_browser, domain=domain, code=code.code, ip="192.0.2.250"))


# Issue 16: the limit is no lever for denial of service ------------------------------------


def test_one_partners_failures_never_lock_out_another_partner_at_the_same_address(
    rate_cache, code, browser
):
    """Behind one proxy (TRUSTED_PROXIES=0) every partner shares an address."""
    domain = code.works_group.domain
    guesser = browser()
    for _attempt in range(LIMIT + 2):
        _preview(guesser, domain=domain, code=WRONG_CODE, ip="198.51.100.7")

    other_partner = browser(UserFactory(staff=True, partner=PartnerFactory()))
    response = _preview(other_partner, domain=domain, code=code.code, ip="198.51.100.7")

    assert response.status_code == 200
    assert code.works_group.domain in response.text  # the preview


def test_a_lost_race_or_a_retry_is_not_counted_as_a_guess(limits, code, browser):
    """「すでに認証済み」 after a timeout or a lost race reveals nothing: it never counts."""
    staff_browser = browser()
    domain = code.works_group.domain
    confirmed = _preview(staff_browser, domain=domain, code=code.code, ip="192.0.2.1", confirm=True)
    assert confirmed.status_code == 302

    for _attempt in range(2 * LIMIT):
        retry = _preview(staff_browser, domain=domain, code=code.code, ip="192.0.2.1", confirm=True)
        assert retry.status_code == 200
        assert "すでに認証済み" in retry.text
    assert _fail(staff_browser, domain=domain, ip="192.0.2.1").status_code == 200


def test_a_malformed_code_is_not_counted_as_a_guess(limits, code):
    """Nothing is looked up for a code that cannot exist, so it can reveal nothing."""
    staff = UserFactory(staff=True)
    attempt = {"partner": staff.partner, "staff": staff, "domain": code.works_group.domain}
    for _attempt in range(2 * LIMIT):
        with pytest.raises(errors.MalformedCodeInput):
            services.code_preview(**attempt, raw_code="not a code", client_ip="192.0.2.1")

    preview = services.code_preview(**attempt, raw_code=code.code, client_ip="192.0.2.1")

    assert preview.domain == code.works_group.domain


def test_a_burst_of_attempts_never_gets_more_than_the_limit(rate_cache):
    """Counted first, then decided: of 48 attempts at once, no more than 10 go ahead, and
    the places the refused ones took are given back for later attempts."""
    keys = ["burst:user:1", "burst:address:1:192.0.2.60"]
    acquire = partial(ratelimit.acquire, keys, limit=LIMIT, window=WINDOW_SECONDS)

    waits = values_of(run_concurrently([acquire] * 48))

    assert len(waits) == 48
    admitted = waits.count(0)
    assert 1 <= admitted <= LIMIT
    assert all(WINDOW_SECONDS - 5 <= wait <= WINDOW_SECONDS + 1 for wait in waits if wait)
    while acquire() == 0:
        admitted += 1
    assert admitted == LIMIT


def test_an_attempt_given_back_frees_its_place(rate_cache):
    keys = ["given-back:user:1"]
    for _attempt in range(LIMIT):
        assert ratelimit.acquire(keys, limit=LIMIT, window=WINDOW_SECONDS) == 0
    assert ratelimit.acquire(keys, limit=LIMIT, window=WINDOW_SECONDS) > 0

    ratelimit.release(keys)

    assert ratelimit.acquire(keys, limit=LIMIT, window=WINDOW_SECONDS) == 0


def test_a_place_taken_while_another_attempt_opens_the_window_is_never_given_away(rate_cache):
    """A burst on PostgreSQL with Redis once let 11 of 48 through: an attempt that found the
    count before the first attempt had written when its window closes started the count again
    from 1. Here three places are taken and the window's end is not written yet."""
    key = "burst:user:2"
    caches["default"].set(key, 3, WINDOW_SECONDS)

    admitted = 3
    while ratelimit.acquire([key], limit=LIMIT, window=WINDOW_SECONDS) == 0:
        admitted += 1

    assert admitted == LIMIT


def test_a_mark_is_remembered_for_its_window_only(rate_cache, settings):
    """`mark` (the log-in lock's audit, the token endpoint's pruning) is True once per
    window; `is_counted` sees what `acquire` counted."""
    assert ratelimit.mark("marked:1", window=WINDOW_SECONDS) is True
    assert ratelimit.mark("marked:1", window=WINDOW_SECONDS) is False
    assert ratelimit.mark("marked:2", window=WINDOW_SECONDS) is True
    assert not ratelimit.is_counted("counted:1")
    ratelimit.acquire(["counted:1"], limit=LIMIT, window=WINDOW_SECONDS)
    assert ratelimit.is_counted("counted:1")
    if rate_cache == "redis":
        server = redis.Redis.from_url(REDIS_URL)
        name = caches["default"].make_and_validate_key("marked:1")
        assert 0 < server.ttl(name) <= WINDOW_SECONDS
