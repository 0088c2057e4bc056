"""Writing a 監査 CSV export: the background task's work (accounts.tasks), never a request's.

The CSV is written in batches to a temporary file (bounded memory; progress saved after
each batch), stored, and only then named on the row and marked READY, in one conditional
update: a half-written file is never offered, whatever happens to the worker.
"""

import csv
import io
import json
import secrets
import tempfile
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import AuditEvent, AuditExport

STORAGE = "audit_exports"
BATCH_SIZE = 2000
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def audit_export_run(*, export_id: int) -> AuditExport:
    """Write the export's CSV and offer it, once. A failure leaves it FAILED, no file behind."""
    claimed = AuditExport.objects.filter(pk=export_id, status=AuditExport.Status.QUEUED).update(
        status=AuditExport.Status.RUNNING, started_at=timezone.now()
    )
    export = AuditExport.objects.select_related("works_group__company_info").get(pk=export_id)
    if not claimed:  # run already, or by another worker
        return export
    storage = storages[STORAGE]
    name = None
    try:
        events = audit_export_events(export)
        cap = settings.AUDIT_EXPORT_MAX_ROWS
        total = events[: cap + 1].count()
        export.rows_total, export.truncated = min(total, cap), total > cap
        export.save(update_fields=["rows_total", "truncated"])
        with tempfile.TemporaryFile() as spool:
            _write_csv(export, events, spool, limit=export.rows_total)
            spool.seek(0)
            name = storage.save(f"{export.works_group_id}/{secrets.token_hex(16)}.csv", File(spool))
        offered = AuditExport.objects.filter(
            pk=export.pk, status=AuditExport.Status.RUNNING
        ).update(status=AuditExport.Status.READY, file_name=name, finished_at=timezone.now())
        if not offered:  # given up on meanwhile
            storage.delete(name)
    except BaseException:  # recorded, then raised on: the task ends FAILED too
        if name:
            storage.delete(name)
        AuditExport.objects.filter(pk=export.pk).update(
            status=AuditExport.Status.FAILED, finished_at=timezone.now()
        )
        raise
    export.refresh_from_db()
    return export


def audit_export_events(export: AuditExport):
    """The events an export holds, newest first: the group's as they were when it was asked
    for (not the request's own event, nor later ones), filtered as asked (dates in the
    group's time zone, both days included)."""
    events = AuditEvent.objects.filter(
        works_group=export.works_group_id, created_at__lt=export.created_at
    )
    if export.action:
        events = events.filter(action=export.action)
    tz = export.works_group.company_info.tz
    if export.date_from:
        events = events.filter(created_at__gte=_start_of(export.date_from, tz))
    if export.date_to:
        events = events.filter(created_at__lt=_start_of(export.date_to + timedelta(days=1), tz))
    return events.only("id", "created_at", "actor_label", "action", "details")


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a `'`."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _write_csv(export: AuditExport, events, spool, *, limit: int) -> None:
    info = export.works_group.company_info
    # utf-8-sig: the BOM lets Excel read the file as UTF-8.
    stream = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(stream)
    with translation.override(info.ui_language):
        writer.writerow([gettext("日時"), gettext("操作者"), gettext("操作"), gettext("詳細")])
        labels = {action: str(label) for action, label in AuditEvent.Action.choices}
    written = 0
    for batch in _batches(events, limit=limit):
        writer.writerows(
            [
                csv_cell(
                    timezone.localtime(event.created_at, info.tz).strftime("%Y-%m-%d %H:%M:%S")
                ),
                csv_cell(event.actor_label),
                csv_cell(labels.get(event.action, event.action)),
                csv_cell(json.dumps(event.details, ensure_ascii=False)),
            ]
            for event in batch
        )
        written += len(batch)
        AuditExport.objects.filter(pk=export.pk).update(rows_written=written)
    stream.flush()
    stream.detach()  # the spool stays open for the caller


def _batches(events, *, limit: int):
    """The first `limit` of `events` (newest first) in batches, by keyset: bounded memory on
    any database, and each batch one range scan of the group's (created_at, id) index."""
    done, last = 0, None
    while done < limit:
        page = events
        if last is not None:
            page = page.filter(
                Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, id__lt=last.id)
            )
        batch = list(page[: min(BATCH_SIZE, limit - done)])
        if not batch:
            return
        yield batch
        done += len(batch)
        last = batch[-1]


def _start_of(day: date, tz) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=tz)
