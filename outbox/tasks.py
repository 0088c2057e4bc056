"""Sending outbox e-mails in the tasks worker."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

GONE = "GONE"  # what the task answers for an outbox row that no longer exists


@task
def email_send(email_id: int, attempt: int = 1) -> str:
    """Send one outbox e-mail at most once; on failure try again later, then give up visibly.

    django.tasks does not retry, so a failed attempt re-enqueues itself with a growing delay
    (when the backend can defer) until MAIL_MAX_ATTEMPTS, and then marks the row FAILED for
    an operator to see and retry in /ops/. A row removed before it was sent (a sandbox
    tenant's reset removes its outbox) is not sent, and the task ends quietly.
    """
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None:
            return GONE
        if email.status == OutboundEmail.Status.SENT:
            return email.status
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=email.to,
        )
        message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except OSError as exc:  # smtplib.SMTPException and connection errors are OSErrors
            email.last_error = f"{type(exc).__name__}: {exc}"
            retry = attempt < settings.MAIL_MAX_ATTEMPTS and _can_defer()
            email.status = OutboundEmail.Status.QUEUED if retry else OutboundEmail.Status.FAILED
            email.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("e-mail %s attempt %s failed: %s", email_id, attempt, email.last_error)
            if retry:
                delay = settings.MAIL_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
                email_send.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                    email_id, attempt + 1
                )
            return email.status
        email.status = OutboundEmail.Status.SENT
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return email.status


def _can_defer() -> bool:
    return email_send.get_backend().supports_defer
