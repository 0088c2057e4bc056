"""Durable e-mail: a real SMTP server (aiosmtpd on 127.0.0.1), the django-tasks-db queue and
its `db_worker`.

The state change never waits on the mail server; the outbox row and its send task commit
(or roll back) with the change; a failed send is retried later with a growing delay; a sent
message is never sent again; a message that keeps failing ends FAILED, where an operator
sees it in /ops/ and can send it again.
"""

import email
import email.policy
import signal
import socket
from contextlib import contextmanager

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import AuditEvent
from outbox.models import OutboundEmail
from outbox.tasks import email_send
from partners import services
from partners.models import PartnerCode, PartnerContract
from tests.factories import PartnerCodeFactory, UserFactory, WorksGroupFactory
from tests.support import drain_queue
from worksadmin.settings import _mailer_from_url as production_mailer

from .support import postgresql_only, run_db_workers

pytestmark = pytest.mark.django_db(transaction=True)

RETRY_BASE_SECONDS = 60
SWITCH_COMPLETED_SUBJECT = "パートナー顧客としての登録が完了しました。"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, or refuses them all."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse:
            return "554 5.7.1 Message refused"
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


class MailServer:
    """An SMTP server on a port of its own, down until `start()`.

    While it is down the port stays bound but not listening, so a connection is refused
    and no other process can take the port in the meantime.
    """

    def __init__(self) -> None:
        self._reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._reservation.bind(("127.0.0.1", 0))
        self.port = self._reservation.getsockname()[1]
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._reservation.close()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        self._reservation.close()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self):
        return self.inbox.messages


@pytest.fixture
def mail_server(settings):
    """Production's wiring: the database queue and SMTP, pointed at a server that is down."""
    server = MailServer()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    settings.MAIL_RETRY_BASE_SECONDS = RETRY_BASE_SECONDS
    settings.MAIL_MAX_ATTEMPTS = 6
    yield server
    server.stop()


def pending_tasks():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY)


def let_retry_delays_pass() -> None:
    """Time passes: every deferred task becomes due (instead of sleeping through the delay)."""
    pending_tasks().update(run_after=timezone.now())


def _delay_seconds(task: DBTaskResult) -> float:
    """How long after it was queued a retry may run."""
    return (task.run_after - task.enqueued_at).total_seconds()


def _verified_code():
    code = PartnerCodeFactory(verified=True)
    return code.works_group, code.issued_by, code


# The outbox commits with the change ---------------------------------------------------


def test_a_state_change_commits_its_email_and_send_task_in_the_same_transaction(mail_server):
    group = WorksGroupFactory()
    admin = UserFactory(works_group=group)
    code = services.code_issue(works_group=group, by=admin)
    staff = UserFactory(staff=True)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.code_verify(
            partner=staff.partner,
            staff=staff,
            domain=group.domain,
            raw_code=code.code,
            show_profile=True,
        )
        # Inside the transaction the task row already exists: it cannot be lost between
        # the commit and a later enqueue, because there is no later enqueue.
        assert OutboundEmail.objects.count() == 1
        assert list(pending_tasks().values_list("args_kwargs", flat=True)) == [
            {"args": [OutboundEmail.objects.get().pk], "kwargs": {}}
        ]
        raise RuntimeError("the change fails after the e-mail was queued")

    assert OutboundEmail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.ISSUED


# Server down: the switch completes, the mail follows later ----------------------------


def test_switch_completes_while_the_mail_server_is_down_and_the_mail_arrives_later(
    mail_server, client
):
    group, admin, code = _verified_code()
    client.force_login(admin)

    response = client.post("/console/partner/contract/complete/")

    assert response.status_code == 302
    assert PartnerContract.objects.filter(works_group=group).exists()
    outbound = OutboundEmail.objects.get(template="switch_completed")
    assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.QUEUED, 0)
    assert pending_tasks().count() == 1  # committed with the contract

    drain_queue()  # the server is down

    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.QUEUED, 1)
    assert "ConnectionRefusedError" in outbound.last_error
    retry = pending_tasks().get()
    assert retry.args_kwargs == {"args": [outbound.pk, 2], "kwargs": {}}
    assert retry.run_after > timezone.now()
    assert _delay_seconds(retry) == pytest.approx(RETRY_BASE_SECONDS, abs=2)

    drain_queue()  # too early: the retry waits for its time
    outbound.refresh_from_db()
    assert outbound.attempts == 1

    mail_server.start()
    let_retry_delays_pass()
    drain_queue()

    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.SENT, 2)
    assert outbound.sent_at is not None and outbound.last_error == ""
    [message] = mail_server.messages
    assert message["Subject"] == SWITCH_COMPLETED_SUBJECT
    assert sorted(address.strip() for address in message["To"].split(",")) == sorted(
        [admin.email, code.verified_by.email]
    )
    assert {part.get_content_type() for part in message.walk()} >= {"text/plain", "text/html"}
    assert pending_tasks().count() == 0


def test_each_failed_attempt_waits_twice_as_long_as_the_one_before(mail_server):
    group, admin, _code = _verified_code()
    services.contract_complete(works_group=group, by=admin)

    delays = []
    for _attempt in range(3):
        drain_queue()
        delays.append(_delay_seconds(pending_tasks().get()))
        let_retry_delays_pass()

    expected = [RETRY_BASE_SECONDS, 2 * RETRY_BASE_SECONDS, 4 * RETRY_BASE_SECONDS]
    assert delays == pytest.approx(expected, abs=2)


# Sent once, never twice ---------------------------------------------------------------


def test_a_sent_message_is_never_sent_again(mail_server, client):
    mail_server.start()
    group, admin, _code = _verified_code()
    services.contract_complete(works_group=group, by=admin)
    drain_queue()
    outbound = OutboundEmail.objects.get()
    assert outbound.status == OutboundEmail.Status.SENT

    drain_queue()  # the worker runs again
    email_send.enqueue(outbound.pk)  # the task is queued again by hand
    email_send.enqueue(outbound.pk, 2)
    client.force_login(UserFactory(operator=True))
    response = client.post(  # an operator asks to re-send it
        "/ops/outbox/outboundemail/", {"action": "retry", "_selected_action": [outbound.pk]}
    )
    assert response.status_code == 302
    drain_queue()

    assert len(mail_server.messages) == 1
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.SENT, 1)


def test_a_message_queued_twice_before_it_was_sent_is_sent_once(mail_server):
    mail_server.start()
    group, admin, _code = _verified_code()
    services.contract_complete(works_group=group, by=admin)
    outbound = OutboundEmail.objects.get()
    email_send.enqueue(outbound.pk)  # a duplicate task for the same row

    drain_queue()

    assert len(mail_server.messages) == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2


@postgresql_only
def test_workers_sharing_the_queue_send_each_message_once(mail_server):
    """Several `db_worker`s (as on several machines) over duplicated tasks: one send each."""
    mail_server.start()
    for _ in range(5):
        group, admin, _code = _verified_code()
        services.contract_complete(works_group=group, by=admin)
    for outbound in OutboundEmail.objects.all():
        email_send.enqueue(outbound.pk)
        email_send.enqueue(outbound.pk)

    run_db_workers(4, timeout=30)

    assert pending_tasks().count() == 0
    assert len(mail_server.messages) == 5
    assert set(OutboundEmail.objects.values_list("status", "attempts")) == {
        (OutboundEmail.Status.SENT, 1)
    }


# A server that answers nothing -------------------------------------------------------


@pytest.fixture
def silent_server():
    """A port that accepts connections (the kernel completes them) and never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@contextmanager
def _deadline(seconds: int):
    """Interrupt the test if it is still waiting after `seconds` (a hang is the failure)."""

    def expire(signum, frame):
        raise TimeoutError(f"still waiting after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_production_smtp_settings_never_wait_forever():
    """EMAIL_URL alone (as production sets it) gives the SMTP connection a finite timeout."""
    options = production_mailer("smtp://mail.example:587")["OPTIONS"]

    assert 0 < options["timeout"] <= 60


def test_a_mail_server_that_never_answers_costs_one_timeout_and_a_retry(
    mail_server, settings, silent_server
):
    settings.MAILERS = {"default": production_mailer(f"smtp://127.0.0.1:{silent_server}?timeout=1")}
    group, admin, _code = _verified_code()
    services.contract_complete(works_group=group, by=admin)

    with _deadline(15):
        drain_queue()

    outbound = OutboundEmail.objects.get()
    assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.QUEUED, 1)
    assert "timed out" in outbound.last_error
    assert pending_tasks().get().run_after > timezone.now()


# Keeps failing: FAILED, visible and retryable in /ops/ --------------------------------


def test_a_message_that_keeps_failing_ends_failed_and_an_operator_can_send_it_again(
    mail_server, settings, client
):
    settings.MAIL_MAX_ATTEMPTS = 3
    mail_server.inbox.refuse = True
    mail_server.start()
    group, admin, _code = _verified_code()
    services.contract_complete(works_group=group, by=admin)

    for _attempt in range(settings.MAIL_MAX_ATTEMPTS):
        drain_queue()
        let_retry_delays_pass()

    outbound = OutboundEmail.objects.get()
    assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.FAILED, 3)
    assert "554" in outbound.last_error
    assert pending_tasks().count() == 0
    assert mail_server.messages == []

    client.force_login(UserFactory(operator=True))
    failed_list = client.get("/ops/outbox/outboundemail/", {"status__exact": "FAILED"})
    assert SWITCH_COMPLETED_SUBJECT in failed_list.text
    response = client.post(
        "/ops/outbox/outboundemail/",
        {"action": "retry", "_selected_action": [outbound.pk]},
        follow=True,
    )
    assert "1件のメールを再送します。" in response.text
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == (OutboundEmail.Status.QUEUED, 0)

    mail_server.inbox.refuse = False
    drain_queue()

    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.SENT
    assert [message["Subject"] for message in mail_server.messages] == [SWITCH_COMPLETED_SUBJECT]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_QUEUED).count() == 1
