"""How an answer is judged and how long a retry waits (the rules, without a network)."""

from datetime import timedelta

import pytest

from webhooks import delivery, transport


def _answer(status: int, body: bytes = b"", *, truncated=False, retry_after=None):
    return transport.Response(status, body, truncated, retry_after)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_2xx_succeeds(status):
    assert delivery.result_of_response(_answer(status)).outcome == "SUCCEEDED"


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_5xx_408_and_429_are_retried(status):
    assert delivery.result_of_response(_answer(status)).outcome == "RETRY"


@pytest.mark.parametrize("status", [100, 301, 302, 307, 400, 401, 403, 404, 409, 410, 422])
def test_every_other_answer_is_final(status):
    assert delivery.result_of_response(_answer(status)).outcome == "FAILED"


def test_a_refused_url_is_final_and_a_network_error_is_retried():
    blocked = delivery.result_of_error(transport.BlockedDestination(transport.PRIVATE_ADDRESS))
    network = delivery.result_of_error(transport.TransportError("ConnectionRefusedError: …"))

    assert (blocked.outcome, network.outcome) == ("FAILED", "RETRY")
    assert blocked.error == str(transport.PRIVATE_ADDRESS)


def test_the_excerpt_keeps_the_first_500_characters():
    result = delivery.result_of_response(_answer(500, ("あ" * 600).encode(), truncated=True))

    assert result.excerpt == "あ" * 500 + "…"


def test_an_answer_that_is_not_utf8_still_makes_an_excerpt():
    assert delivery.result_of_response(_answer(500, b"\xff\xfeok")).excerpt.endswith("ok")


@pytest.mark.parametrize(
    ("retry_after", "expected"), [(None, None), ("120", 120), ("99999", 3600), ("soon", None)]
)
def test_retry_after_in_seconds_is_read_and_capped(retry_after, expected):
    answer = _answer(429, retry_after=retry_after)

    assert delivery.result_of_response(answer).retry_after == expected


def test_each_retry_waits_twice_as_long_unless_the_receiver_asks_for_longer(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60

    assert [delivery.retry_delay(n, None) for n in (1, 2, 3)] == [
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(seconds=240),
    ]
    assert delivery.retry_delay(1, 600) == timedelta(seconds=600)
    assert delivery.retry_delay(3, 30) == timedelta(seconds=240)
