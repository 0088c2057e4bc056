"""`{{ csrf_input }}` is masked once per page, and the token it carries is the request's."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_every_form_of_a_page_carries_the_same_masked_token(client, super_admin):
    client.force_login(super_admin)

    page = client.get("/console/settings/company/").content.decode()

    tokens = TOKEN.findall(page)
    assert len(tokens) >= 2  # the header's log-out form and the page's own
    assert len(set(tokens)) == 1
    secret = _unmask_cipher_token(tokens[0])
    assert secret == client.cookies["csrftoken"].value  # the cookie holds the secret


def test_each_page_is_masked_afresh(client, super_admin):
    client.force_login(super_admin)

    first = TOKEN.findall(client.get("/console/").content.decode())[0]
    second = TOKEN.findall(client.get("/console/").content.decode())[0]

    assert first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second)
