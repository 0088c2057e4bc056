"""The task queue's order as an index a generic plan can use (PostgreSQL).

django-tasks-db finds the next task with `status = 'READY'` and its own index on the queue's
order is partial (`WHERE status = 'READY'`). With prepared statements kept as generic plans
(`DATABASE_PLAN_CACHE_MODE`, settings.py) the status is a parameter, the partial index cannot
be proven to apply, and every claim read and sorted the whole table. The same columns without
the condition serve it whatever the status (tests/perf/test_generic_plans.py).
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEX = "task_queue_in_order"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} "
            "(status, priority DESC, run_after, enqueued_at)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [migrations.RunPython(create, drop)]
