"""The queued runs of a task by their argument, as core.tasks.queued_runs_drop finds them
(PostgreSQL): a run of the webhook task that takes a batch of deliveries removes the runs
queued for the others, and without this index each such search read every waiting task.
Not partial, and the status is bound in the search: so the plan, made while the statistics
may say the queue is empty, has no index of waiting tasks to prefer to this one."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEX = "task_queue_runs_by_argument"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} "
            "((args_kwargs -> 'args' ->> 0), task_path)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_task_queue_generic_plan_index")]

    operations = [migrations.RunPython(create, drop)]
