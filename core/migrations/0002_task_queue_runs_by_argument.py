"""The queued runs of a task by their argument, as core.tasks.queued_runs_drop finds them
(PostgreSQL): a run of the webhook task that takes a batch of deliveries removes the runs
queued for the others, and without this index each such search read every waiting task.
Not partial, and the status is bound in the search: so the plan, made while the statistics
may say the queue is empty, has no index of waiting tasks to prefer to this one."""

from django.db import migrations

from core.migrations._postgresql import TASK_QUEUE, index


class Migration(migrations.Migration):
    dependencies = [("core", "0001_task_queue_generic_plan_index")]

    operations = [
        index("task_queue_runs_by_argument", TASK_QUEUE, "(args_kwargs -> 'args' ->> 0), task_path"),
    ]
