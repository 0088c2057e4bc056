"""Signatures verify with the documented recipe (docs/examples/webhook_receiver.py) against
real deliveries; a tampered body, an old timestamp or a wrong secret fail it. Secrets are
stored encrypted, shown once and never logged."""

import importlib.util
import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings as django_settings
from django.utils import timezone

from accounts.models import AuditEvent
from core.tasks import background_wait
from tests.partners.flow import verify
from tests.support import db_state
from webhooks import signing
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create, webhook_secret_rotate

EXAMPLE = Path(django_settings.BASE_DIR) / "docs/examples/webhook_receiver.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


example = _load_example()


@pytest.fixture
def example_receiver():
    """The README's receiver, on a free port, with the secret it will be given."""
    servers = []

    def start(secret: str, **kwargs):
        server = example.Receiver(0, secret, **kwargs)
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/hooks"


def _signed(secret: str, body: bytes, at: float | None = None) -> str:
    return signing.signature_make(secrets=[secret], timestamp=int(at or time.time()), body=body)


# The recipe ------------------------------------------------------------------------------


def test_the_recipe_accepts_a_signature_made_with_the_secret():
    body = b'{"id":"1","type":"code.verified"}'

    assert example.verify("whsec_s", _signed("whsec_s", body), body)


def test_the_recipe_refuses_a_tampered_body():
    body = b'{"id":"1","type":"code.verified"}'

    header = _signed("whsec_s", body)

    assert not example.verify("whsec_s", header, body.replace(b"verified", b"declined"))


def test_the_recipe_refuses_a_timestamp_older_than_five_minutes():
    body = b"{}"

    assert example.verify("whsec_s", _signed("whsec_s", body, time.time() - 290), body)
    assert not example.verify("whsec_s", _signed("whsec_s", body, time.time() - 310), body)
    assert not example.verify("whsec_s", _signed("whsec_s", body, time.time() + 310), body)


def test_the_recipe_refuses_another_secret_and_a_malformed_header():
    body = b"{}"
    header = _signed("whsec_s", body)

    assert not example.verify("whsec_other", header, body)
    assert not example.verify("whsec_s", header.split(",")[1], body)  # no t=
    assert not example.verify("whsec_s", f"t=abc,{header.split(',')[1]}", body)
    assert not example.verify("whsec_s", "", body)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    header = signing.signature_make(secrets=["key"], timestamp=1678800000, body=b"{}")

    # echo -n '1678800000.{}' | openssl dgst -sha256 -hmac key
    assert header == (
        "t=1678800000,v1=f636baa011f0af600cd15c3da06a611777ea648957353454860ceec76069005f"
    )


def test_the_readme_shows_the_receivers_own_verify():
    readme = (Path(django_settings.BASE_DIR) / "README.md").read_text()
    blocks = [block.split("```", 1)[0] for block in readme.split("```python\n")[1:]]
    [snippet] = [block for block in blocks if block.startswith("def verify(")]

    assert snippet in EXAMPLE.read_text()
    assert len(snippet.splitlines()) <= 10


# Real deliveries ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_real_delivery_verifies_with_the_readme_receiver(staff, open_code, example_receiver):
    endpoint, secret = webhook_endpoint_create(
        staff=staff, url="http://placeholder.test/", events=["code.verified"]
    )
    server = example_receiver(secret)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=_url(server))
    code = open_code()

    verify(staff, code=code, show_profile=True, now=None)
    background_wait()

    [event] = server.events
    assert event["type"] == "code.verified"
    assert event["data"]["domain"] == code.works_group.domain
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_a_receiver_with_the_wrong_secret_refuses_the_delivery(staff, open_code, example_receiver):
    server = example_receiver("whsec_not-the-endpoints-secret")
    webhook_endpoint_create(staff=staff, url=_url(server), events=["code.verified"])

    verify(staff, code=open_code(), show_profile=True, now=None)
    background_wait()

    assert server.events == []
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (WebhookDelivery.Status.FAILED, 401)


@pytest.mark.django_db(transaction=True)
def test_during_a_rotation_both_secrets_verify_and_after_it_only_the_new_one(
    staff, open_code, example_receiver, receiver, settings
):
    endpoint, old_secret = webhook_endpoint_create(
        staff=staff, url=receiver.url, events=["code.verified"]
    )
    endpoint, new_secret = webhook_secret_rotate(endpoint=endpoint, by=staff)

    verify(staff, code=open_code(), show_profile=True, now=None)
    background_wait()
    request = receiver.wait_for(1)[0]
    assert example.verify(new_secret, request.signature, request.body)
    assert example.verify(old_secret, request.signature, request.body)

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    verify(staff, code=open_code(), show_profile=True, now=None)
    background_wait()
    request = receiver.wait_for(2)[1]
    assert request.signature.count("v1=") == 1
    assert example.verify(new_secret, request.signature, request.body)
    assert not example.verify(old_secret, request.signature, request.body)


# Secrets at rest and in logs ------------------------------------------------------------


@pytest.mark.django_db
def test_the_secret_is_stored_encrypted_and_decrypts_to_the_one_shown(staff):
    endpoint, secret = webhook_endpoint_create(
        staff=staff, url="https://hooks.partner.example/", events=["code.verified"]
    )

    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret not in str(db_state())
    assert signing.secret_decrypt(endpoint.secret_encrypted) == secret


def test_a_configured_key_encrypts_and_secrets_from_before_still_decrypt(settings):
    before = signing.secret_encrypt("whsec_from-before")
    settings.WEBHOOK_SECRET_KEYS = [Fernet.generate_key().decode()]

    after = signing.secret_encrypt("whsec_after")

    assert signing.secret_decrypt(before) == "whsec_from-before"
    assert signing.secret_decrypt(after) == "whsec_after"
    settings.WEBHOOK_SECRET_KEYS = []
    with pytest.raises(InvalidToken):  # only the configured key can read it
        signing.secret_decrypt(after)


def test_a_key_fernet_cannot_use_stops_start_up(settings):
    settings.WEBHOOK_SECRET_KEYS = ["not-a-key"]

    [problem] = signing.check_secret_keys(None)

    assert problem.id == "webhooks.E001"


@pytest.mark.django_db(transaction=True)
def test_the_secret_is_never_logged_nor_audited(staff, open_code, receiver, caplog):
    caplog.set_level(logging.DEBUG)
    endpoint, secret = webhook_endpoint_create(
        staff=staff, url=receiver.url, events=["code.verified"]
    )
    _endpoint, rotated = webhook_secret_rotate(endpoint=endpoint, by=staff)

    verify(staff, code=open_code(), show_profile=True, now=None)
    background_wait()

    receiver.wait_for(1)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "webhook delivery" in logged
    audited = str(list(AuditEvent.objects.values_list("details", flat=True)))
    for value in (secret, rotated):
        assert value not in logged
        assert value not in audited
