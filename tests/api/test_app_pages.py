"""The partner console's APIアプリ page: register an app, see its secret and private key once,
renew them, revoke it; another partner's app is a 404."""

import html
import json
import re

import pytest

from api.models import ApiApp
from api.services import AppCredentials, api_app_create
from tests.factories import PartnerFactory, UserFactory
from tests.support import nothing_written

from .oauth_support import sign_in

pytestmark = pytest.mark.django_db

APPS = "/partner/apps/"


def _credentials_json(page) -> dict:
    block = re.search(r'<pre id="app-credentials-json"[^>]*>(.*?)</pre>', page.text, re.S)
    return json.loads(html.unescape(block.group(1)))


def test_the_page_is_in_the_partner_console_menu(login, staff):
    page = login(staff).get(APPS)

    assert page.status_code == 200
    assert 'href="/partner/apps/" aria-current="page"' in page.text
    assert "APIアプリはまだありません。" in page.text


def test_registering_shows_the_secret_and_the_private_key_once(client, login, staff):
    browser = login(staff)

    page = browser.post(APPS, {"name": "基幹システム", "scopes": ["partner", "partner.read"]})

    assert page.status_code == 200
    assert "APIアプリ「基幹システム」を登録しました" in page.text
    printed = _credentials_json(page)
    assert printed["scope"] == "partner partner.read"
    assert printed["clientSecret"] in page.text
    assert "-----BEGIN PRIVATE KEY-----" in page.text
    app = ApiApp.objects.get(client_id=printed["clientId"])
    credentials = AppCredentials(
        app=app, client_secret=printed["clientSecret"], private_key=printed["privateKey"]
    )
    assert sign_in(client, credentials)["access_token"]  # what the page showed works

    later = browser.get(APPS)
    assert printed["clientSecret"] not in later.text
    assert "PRIVATE KEY" not in later.text
    assert app.client_id in later.text  # listed, with its service account
    assert app.service_account in later.text


def test_a_form_without_a_name_or_a_scope_says_what_is_missing(login, staff):
    browser = login(staff)

    with nothing_written():
        page = browser.post(APPS, {"name": "", "scopes": []})

    assert page.status_code == 200
    assert "OAuth Scopes を1つ以上選択してください。" in page.text
    assert "field-invalid" in page.text


def test_renewing_the_secret_shows_only_the_new_secret(login, staff, app_credentials):
    app = app_credentials.app

    page = login(staff).post(f"{APPS}{app.pk}/secret/")

    assert page.status_code == 200
    assert "Client Secret を再発行しました" in page.text
    secret = re.search(r'id="app-client-secret"[^>]*>([^<]+)<', page.text).group(1)
    assert secret != app_credentials.client_secret
    assert "PRIVATE KEY" not in page.text


def test_renewing_the_key_shows_only_the_new_private_key(login, staff, app_credentials):
    page = login(staff).post(f"{APPS}{app_credentials.app.pk}/key/")

    assert page.status_code == 200
    assert "Private Key を再発行しました" in page.text
    assert "-----BEGIN PRIVATE KEY-----" in page.text
    assert 'id="app-client-secret"' not in page.text


def test_revoking_the_app_lists_it_as_deleted(login, staff, app_credentials):
    browser = login(staff)

    response = browser.post(f"{APPS}{app_credentials.app.pk}/revoke/")

    assert response.status_code == 302
    page = browser.get(APPS)
    assert "APIアプリ「基幹システム連携」を削除しました。" in page.text
    assert "削除</span>" in page.text
    assert f"{APPS}{app_credentials.app.pk}/secret/" not in page.text


@pytest.mark.parametrize("action", ["secret", "key", "revoke"])
def test_another_partners_app_is_404_and_untouched(login, app_credentials, action):
    stranger = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))
    browser = login(stranger)

    with nothing_written():
        response = browser.post(f"{APPS}{app_credentials.app.pk}/{action}/")

    assert response.status_code == 404
    assert app_credentials.app.client_id not in browser.get(APPS).text


def test_a_revoked_app_cannot_be_renewed_from_a_stale_page(login, staff):
    created = api_app_create(staff=staff, name="古いアプリ", scopes=["partner"])
    browser = login(staff)
    browser.post(f"{APPS}{created.app.pk}/revoke/")

    with nothing_written():
        response = browser.post(f"{APPS}{created.app.pk}/secret/", follow=True)

    assert "このAPIアプリは削除されています。" in response.text
