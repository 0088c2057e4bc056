"""The webhook scenario's two ends in the database (bench/run.py calls these, with the
server's environment, around the db_worker processes it measures):

    python bench/deliveries.py queue --url URL --count N
    python bench/deliveries.py collect --endpoint ID --since T0 --until T1 [--drained]

`queue` registers an endpoint of the bench partner (bench/prepare.py's staff member, through
`webhooks.services.webhook_endpoint_create`) pointing at the local receiver, subscribed to
`switch.completed`, and records N such events through `webhook_event_record`, each about a
different customer, in one transaction, as the flow records them: each gets a delivery and
its task in the database queue. Prints the endpoint's id and signing secret (JSON).

`collect` reads how the deliveries went: those completed (SUCCEEDED) between T0 and T1 (unix
seconds; with --drained, every one from T0 on, up to the last), the time each delivery task
took from claim to done, and every attempt that did not succeed (an error). Then it removes
the endpoint with its deliveries and the tasks still queued for them (each would only find
its delivery gone) or done, so that no other scenario records deliveries. Prints JSON.
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.tasks import TaskResultStatus  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from accounts.models import User, WorksGroup  # noqa: E402
from bench.prepare import STAFF_EMAIL, WEBHOOK_DESCRIPTION, webhook_endpoints_remove  # noqa: E402
from webhooks.models import EventType, WebhookAttempt, WebhookDelivery  # noqa: E402
from webhooks.services import webhook_endpoint_create, webhook_event_record  # noqa: E402
from webhooks.tasks import webhook_deliver  # noqa: E402

TASK_PATH = webhook_deliver.module_path


def queue(url: str, count: int) -> dict:
    started = time.perf_counter()
    staff = User.objects.select_related("partner").get(email=STAFF_EMAIL)
    webhook_endpoints_remove(staff.partner)
    endpoint, secret = webhook_endpoint_create(
        staff=staff, url=url, events=[EventType.SWITCH_COMPLETED], description=WEBHOOK_DESCRIPTION
    )
    groups = list(
        WorksGroup.objects.filter(company_info__isnull=False)
        .select_related("company_info")
        .order_by("pk")[:count]
    )
    if len(groups) < count:
        raise SystemExit(f"only {len(groups)} works groups for {count} deliveries")
    with transaction.atomic():
        for group in groups:
            webhook_event_record(
                type=EventType.SWITCH_COMPLETED,
                partner=staff.partner,
                works_group=group,
                data={
                    "domain": group.domain,
                    "domainId": group.pk,
                    "companyName": group.company_info.company_name,
                    "plan": group.plan,
                    "seats": group.seats,
                },
            )
    return {
        "endpoint": endpoint.pk,
        "secret": secret,
        "queued": count,
        "seconds": round(time.perf_counter() - started, 1),
    }


def percentile(values: list[float], fraction: float) -> int | None:
    """The value below which `fraction` of them lie (nearest rank), in whole ms."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))])


def collect(endpoint_id: int, since: float, until: float, drained: bool) -> dict:
    start, end = (datetime.fromtimestamp(moment, tz=UTC) for moment in (since, until))
    deliveries = WebhookDelivery.objects.filter(endpoint_id=endpoint_id)
    done = deliveries.filter(status=WebhookDelivery.Status.SUCCEEDED, delivered_at__gte=start)
    if drained:  # every one arrived: the window ends when the last was settled
        end = max(done.aggregate(last=Max("delivered_at"))["last"] or end, end)
    done = done.filter(delivered_at__lte=end)
    completed = done.count()
    seconds = max((end - start).total_seconds(), 1e-3)
    # The delivery tasks of the window (each returns its delivery's status): claim to done.
    tasks = DBTaskResult.objects.filter(
        task_path=TASK_PATH, finished_at__gte=start, finished_at__lte=end
    ).values_list("status", "started_at", "finished_at", "return_value")
    took = []
    failed_tasks = 0
    for status, began, finished, returned in tasks:
        if status == TaskResultStatus.FAILED:
            failed_tasks += 1
        elif returned == WebhookDelivery.Status.SUCCEEDED and began:
            took.append((finished - began).total_seconds() * 1000)
    bad = WebhookAttempt.objects.filter(delivery__endpoint_id=endpoint_id).exclude(
        outcome=WebhookAttempt.Outcome.SUCCEEDED
    )
    problems = Counter(
        f"attempt {outcome} {status_code or ''} {error}".strip()
        for outcome, status_code, error in bad.values_list("outcome", "status_code", "error")
    )
    failures = [f"{times}× {problem}" for problem, times in problems.most_common(5)]
    if failed_tasks:
        failures.append(f"{failed_tasks}× the delivery task raised")
    result = {
        "rps": round(completed / seconds, 1),
        "p50_ms": percentile(took, 0.50),
        "p95_ms": percentile(took, 0.95),
        "p99_ms": percentile(took, 0.99),
        "errors": sum(problems.values()) + failed_tasks,
        "requests": completed,
        "http_rps": round(completed / seconds, 1),
        "seconds": round(seconds, 1),
        "failures": failures,
        "not_delivered": deliveries.filter(status=WebhookDelivery.Status.PENDING).count(),
    }
    clean_up()
    return result


def clean_up() -> None:
    staff = User.objects.select_related("partner").get(email=STAFF_EMAIL)
    webhook_endpoints_remove(staff.partner)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    queuing = commands.add_parser("queue")
    queuing.add_argument("--url", required=True)
    queuing.add_argument("--count", type=int, required=True)
    collecting = commands.add_parser("collect")
    collecting.add_argument("--endpoint", type=int, required=True)
    collecting.add_argument("--since", type=float, required=True)
    collecting.add_argument("--until", type=float, required=True)
    collecting.add_argument("--drained", action="store_true")
    args = parser.parse_args()
    if args.command == "queue":
        result = queue(args.url, args.count)
    else:
        result = collect(args.endpoint, args.since, args.until, args.drained)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
