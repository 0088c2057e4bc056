"""Background work of the accounts app, run by the tasks worker (`manage.py db_worker`)."""

from django.tasks import task

from .export_writer import audit_export_run


@task
def audit_export_write(export_id: int) -> str:
    """Write one 監査 CSV export (accounts.export_writer)."""
    return audit_export_run(export_id=export_id).status
