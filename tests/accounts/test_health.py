"""/healthz answers without the database; /readyz proves a database and a cache round trip
(the cache's outage: tests/reliability/test_cache_outage.py)."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response.content == b"ok"


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_readyz_makes_one_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_readyz_answers_503_when_the_database_is_down(client):
    with mock.patch(
        "core.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "OperationalError",
        "cache": "ok",
    }
    assert "no-cache" in response["Cache-Control"]
