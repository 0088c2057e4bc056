"""The cache is no single point of failure (issue 16, item 6).

Rate limits live in the cache. When it is unreachable, every request that needs it answers
503 with Retry-After (JSON on the API) instead of 500, a silent one costs a fraction of a
second, not 5 s, and /readyz says so.
"""

import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.test import Client

from partners.models import PartnerCode
from partners.tokens import api_token_create
from tests.factories import PASSWORD, PartnerCodeFactory, UserFactory

pytestmark = pytest.mark.django_db

API_CUSTOMERS = "/api/v1/partners/potential-customers/"


@pytest.fixture
def refusing_port():
    """A port that refuses connections: bound, never listening."""
    with socket.socket() as reservation:
        reservation.bind(("127.0.0.1", 0))
        yield reservation.getsockname()[1]


@pytest.fixture
def silent_port():
    """A port that accepts connections (into the backlog) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


def _redis_cache(settings, port: int, *, timeout: float | None = None) -> None:
    """The cache as the settings build it from CACHE_URL=redis://…, pointed at `port`."""
    timeout = timeout or django_settings.CACHE_TIMEOUT_SECONDS
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


@pytest.fixture(params=["refusing", "silent"])
def cache_down(request, settings):
    port = request.getfixturevalue(f"{request.param}_port")
    _redis_cache(settings, port, timeout=0.1)  # quicker than production's; see below
    return request.param


@pytest.fixture(autouse=True)
def _clear_cache():
    """The suite's own fixture clears the cache, which is down here."""
    yield


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


def _assert_unavailable(response):
    assert response.status_code == 503
    assert 1 <= int(response["Retry-After"]) <= 300


def test_a_correct_verification_through_the_api_answers_503_json(cache_down, browser):
    code = PartnerCodeFactory()
    _token, secret = api_token_create(staff=UserFactory(staff=True), name="基幹システム")

    response = browser.get(
        f"{API_CUSTOMERS}{code.works_group.domain}",
        {"partnerCode": code.code},
        headers={"Authorization": f"Bearer {secret}"},
    )

    _assert_unavailable(response)
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert response.json()["description"]


def test_the_import_page_answers_503_and_verifies_nothing(cache_down, browser):
    code = PartnerCodeFactory()
    browser.force_login(UserFactory(staff=True))

    response = browser.post(
        "/partner/customers/import/",
        {"domain": code.works_group.domain, "code": code.code, "confirm": "1"},
    )

    _assert_unavailable(response)
    assert "しばらくしてからもう一度お試しください" in response.text
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED


def test_the_log_in_page_answers_503(cache_down, browser, super_admin):
    response = browser.post("/login/", {"username": super_admin.email, "password": PASSWORD})

    _assert_unavailable(response)


def test_pages_that_need_no_cache_keep_working(cache_down, browser, super_admin):
    browser.force_login(super_admin)

    assert browser.get("/console/").status_code == 200


def test_a_silent_cache_costs_a_fraction_of_a_second(settings, silent_port, browser):
    _redis_cache(settings, silent_port)
    code = PartnerCodeFactory()
    _token, secret = api_token_create(staff=UserFactory(staff=True), name="基幹システム")

    started = time.monotonic()
    response = browser.get(
        f"{API_CUSTOMERS}{code.works_group.domain}",
        {"partnerCode": code.code},
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 503
    assert time.monotonic() - started < 2


def test_readyz_reports_the_cache(cache_down, client):
    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["cache"] in ("ConnectionError", "TimeoutError")


def test_production_settings_give_the_redis_cache_short_timeouts():
    probe = (
        "import json, worksadmin.settings as s\nprint(json.dumps(s.CACHES['default']['OPTIONS']))\n"
    )
    env = {"PATH": "", "SECRET_KEY": "probe", "CACHE_URL": "redis://127.0.0.1:6379/0"}
    done = subprocess.run(  # noqa: S603 - our own interpreter on a fixed probe
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
        env=env,
    )

    assert done.stdout.strip() == '{"socket_connect_timeout": 0.5, "socket_timeout": 0.5}'
