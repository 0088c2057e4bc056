"""Building e-mails from templates and putting them in the outbox.

An e-mail is a row of `OutboundEmail` written in the caller's transaction, so it exists
exactly when the state change does; a task sends it after the commit (see tasks.py).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import AuditEvent, Partner, User, WorksGroup
from accounts.services import audit_record
from core.prepared import PreparedInsert
from core.tasks import enqueue_after_commit

from .models import OutboundEmail
from .tasks import email_send

_OUTBOUND_EMAILS = PreparedInsert(OutboundEmail)


def email_render(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text body and HTML body of `templates/emails/<template>_*`, in `language`."""
    context = {
        "site_url": settings.SITE_URL,
        "help_center_url": settings.HELP_CENTER_URL,
        **context,
    }
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
    subject, body_text, body_html = email_render(
        template=template, context=context, language=language
    )
    email = _OUTBOUND_EMAILS.create(
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
    enqueue_after_commit(email_send, email.pk)
    return email


def email_retry(*, email_ids: list[int]) -> int:
    """Send the given unsent e-mails again from their first attempt; returns how many."""
    ids = list(
        OutboundEmail.objects.filter(pk__in=email_ids)
        .exclude(status=OutboundEmail.Status.SENT)
        .values_list("pk", flat=True)
    )
    OutboundEmail.objects.filter(pk__in=ids).update(status=OutboundEmail.Status.QUEUED, attempts=0)
    for email_id in ids:
        enqueue_after_commit(email_send, email_id)
    return len(ids)
