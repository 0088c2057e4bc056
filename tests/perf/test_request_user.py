"""The signed-in user is loaded once, by the locale middleware, and pages read it directly:
`request.user` is the user itself, not the lazy wrapper each read had gone through (~50 a
page; docs/PERFORMANCE.md, ninth pass)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_page_reads_the_signed_in_user_itself(client, super_admin):
    client.force_login(super_admin)

    response = client.get("/console/")

    assert response.status_code == 200
    user = response.wsgi_request.user
    assert type(user) is User
    assert user.pk == super_admin.pk
    assert response.context["user"] is user  # the templates' `user` too


def test_a_visitor_is_anonymous_without_a_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/login/")

    assert response.status_code == 200
    assert type(response.wsgi_request.user) is AnonymousUser
    assert len(queries) == 0
