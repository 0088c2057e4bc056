"""The task queue's order as an index a generic plan can use (PostgreSQL).

django-tasks-db finds the next task with `status = 'READY'` and its own index on the queue's
order is partial (`WHERE status = 'READY'`). With prepared statements kept as generic plans
(`DATABASE_PLAN_CACHE_MODE`, settings.py) the status is a parameter, the partial index cannot
be proven to apply, and every claim read and sorted the whole table. The same columns without
the condition serve it whatever the status (tests/perf/test_generic_plans.py).
"""

from django.db import migrations

from core.migrations._postgresql import TASK_QUEUE, index


class Migration(migrations.Migration):
    dependencies = [("django_tasks_database", "0021_conditional_partial_index_ordering")]

    operations = [
        index("task_queue_in_order", TASK_QUEUE, "status, priority DESC, run_after, enqueued_at"),
    ]
