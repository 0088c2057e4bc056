"""Webhooks in a real browser: partner staff register the README's receiver, the customer
completes the switch in the wizard, and a receiver that answered 500 gets the event after
「再送」. Deliveries go through the database queue and `db_worker`, as in production."""

import re
import threading

import pytest
from playwright.sync_api import expect

from partners import services
from tests.factories import PartnerCodeFactory, WorksGroupFactory
from tests.webhooks.support import drain_queue
from tests.webhooks.test_signing import example

from .steps import WIZARD, bring_to_step, current_step, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def database_queue(settings):
    backend = {"BACKEND": "django_tasks_db.DatabaseBackend"}
    settings.TASKS = {"default": backend, "deferred": backend}
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def readme_receiver():
    server = example.Receiver(0, secret="set once the webhook is registered")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("database_queue")
def test_a_partner_registers_a_webhook_and_hears_the_switch_and_a_redelivery(
    new_page, screens, quiet_db, customer, abc_staff, readme_receiver
):
    partner = new_page("partner")
    log_in(partner, abc_staff.email)
    partner.get_by_role("link", name="Webhook").click()
    partner.get_by_label("URL").fill(readme_receiver.url)
    partner.get_by_role("button", name="登録").click()
    secret = partner.locator("#webhook-secret")
    expect(secret).to_have_text(re.compile(r"^whsec_[\w-]{40,}$"))
    readme_receiver.secret = secret.inner_text()
    screens.shot(partner, "registered-secret-shown-once")

    with quiet_db():
        bring_to_step(3, admin=customer, staff=abc_staff)  # code.verified
    admin = new_page("customer")
    log_in(admin, customer.email)
    admin.goto(WIZARD)
    admin.get_by_role("button", name="承認").click()
    admin.locator("#confirm-dialog").get_by_role("button", name="OK").click()
    expect(current_step(admin)).to_contain_text("パートナー契約への切り替え完了")
    with quiet_db():
        drain_queue()

    assert [event["type"] for event in readme_receiver.events] == [
        "code.verified",
        "switch.completed",
    ]
    assert readme_receiver.events[1]["data"]["domain"] == "mizl"

    readme_receiver.fail_first = 1
    with quiet_db():
        other = PartnerCodeFactory(works_group=WorksGroupFactory(domain="kaisha"))
        services.code_verify(
            partner=abc_staff.partner,
            staff=abc_staff,
            domain="kaisha",
            raw_code=other.code,
            show_profile=True,
        )
        drain_queue()
    partner.get_by_role("link", name="Webhook").click()
    partner.get_by_role("link", name=readme_receiver.url).click()
    log = partner.locator("table.deliveries")
    expect(log).to_contain_text("failing on purpose")
    expect(log).to_contain_text("500")
    screens.shot(partner, "a-failed-attempt-in-the-log")

    partner.get_by_role("button", name="code.verified を再送").first.click()
    expect(partner.get_by_role("status")).to_contain_text("イベントを再送します。")
    with quiet_db():
        drain_queue()
    partner.reload()
    expect(log.locator("tr").nth(1)).to_contain_text("配信済み")
    screens.shot(partner, "delivered-after-redelivery")
    assert [event["data"]["domain"] for event in readme_receiver.events] == [
        "mizl",
        "mizl",
        "kaisha",
    ]
