"""`make bench`: serve the app with gunicorn in production mode and measure it.

    .venv/bin/python bench/run.py [--duration 20] [--scenario audit ...] [--repeat 2]

PostgreSQL when DATABASE_URL is set, else a SQLite file in bench/. Migrates, collects static
files, loads the scale data set (`seed_scale`: 100,000 groups on PostgreSQL, 10,000 on
SQLite; skipped when already there), prepares the benchmark's own tenants and log-ins
(bench/prepare.py), starts gunicorn, then runs each scenario for a fixed time from a separate
process (bench/loadgen.py, locust) over loopback. Prints one table and writes
bench/results.json. The two floors are the same constant view through the whole middleware
stack, anonymous and logged in; every scenario's requests/s is shown as a ratio to both, and
judged against issue 17's goal (bench/goals.py). `--repeat 2` runs the whole set twice in a
row against the same server: the issue asks for every goal met in two runs in a row.

The webhook delivery scenario has no HTTP client: bench/deliveries.py queues deliveries to
a receiver this process serves, and the production tasks worker (`manage.py db_worker`)
delivers them; see webhook_delivery().
"""

import argparse
import base64
import json
import math
import os
import platform
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from goals import SCENARIOS, SWITCH, SWITCHES_PER_SECOND, WEBHOOK, report, table, verdict_lines
from receiver import Receiver

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
# Webhook deliveries queued per measured second: more than the workers deliver here (~700/s
# on a busy 2-core machine), so the queue does not run dry while measuring; if it does, the
# rate is of the time it took. Queueing costs ~2 ms per delivery before the scenario starts.
DELIVERIES_PER_SECOND = 1000
WARMUP_DELIVERIES_PER_SECOND = 100


def server_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="bench.settings",
        # Production queues e-mails in the database (the outbox); a db_worker sends them
        # outside any request, so none runs here.
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_URL="dummymail://",
        # The webhook scenario's receiver listens on 127.0.0.1 over http://, which only
        # development allows; production's key for endpoint secrets is set, not derived.
        WEBHOOK_ALLOW_PRIVATE="true",
        WEBHOOK_SECRET_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{BENCH / 'bench.sqlite3'}")
    if "CACHE_URL" not in env and redis_is_up():
        env["CACHE_URL"] = "redis://127.0.0.1:6379/7"  # shared by the workers, as in production
    return env


def redis_is_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def python(*arguments: str, env: dict | None = None) -> str:
    """Run this project's Python on our own scripts; their output, or their error and exit."""
    done = subprocess.run(  # noqa: S603 - fixed commands, no outside input
        [PYTHON, *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{' '.join(arguments[:2])} failed with exit code {done.returncode}")
    return done.stdout


def manage(env: dict, *arguments: str) -> str:
    return python("manage.py", *arguments, env=env)


def seed(env: dict) -> str:
    postgres = env["DATABASE_URL"].startswith(("postgres", "pgsql"))
    scale = ["--groups", "100000", "--events", "1000000"]
    if not postgres:
        scale = ["--groups", "10000", "--events", "100000"]
    started = time.perf_counter()
    output = manage(env, "seed_scale", *scale)
    print(output.rstrip(), f"({time.perf_counter() - started:.0f} s)", flush=True)
    return output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "worksadmin.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",  # >1 selects the gthread worker, which keeps connections alive
        "--keep-alive=5",
        "--log-level=warning",
        # gunicorn.conf.py (read from ROOT) logs every request, as in production: the lines
        # are formatted (and masked) as there, and thrown away instead of flooding the table.
        f"--access-logfile={os.devnull}",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - fixed command
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on port {port} within 30 s")


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by gunicorn's workers: what one request costs the app server,
    whatever else the machine is doing."""
    import psutil  # a dependency of locust

    total = 0.0
    for worker in psutil.Process(server.pid).children():
        try:
            times = worker.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def database_cpu_seconds(env: dict) -> dict[int, float]:
    """CPU time used so far by each PostgreSQL backend serving the benchmark's database
    (their process titles name it), by process id."""
    import psutil

    url = env["DATABASE_URL"]
    if not url.startswith(("postgres", "pgsql")):
        return {}
    title = f" {url.rsplit('/', 1)[-1].split('?')[0]} "
    used = {}
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            if process.info["name"] == "postgres" and title in " ".join(process.info["cmdline"]):
                times = process.cpu_times()
                used[process.pid] = times.user + times.system
        except psutil.Error:
            continue
    return used


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU time spent between two readings by the backends alive at the second."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def start_profile(args, server: subprocess.Popen, scenario: str) -> subprocess.Popen | None:
    """py-spy, sampling every gunicorn worker while `scenario` is measured (--profile)."""
    if scenario not in (args.profile or ()):
        return None
    slug = "".join(c if c.isalnum() else "-" for c in scenario)
    command = [
        str(Path(PYTHON).parent / "py-spy"),
        "record",
        f"--pid={server.pid}",
        "--subprocesses",
        "--format=raw",  # folded stacks: one line per stack, then its sample count
        f"--duration={int(args.warmup + args.duration)}",
        f"--output={BENCH / f'profile-{slug}.txt'}",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - fixed command


def load(args, state_file: str, scenario: str) -> dict:
    users = args.switch_pairs if scenario == SWITCH else args.users
    output = python(
        str(BENCH / "loadgen.py"),
        f"--host=http://127.0.0.1:{args.port}",
        f"--state={state_file}",
        f"--scenario={scenario}",
        f"--users={users}",
        f"--warmup={args.warmup}",
        f"--duration={args.duration}",
    )
    return json.loads(output)


def http_scenario(args, env: dict, server: subprocess.Popen, state_file: str, scenario: str):
    """One scenario of the load generator, with the CPU time it cost per request."""
    cpu, db_cpu = server_cpu_seconds(server), database_cpu_seconds(env)
    profiler = start_profile(args, server, scenario)
    result = load(args, state_file, scenario)
    if profiler:
        profiler.wait()
    cpu = server_cpu_seconds(server) - cpu
    db_cpu = cpu_since(db_cpu, database_cpu_seconds(env))
    requests = max(result.pop("requests_with_warmup"), 1)
    result["server_cpu_ms_per_request"] = round(1000 * cpu / requests, 2)
    result["database_cpu_ms_per_request"] = round(1000 * db_cpu / requests, 2)
    return result


def processes_cpu_seconds(processes: list[subprocess.Popen]) -> float:
    """CPU time used so far by these processes (the tasks workers)."""
    import psutil

    total = 0.0
    for process in processes:
        try:
            times = psutil.Process(process.pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def start_worker(env: dict, log) -> subprocess.Popen:
    """The production tasks worker, with gunicorn's environment. Its log lines (one per
    task, at its default verbosity) are written, as in production, to `log`."""
    return subprocess.Popen(  # noqa: S603 - fixed command
        [PYTHON, "manage.py", "db_worker"], cwd=ROOT, env=env, stdout=log, stderr=log
    )


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """SIGTERM: each worker finishes the task it is running, then exits."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def webhook_delivery(args, env: dict, receiver: Receiver) -> dict:
    """Webhook deliveries completed per second by the production tasks worker.

    A delivery is one unit of work of the app, as a request is: a run of the delivery task
    claims it with the others that are due (a short transaction, up to WEBHOOK_BATCH_SIZE),
    signs and POSTs each event to the partner's endpoint, and settles the outcomes (a second
    transaction), all in the app's own code (webhooks/tasks.py). So its
    rate is judged against the logged-in floor's requests/s like a page's, with the same
    0.60, and its CPU time per delivery sits in the `app ms` / `db ms` columns.

    bench/deliveries.py registers an endpoint of the bench partner pointing at `receiver`
    (a local HTTP server answering 200 at once, checking each signature), records
    warm-up + measured events through `webhooks.services.webhook_event_record`, each about
    a different customer (deliveries about one customer go one at a time, by design), and
    the queued tasks wait in the database. Then `--webhook-workers` db_worker processes
    start (as many as gunicorn's workers by default: a delivery gets the share of the
    machine a request gets). Warm-up: until the warm-up deliveries have arrived (the workers
    start, and drain first what earlier scenarios queued: the switch's e-mails). Measured:
    `--duration` seconds, or until every measured delivery has arrived. Deliveries that
    failed, were retried or arrived with a wrong signature are errors.
    """
    warm = math.ceil(WARMUP_DELIVERIES_PER_SECOND * args.warmup)
    measured = args.webhook_deliveries or math.ceil(DELIVERIES_PER_SECOND * args.duration)
    deliveries = str(BENCH / "deliveries.py")
    queued = json.loads(
        python(deliveries, "queue", f"--url={receiver.url}", f"--count={warm + measured}", env=env)
    )
    receiver.expect(queued["secret"])
    # Kept (and named) when something went wrong, removed otherwise.
    log = tempfile.NamedTemporaryFile("w", prefix="db_worker-", delete=False)  # noqa: SIM115
    workers = [start_worker(env, log) for _ in range(args.webhook_workers)]
    try:
        if not receiver.wait_for(warm, timeout=args.warmup + 120):
            raise SystemExit(
                f"webhook delivery: {receiver.count} of {warm} warm-up deliveries arrived "
                f"(the workers' log: {log.name})"
            )
        cpu, db_cpu = processes_cpu_seconds(workers), database_cpu_seconds(env)
        started = time.time()
        drained = receiver.wait_for(warm + measured, timeout=args.duration)
        ended = time.time()
        cpu = processes_cpu_seconds(workers) - cpu
        db_cpu = cpu_since(db_cpu, database_cpu_seconds(env))
    finally:
        stop_workers(workers)
        log.close()
    result = json.loads(
        python(
            deliveries,
            "collect",
            f"--endpoint={queued['endpoint']}",
            f"--since={started}",
            f"--until={ended}",
            *(["--drained"] if drained else []),
            env=env,
        )
    )
    errors, failures = result.pop("errors"), result.pop("failures")
    if receiver.bad:
        errors += receiver.bad
        failures.append(f"{receiver.bad}× the receiver: {receiver.last_problem}")
    if errors:
        failures.append(f"the workers' log: {log.name}")
    else:
        os.unlink(log.name)
    done = max(result["requests"], 1)
    return {
        "name": WEBHOOK,
        **result,
        "errors": errors,
        "failures": failures,
        "workers": args.webhook_workers,
        "queued": warm + measured,
        "server_cpu_ms_per_request": round(1000 * cpu / done, 2),
        "database_cpu_ms_per_request": round(1000 * db_cpu / done, 2),
    }


def machine(env: dict) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "database": env["DATABASE_URL"].split(":", 1)[0],
        "cache": env.get("CACHE_URL", "locmemcache"),
        "session_engine": env.get("SESSION_ENGINE", "default (settings.py)"),
        "load_average_before": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds first")
    parser.add_argument(
        "--users", type=int, help="concurrent users per page scenario (default: one per worker)"
    )
    parser.add_argument("--switch-pairs", type=int, default=12, help="concurrent switching pairs")
    # gunicorn's rule of thumb, 2 × cores + 1 sync workers. Sync workers close each
    # connection, as behind a reverse proxy; with threaded workers and keep-alive, each
    # client connection stays on the worker that accepted it, and how 8 connections happen
    # to spread over the workers changed a scenario's requests/s by up to 2× between runs.
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1, help=">1: gthread workers")
    parser.add_argument(
        "--webhook-workers", type=int, help="db_worker processes (default: as many as --workers)"
    )
    parser.add_argument(
        "--webhook-deliveries",
        type=int,
        help=f"deliveries queued to measure (default: {DELIVERIES_PER_SECOND} × --duration)",
    )
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="default: all")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run the whole set this many times in a row"
    )
    parser.add_argument("--output", default=str(BENCH / "results.json"))
    parser.add_argument(
        "--profile",
        action="append",
        choices=[name for name in SCENARIOS if name != WEBHOOK],
        help="py-spy the gunicorn workers during it",
    )
    args = parser.parse_args()
    args.port = args.port or free_port()
    # One request in flight per worker saturates the server without queueing in its listen
    # backlog, so latency is the time to serve, not the time spent waiting for a worker.
    args.users = args.users or args.workers
    args.webhook_workers = args.webhook_workers or args.workers
    scenarios = args.scenario or list(SCENARIOS)

    env = server_env(args)
    print(
        f"database: {env['DATABASE_URL'].split('@')[-1]}   cache: {env.get('CACHE_URL', 'locmem')}",
        flush=True,
    )
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    seed(env)
    # Enough fresh groups for three times the goal's rate: each switch uses one up, and
    # each run has its own.
    pool = int(3 * SWITCHES_PER_SECOND * (args.duration + args.warmup)) * (SWITCH in scenarios)
    state = json.loads(python(str(BENCH / "prepare.py"), str(pool * args.repeat), env=env))
    info = machine(env)
    receiver = Receiver() if WEBHOOK in scenarios else None
    server = start_server(env, args.port, args.workers, args.threads)
    kind = "sync" if args.threads == 1 else f"gthread × {args.threads} threads"
    info["server"] = f"gunicorn, {args.workers} {kind} workers"
    info["load"] = (
        f"{args.users} users per page scenario, {args.switch_pairs} switching pairs, "
        f"{args.webhook_workers} db_worker processes for webhooks, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s measured each"
    )
    info["repeat"] = args.repeat
    runs = []
    try:
        for number in range(args.repeat):
            if args.repeat > 1:
                print(f"run {number + 1} of {args.repeat}", flush=True)
            # Nothing new to load: the VACUUM (ANALYZE) of what prepare.py or the last run
            # wrote (the switch's fresh groups had no statistics in the first run).
            seed(env)
            own = state["switch_pool"][number * pool : (number + 1) * pool]
            with tempfile.NamedTemporaryFile("w", suffix=".json") as state_file:
                json.dump({**state, "switch_pool": own}, state_file)
                state_file.flush()
                results = []
                for scenario in scenarios:
                    if scenario == WEBHOOK:
                        result = webhook_delivery(args, env, receiver)
                    else:
                        result = http_scenario(args, env, server, state_file.name, scenario)
                    results.append(result)
                    print(
                        f"  {scenario:<20} {result['rps']:>8.1f}/s  p50 {result['p50_ms']} ms"
                        f"  errors {result['errors']}",
                        flush=True,
                    )
                    for failure in result["failures"]:
                        print(f"      {failure}", flush=True)
                    if result.get("signed_live"):
                        print(
                            f"      {result['signed_live']} assertions signed while measuring "
                            "(the pre-signed pool ran out: the load generator took CPU time)",
                            flush=True,
                        )
                runs.append(results)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if receiver:
            receiver.stop()
    info["load_average_after"] = os.getloadavg()[0]
    results = report(info, runs)
    for run in results["runs"]:
        print()
        if args.repeat > 1:
            print(f"run {run['run']} of {args.repeat}")
        print(table(run["scenarios"]))
        print()
        print("\n".join(verdict_lines(run["scenarios"])))
    if args.repeat > 1:
        every = "every" if results["all_pass_in_every_run"] else "NOT every"
        print(f"\n{every} goal met in each of the {args.repeat} runs")
    Path(args.output).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
