"""email_send: each outbox row is sent at most once; a failure is retried or shown."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from outbox.models import OutboundEmail
from outbox.tasks import email_send
from partners import services
from tests.factories import OutboundEmailFactory

from .flow import VERIFIED_AT

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def email(db):
    return OutboundEmailFactory(to=["owner@mizl.example"])


@pytest.fixture
def mail_server_down(monkeypatch):
    """The mail transport refuses every message with `error`."""

    def down(error: Exception):
        def send(self, fail_silently=False):
            raise error

        monkeypatch.setattr(EmailMultiAlternatives, "send", send)

    return down


def test_queued_email_is_sent_with_text_and_html(email, mailoutbox):
    email_send.enqueue(email.pk)

    email.refresh_from_db()
    [sent] = mailoutbox
    assert (sent.to, sent.subject, sent.body) == (email.to, email.subject, email.body_text)
    assert sent.alternatives[0].content == email.body_html
    assert (email.status, email.attempts, email.last_error) == ("SENT", 1, "")
    assert email.sent_at is not None


def test_sent_email_is_never_sent_twice(email, mailoutbox):
    email_send.enqueue(email.pk)
    email_send.enqueue(email.pk)

    email.refresh_from_db()
    assert len(mailoutbox) == 1
    assert email.attempts == 1


@pytest.mark.parametrize(
    "error",
    [smtplib.SMTPException("421 service not available"), OSError("connection refused")],
    ids=["smtp-error", "connection-error"],
)
def test_failed_send_without_a_deferring_backend_ends_failed(
    email, mailoutbox, mail_server_down, error
):
    mail_server_down(error)

    email_send.enqueue(email.pk)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == 1
    assert email.last_error == f"{type(error).__name__}: {error}"
    assert mailoutbox == []


def test_failed_row_can_be_sent_again_later(email, mailoutbox, monkeypatch, mail_server_down):
    mail_server_down(OSError("connection refused"))
    email_send.enqueue(email.pk)
    monkeypatch.undo()  # the server is back

    email_send.enqueue(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("SENT", 2, "")
    assert len(mailoutbox) == 1


def test_failed_send_is_retried_later_by_a_deferring_backend(settings, email, mail_server_down):
    settings.TASKS = DATABASE_TASKS
    settings.MAIL_RETRY_BASE_SECONDS = 30
    mail_server_down(smtplib.SMTPServerDisconnected("gone"))
    before = timezone.now()

    email_send.call(email.pk, 2)

    email.refresh_from_db()
    retry = DBTaskResult.objects.get()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.last_error == "SMTPServerDisconnected: gone"
    assert retry.args_kwargs == {"args": [email.pk, 3], "kwargs": {}}
    assert (
        before + timedelta(seconds=60) <= retry.run_after <= timezone.now() + timedelta(seconds=60)
    )


def test_last_attempt_ends_failed_and_is_not_retried(settings, email, mail_server_down):
    settings.TASKS = DATABASE_TASKS
    settings.MAIL_MAX_ATTEMPTS = 3
    mail_server_down(smtplib.SMTPServerDisconnected("gone"))

    email_send.call(email.pk, 3)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert not DBTaskResult.objects.exists()


def test_database_queue_commits_the_send_with_the_state_change(
    settings, code, partner, staff, mailoutbox
):
    """A transactional outbox: the task row is written in the verification's transaction."""
    settings.TASKS = DATABASE_TASKS

    services.code_verify(
        partner=partner,
        staff=staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
        now=VERIFIED_AT,
    )

    task = DBTaskResult.objects.get()
    assert task.task_path == "outbox.tasks.email_send"
    assert task.args_kwargs == {"args": [OutboundEmail.objects.get().pk], "kwargs": {}}
    assert mailoutbox == []
