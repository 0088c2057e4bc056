"""An index of a table the app does not own (django-tasks-db's queue), on PostgreSQL only:
the columns and expressions it needs there are PostgreSQL's. Not a migration itself (the
loader passes over modules whose names start with `_`)."""

from django.db import migrations

TASK_QUEUE = "django_tasks_database_dbtaskresult"


def index(name: str, table: str, columns: str) -> migrations.RunPython:
    """CREATE INDEX `name` ON `table` (`columns`) forwards, DROP INDEX backwards."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)
