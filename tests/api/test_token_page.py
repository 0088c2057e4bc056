"""/partner/tokens/: staff list, create (secret shown once) and revoke their partner's tokens."""

import hashlib

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from partners import errors
from partners.models import ApiToken
from partners.tokens import api_token_authenticate, api_token_create, api_token_revoke
from tests.factories import PartnerFactory, UserFactory
from tests.support import nothing_written

pytestmark = pytest.mark.django_db

URL = "/partner/tokens/"


def test_the_partner_console_menu_links_to_the_token_page(login, staff):
    content = login(staff).get("/partner/").content.decode()

    assert f'href="{URL}"' in content
    assert "APIトークン" in content


def test_the_token_page_is_for_partner_staff_only(client, login, super_admin):
    assert client.get(URL).status_code == 302
    assert login(super_admin).get(URL).status_code == 403


def test_creating_a_token_shows_its_secret_on_that_response_only(login, staff):
    client = login(staff)

    response = client.post(URL, {"name": "基幹システム"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    content = response.content.decode()
    assert secret.startswith("wa_") and secret in content
    assert "このトークンは今回だけ表示されます。" in content
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get(URL).content.decode()
    assert api_token_authenticate(secret) == token


def test_a_token_needs_a_name(login, staff):
    response = login(staff).post(URL, {"name": "  "})

    assert "field-error" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_the_partner_s_tokens_with_prefix_times_and_state(login, staff):
    used, used_secret = api_token_create(staff=staff, name="used one")
    api_token_authenticate(used_secret)
    revoked, _secret = api_token_create(staff=staff, name="revoked one")
    revoked.revoked_at = revoked.created_at
    revoked.save()
    other_partner = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))
    api_token_create(staff=other_partner, name="somebody else's")

    response = login(staff).get(URL)

    content = response.content.decode()
    used.refresh_from_db()
    assert list(response.context["page"]) == [revoked, used]
    assert f"{used.prefix}…" in content and f"{revoked.prefix}…" in content
    assert timezone.localtime(used.last_used_at).strftime("%Y-%m-%d %H:%M") in content
    assert "未使用" in content  # the revoked one was never used
    assert "無効化" in content
    assert "somebody else" not in content


def test_revoking_a_token_on_the_page(login, staff):
    token, secret = api_token_create(staff=staff, name="基幹システム")

    response = login(staff).post(reverse("partners:token-revoke", args=[token.pk]), follow=True)

    assert response.redirect_chain[-1][0] == URL
    assert "APIトークン「基幹システム」を無効にしました。" in response.content.decode()
    assert api_token_authenticate(secret) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count() == 1


def test_revoking_takes_a_post(login, staff):
    token, _secret = api_token_create(staff=staff, name="x")

    response = login(staff).get(reverse("partners:token-revoke", args=[token.pk]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_partner_s_token_is_a_404_and_stays_valid(login, staff):
    outsider = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))
    token, secret = api_token_create(staff=outsider, name="x")

    response = login(staff).post(reverse("partners:token-revoke", args=[token.pk]))

    assert response.status_code == 404
    assert api_token_authenticate(secret) == token


# Bounded (issue 16, item 8) -----------------------------------------------------------------


@pytest.fixture
def token_limit(settings):
    settings.API_TOKENS_PER_STAFF = 3
    return 3


def test_a_staff_member_holds_at_most_the_allowed_live_tokens(token_limit, staff):
    for index in range(token_limit):
        api_token_create(staff=staff, name=f"system {index}")

    with pytest.raises(errors.TokenLimitReached) as refused:
        api_token_create(staff=staff, name="one too many")

    assert "3個まで" in str(refused.value.message)
    assert ApiToken.objects.filter(created_by=staff).count() == token_limit


def test_the_page_refuses_a_token_over_the_limit_with_a_message(token_limit, login, staff):
    for index in range(token_limit):
        api_token_create(staff=staff, name=f"system {index}")
    client = login(staff)

    with nothing_written():
        response = client.post(URL, {"name": "one too many"})

    assert response.status_code == 200
    assert "3個まで" in response.text
    assert response.context["secret"] is None


def test_a_revoked_token_frees_its_place(token_limit, staff):
    tokens = [api_token_create(staff=staff, name=f"system {i}")[0] for i in range(token_limit)]
    api_token_revoke(token=tokens[0], by=staff)

    token, _secret = api_token_create(staff=staff, name="replacement")

    assert token.pk


def test_colleagues_have_their_own_allowance(token_limit, staff):
    for index in range(token_limit):
        api_token_create(staff=staff, name=f"system {index}")

    colleague = UserFactory(staff=True, partner=staff.partner)
    token, _secret = api_token_create(staff=colleague, name="colleague's system")

    assert token.created_by == colleague


def test_the_default_allowance_is_ten():
    assert django_settings.API_TOKENS_PER_STAFF == 10


def test_the_token_list_is_paginated(login, staff):
    for colleague_index in range(3):
        colleague = UserFactory(staff=True, partner=staff.partner)
        for index in range(10):
            api_token_create(staff=colleague, name=f"system {colleague_index}-{index}")
    client = login(staff)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(first.context["page"]) == 20
    assert first.context["page"].has_next()
    assert len(second.context["page"]) == 10
    assert "system 0-0" in second.text  # the oldest, on the last page
    assert "system 2-9" in first.text
