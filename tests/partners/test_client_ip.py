import pytest
from django.test import RequestFactory

from core.ratelimit import client_ip


@pytest.fixture
def request_from(rf: RequestFactory):
    def build(remote_addr: str, forwarded: str | None = None):
        headers = {"REMOTE_ADDR": remote_addr}
        if forwarded is not None:
            headers["HTTP_X_FORWARDED_FOR"] = forwarded
        return rf.get("/", **headers)

    return build


def test_without_proxies_the_socket_address_counts_and_the_header_is_ignored(request_from):
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_one_proxy_the_address_it_saw_counts(request_from, settings):
    settings.TRUSTED_PROXIES = 1
    request = request_from("10.0.0.2", "198.51.100.1, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_behind_two_proxies_a_forged_left_entry_is_ignored(request_from, settings):
    settings.TRUSTED_PROXIES = 2
    request = request_from("10.0.0.3", "1.2.3.4, 203.0.113.7, 10.0.0.2")
    assert client_ip(request) == "203.0.113.7"


def test_a_short_header_falls_back_to_the_socket_address(request_from, settings):
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request_from("10.0.0.3", "203.0.113.7")) == "10.0.0.3"
