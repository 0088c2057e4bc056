"""Building e-mails from templates and putting them in the outbox.

An e-mail is a row of `OutboundEmail` written in the caller's transaction, so it exists
exactly when the state change does; a task sends it after the commit (see tasks.py).
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import AuditEvent, Partner, User, WorksGroup
from accounts.services import audit_record

from .models import OutboundEmail


def render_email(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text body and HTML body of `templates/emails/<template>_*`, in `language`."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body_text = render_to_string(f"emails/{template}_body.txt", context)
        body_html = render_to_string(f"emails/{template}_body.html", context)
    return "".join(subject.splitlines()).strip(), body_text, body_html


def email_queue(
    *,
    template: str,
    to: list[str],
    context: dict,
    language: str,
    actor: User | None = None,
    works_group: WorksGroup | None = None,
    partner: Partner | None = None,
) -> OutboundEmail:
    """Write the e-mail to the outbox, audit it, and have it sent once the transaction commits."""
    subject, body_text, body_html = render_email(
        template=template, context=context, language=language
    )
    email = OutboundEmail.objects.create(
        template=template,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        works_group=works_group,
        partner=partner,
    )
    audit_record(
        action=AuditEvent.Action.EMAIL_QUEUED,
        actor=actor,
        works_group=works_group,
        partner=partner,
        details={"template": template, "email_id": email.pk, "recipients": len(to)},
    )
    email_enqueue_send(email.pk)
    return email


def email_enqueue_send(email_id: int) -> None:
    """Queue the send task so that it can never run before the outbox row is committed.

    A database-backed queue shares our transaction (a transactional outbox: the task row
    commits or rolls back with the change); any other backend is enqueued after commit.
    """
    from .tasks import send_outbound_email

    if _backend_shares_our_database():
        send_outbound_email.enqueue(email_id)
    else:
        transaction.on_commit(lambda: send_outbound_email.enqueue(email_id))


def _backend_shares_our_database() -> bool:
    from django_tasks_db.backend import DatabaseBackend

    from .tasks import send_outbound_email

    # The task's own backend, not `django.tasks.default_task_backend`: that is a proxy,
    # and isinstance() on a proxy is always False.
    return isinstance(send_outbound_email.get_backend(), DatabaseBackend)
