"""監査 CSV exports: what a request does (start one, list them, hand out a finished file).

An export at 300,000 events took ~12 s inside the request, and three slow readers held
every sync worker until gunicorn killed them, leaving truncated files. Now a request only
records what to export and queues a task (accounts.tasks → accounts.export_writer) that
writes the file outside any request. Exports are bounded (AUDIT_EXPORT_MAX_ROWS, newest
first), limited per group (AUDIT_EXPORT_CONCURRENCY waiting or running at once), kept
AUDIT_EXPORT_RETENTION_HOURS, and only the group's super admin makes and downloads them.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import FlowError
from core.tasks import enqueue_after_commit

from .auditing import audit_record
from .export_writer import STORAGE
from .models import AuditEvent, AuditExport, User, WorksGroup
from .services import require_super_admin
from .tasks import audit_export_write

# An export neither finished nor failed after this long was lost with its worker: it no
# longer holds the group's place, and shows as failed.
STALE_AFTER = timedelta(hours=1)
LISTED = 20

EXPORT_BUSY = _("監査ログのエクスポートを実行中です。完了してから、もう一度お試しください。")


class ExportBusy(FlowError):
    code = "EXPORT_BUSY"
    status = 429
    message = EXPORT_BUSY


def audit_export_start(
    *,
    works_group: WorksGroup,
    by: User,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    now: datetime | None = None,
) -> AuditExport:
    """Queue an export of the group's audit log, filtered by action and dates; audited.

    Only the group's super admin may export; at most AUDIT_EXPORT_CONCURRENCY exports of a
    group wait or run at once. Expired exports are deleted, their files after commit.
    """
    now = now or timezone.now()
    require_super_admin(by, works_group)
    with transaction.atomic():
        # One start at a time per group, so that the count below cannot be raced past.
        WorksGroup.objects.select_for_update(no_key=True).filter(pk=works_group.pk).first()
        if _unfinished(works_group, now).count() >= settings.AUDIT_EXPORT_CONCURRENCY:
            raise ExportBusy
        _prune(works_group, now)
        export = AuditExport.objects.create(
            works_group=works_group,
            requested_by=by,
            action=action,
            date_from=date_from,
            date_to=date_to,
            created_at=now,
        )
        audit_record(
            action=AuditEvent.Action.AUDIT_EXPORTED,
            actor=by,
            works_group=works_group,
            details={
                "action": action,
                "from": date_from.isoformat() if date_from else "",
                "to": date_to.isoformat() if date_to else "",
            },
            now=now,
        )
        enqueue_after_commit(audit_export_write, export.pk)
    return export


def audit_export_list(*, works_group: WorksGroup, now: datetime | None = None) -> list:
    """The group's exports still kept, newest first; one lost with its worker shows failed."""
    now = now or timezone.now()
    exports = list(
        AuditExport.objects.filter(
            works_group=works_group, created_at__gt=_kept_after(now)
        ).select_related("requested_by")[:LISTED]
    )
    for export in exports:
        if export.status in _UNFINISHED and export.created_at <= now - STALE_AFTER:
            export.status = AuditExport.Status.FAILED
    return exports


def audit_export_file(*, works_group: WorksGroup, export_id: int, now: datetime | None = None):
    """(export, its open file) for a READY export of the group still kept, else None."""
    now = now or timezone.now()
    export = AuditExport.objects.filter(
        pk=export_id,
        works_group=works_group,
        status=AuditExport.Status.READY,
        created_at__gt=_kept_after(now),
    ).first()
    if export is None:
        return None
    return export, storages[STORAGE].open(export.file_name, "rb")


_UNFINISHED = (AuditExport.Status.QUEUED, AuditExport.Status.RUNNING)


def _kept_after(now: datetime) -> datetime:
    return now - timedelta(hours=settings.AUDIT_EXPORT_RETENTION_HOURS)


def _unfinished(works_group: WorksGroup, now: datetime):
    return AuditExport.objects.filter(
        works_group=works_group, status__in=_UNFINISHED, created_at__gt=now - STALE_AFTER
    )


def _prune(works_group: WorksGroup, now: datetime) -> None:
    """Delete the group's expired exports, and their files once that has committed."""
    expired = AuditExport.objects.filter(works_group=works_group, created_at__lte=_kept_after(now))
    names = [name for name in expired.values_list("file_name", flat=True) if name]
    expired.delete()
    if names:
        storage = storages[STORAGE]
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
