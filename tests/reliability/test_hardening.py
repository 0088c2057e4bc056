"""Production hardening: with DEBUG off the settings pass `check --deploy` without a warning,
and every response carries the security headers and cookies a real console needs; no page
needs an inline script (the Content-Security-Policy forbids them)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import mailers
from django.test import Client

from tests.factories import PASSWORD, UserFactory
from worksadmin.settings import _mailer_from_url as production_mailer

from .pages import parse

BASE_DIR = Path(django_settings.BASE_DIR)
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "worksadmin.settings",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "example.com",
    "SITE_URL": "https://example.com",
    "EMAIL_URL": "smtp://127.0.0.1:25",
}
HARDENING_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "X_FRAME_OPTIONS",
]


def _production(*args: str, **overrides: str) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with the production environment and nothing else.

    Not this process's environment: the test settings put test values in it.
    """
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        **PRODUCTION_ENV,
        **overrides,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def production_run() -> subprocess.CompletedProcess:
    """`manage.py check --deploy` in production's environment, then the hardening settings
    exactly as production computes them (as JSON, on the last line)."""
    script = (
        "import django, json; django.setup(); "
        "from django.conf import settings; from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING'); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {HARDENING_SETTINGS!r}}}))"
    )
    return _production("-c", script)


@pytest.fixture(scope="module")
def production_settings(production_run) -> dict:
    assert production_run.returncode == 0, production_run.stderr
    return json.loads(production_run.stdout.strip().splitlines()[-1])


def test_production_settings_pass_check_deploy_without_a_warning(production_run):
    output = production_run.stdout + production_run.stderr

    assert production_run.returncode == 0, output
    assert "System check identified no issues" in output


def test_production_settings_turn_every_hardening_on(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["SECURE_HSTS_PRELOAD"] is True
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["LANGUAGE_COOKIE_SECURE"] is True
    assert production_settings["LANGUAGE_COOKIE_HTTPONLY"] is True
    assert production_settings["LANGUAGE_COOKIE_SAMESITE"] == "Lax"
    assert production_settings["X_FRAME_OPTIONS"] == "DENY"
    assert production_settings["SECURE_REFERRER_POLICY"] == "same-origin"
    assert production_settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_the_development_secret_key_fails_the_deploy_check():
    result = _production(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="dev-only-insecure-key",
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.fixture
def production(settings, production_settings):
    """This process's settings, hardened as in production (the test settings keep .env's)."""
    for name, value in production_settings.items():
        if name == "DEBUG":
            continue
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    return settings


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(production, client):
    response = client.get("/login/", secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_probes(production, client):
    response = client.get("/login/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    behind_proxy = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.status_code == 200


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_the_session_is_http_only(production, client):
    user = UserFactory()
    client.get("/login/", secure=True)
    response = client.post("/login/", {"username": user.email, "password": PASSWORD}, secure=True)

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"]


def test_no_page_needs_an_inline_script_handler_or_style(rendered_pages):
    """script-src and style-src are 'self' only: anything inline would be blocked."""
    assert len(rendered_pages) > 20
    offending = {}
    for label, html in rendered_pages:
        page = parse(html)
        found = (
            page.inline_scripts + page.event_handlers + page.javascript_urls + page.inline_styles
        )
        if found:
            offending[label] = found
    assert offending == {}


# EMAIL_URL -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://user:pass@mail.example:587/?tls=True", {"use_tls": True}),
        ("smtp+tls://user:pass@mail.example:587", {"use_tls": True}),
        ("smtp+ssl://user:pass@mail.example:465", {"use_ssl": True}),
        ("smtp://mail.example:25/?timeout=5", {"timeout": 5}),
    ],
)
def test_email_url_options_reach_the_smtp_connection(settings, url, expected):
    """README's `smtp://user:pass@host:587/?tls=True` must really turn STARTTLS on: the
    password must not cross the network in clear."""
    settings.MAILERS = {"default": production_mailer(url)}

    connection = mailers.default

    assert {option: getattr(connection, option) for option in expected} == expected


def test_an_unknown_email_url_option_stops_the_start():
    with pytest.raises(ImproperlyConfigured, match="tsl"):
        production_mailer("smtp://mail.example:587/?tsl=True")


# Cache-Control (issue 16, item 8) -------------------------------------------------------------

NO_STORE_PAGES = [
    (None, "/login/"),
    ("super_admin", "/console/"),
    ("super_admin", "/console/settings/company/"),
    ("super_admin", "/console/audit/"),
    ("super_admin", "/console/partner/search/"),
    ("super_admin", "/console/partner/contract/"),
    ("staff", "/partner/"),
    ("staff", "/partner/customers/import/"),
    ("staff", "/partner/tokens/"),
    ("operator", "/ops/"),
    ("operator", "/ops/accounts/auditevent/"),
    (None, "/api/v1/no-such-endpoint"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "path"), NO_STORE_PAGES)
def test_no_page_is_kept_by_a_browser_or_proxy_cache(client, who, path):
    if who is not None:
        kind = {"operator": {"operator": True}, "staff": {"staff": True}}.get(who, {})
        client.force_login(UserFactory(**kind))

    response = client.get(path)

    assert response.status_code in (200, 404)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_static_files_stay_cacheable(settings):
    settings.WHITENOISE_USE_FINDERS = True  # no collectstatic in the tests

    response = Client().get("/static/css/console.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
