"""The issue's "Done when", end to end: walk mizl's switch, `reset_demo`, walk it again with
the same demo log-ins; a sandbox customer made through the API previews, transfers and its
admin sees step 3; `expire-code` makes the next transfer 409 CODE_EXPIRED; with the sandbox
off the endpoint is a 404 and `reset_demo` refuses."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from partners.tokens import api_token_create

from .walk import MIZL, signed_in, walk_switch, wizard_step

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/sandbox/customers"
POTENTIAL = "/api/v1/partners/potential-customers"


@pytest.fixture
def bearer(demo):
    return {"Authorization": f"Bearer {api_token_create(staff=demo['abc_staff'], name='ci')[1]}"}


def _post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_walk_mizls_switch_reset_demo_and_walk_it_again_with_the_same_log_ins(demo):
    first, _browser = walk_switch(**MIZL)

    call_command("reset_demo", stdout=io.StringIO())

    assert wizard_step(signed_in(*MIZL["admin"])) == 1
    assert wizard_step(signed_in("viewer@mizl.example", "demo-viewer-pass")) == 1
    second, _browser = walk_switch(**MIZL)
    assert (first.works_group, second.works_group) == (demo["mizl"], demo["mizl"])
    assert second.pk != first.pk


def test_an_api_sandbox_customer_previews_transfers_and_its_admin_sees_step_3(client, bearer):
    created = _post(client, CUSTOMERS, {}, bearer).json()
    domain, code = created["domain"], created["partnerCode"]

    preview = client.get(f"{POTENTIAL}/{domain}", {"partnerCode": code}, headers=bearer)
    transfer = _post(
        client,
        f"{POTENTIAL}/{domain}/transfer",
        {"partnerCode": code, "enablePartnerProfileDisplay": True},
        bearer,
    )

    assert (preview.status_code, transfer.status_code) == (200, 202)
    assert wizard_step(signed_in(created["adminEmail"], created["adminPassword"])) == 3


def test_expire_code_makes_the_next_transfer_409_code_expired(client, bearer):
    created = _post(client, CUSTOMERS, {}, bearer).json()
    domain = created["domain"]

    assert _post(client, f"{CUSTOMERS}/{domain}/expire-code", {}, bearer).status_code == 200
    transfer = _post(
        client,
        f"{POTENTIAL}/{domain}/transfer",
        {"partnerCode": created["partnerCode"], "enablePartnerProfileDisplay": True},
        bearer,
    )

    assert (transfer.status_code, transfer.json()["code"]) == (409, "CODE_EXPIRED")


def test_with_the_sandbox_off_the_endpoint_is_404_and_reset_demo_refuses(bearer, settings):
    settings.SANDBOX = False

    assert _post(Client(), CUSTOMERS, {}, bearer).status_code == 404
    with pytest.raises(CommandError):
        call_command("reset_demo", stdout=io.StringIO())
