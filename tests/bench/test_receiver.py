"""bench/receiver.py, the webhook scenario's endpoint: it counts a delivery only when the
app's own signature (webhooks/signing.py) verifies with the endpoint's secret."""

import time
import urllib.request

from bench.receiver import PATH, SIGNATURE_HEADER, Receiver, signature_valid
from webhooks.signing import secret_generate, signature_make

BODY = b'{"id":"e1","type":"switch.completed","data":{}}'


def test_a_signature_the_app_makes_verifies_and_nothing_else_does():
    now = int(time.time())  # the receiver, as documented, refuses a signature minutes old
    secret, other = secret_generate(), secret_generate()
    signed = signature_make(secrets=[secret], timestamp=now, body=BODY)
    rotating = signature_make(secrets=[other, secret], timestamp=now, body=BODY)

    assert signature_valid(signed, BODY, secret)
    assert signature_valid(rotating, BODY, secret)  # during a rotation: one v1= per secret
    assert not signature_valid(signed, BODY, other)
    assert not signature_valid(signed, BODY + b" ", secret)
    assert not signature_valid(signed.replace(f"t={now}", f"t={now + 1}"), BODY, secret)
    assert not signature_valid("", BODY, secret)


def post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the test's own local server
        url, data=body, headers={SIGNATURE_HEADER: signature}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status


def test_the_receiver_answers_200_and_counts_only_good_deliveries():
    receiver = Receiver()
    try:
        secret = secret_generate()
        receiver.expect(secret)
        now = int(time.time())
        good = signature_make(secrets=[secret], timestamp=now, body=BODY)
        forged = signature_make(secrets=[secret_generate()], timestamp=now, body=BODY)

        assert receiver.url.endswith(PATH)
        assert post(receiver.url, BODY, good) == 200
        assert post(receiver.url, BODY, good) == 200
        assert post(receiver.url, BODY, forged) == 200

        assert receiver.wait_for(2, timeout=5)
        assert (receiver.count, receiver.bad) == (2, 1)
        assert receiver.last_problem == "a signature that does not verify"
        assert not receiver.wait_for(3, timeout=0.1)
        receiver.expect(secret)  # the next run counts afresh
        assert (receiver.count, receiver.bad) == (0, 0)
    finally:
        receiver.stop()
