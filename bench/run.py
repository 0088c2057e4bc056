"""`make bench`: serve the app with gunicorn in production mode and measure it.

    .venv/bin/python bench/run.py [--duration 20] [--scenario audit ...]

PostgreSQL when DATABASE_URL is set, else a SQLite file in bench/. Migrates, collects static
files, loads the scale data set (`seed_scale`: 100,000 groups on PostgreSQL, 10,000 on
SQLite; skipped when already there), prepares the benchmark's own tenants and log-ins
(bench/prepare.py), starts gunicorn, then runs each scenario for a fixed time from a separate
process (bench/loadgen.py, locust) over loopback. Prints one table and writes
bench/results.json. The two floors are the same constant view through the whole middleware
stack, anonymous and logged in; every scenario's requests/s is shown as a ratio to both.
"""

import argparse
import json
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

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
FLOORS = ("floor, anonymous", "floor, logged in")
PAGES = ("console home", "company info", "wizard, step 2", "audit", "partner customers")
SWITCH = "full switch"
SCENARIOS = (*FLOORS, *PAGES, SWITCH)
BIG_PAGES = ("audit", "partner customers")
# Targets of issue 7 (ratios of requests/s measured in the same run).
PAGE_TO_LOGGED_IN_FLOOR = 0.5
PAGE_TO_ANONYMOUS_FLOOR = 0.3
SWITCHES_PER_SECOND = 30
BIG_PAGE_P50_MS = 50


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


def add_ratios(results: list[dict]) -> None:
    by_name = {result["name"]: result for result in results}
    anonymous = by_name.get(FLOORS[0], {}).get("rps")
    logged_in = by_name.get(FLOORS[1], {}).get("rps")
    for result in results:
        for key, floor in (("anonymous", anonymous), ("logged_in", logged_in)):
            ratio = round(result["rps"] / floor, 2) if floor else None
            result[f"ratio_to_{key}_floor"] = ratio


def verdicts(results: list[dict]) -> list[str]:
    """One line per target of issue 7: PASS or MISS, with the figure it was judged on."""
    lines = []
    for r in results:
        name, errors = r["name"], r["errors"]
        if name in PAGES and r["ratio_to_logged_in_floor"] is not None:
            ok = (
                r["ratio_to_logged_in_floor"] >= PAGE_TO_LOGGED_IN_FLOOR
                and r["ratio_to_anonymous_floor"] >= PAGE_TO_ANONYMOUS_FLOOR
                and errors == 0
            )
            lines.append(
                f"{'PASS' if ok else 'MISS'}  {name}: {r['ratio_to_logged_in_floor']} of the "
                f"logged-in floor (≥ {PAGE_TO_LOGGED_IN_FLOOR}), {r['ratio_to_anonymous_floor']} "
                f"of the anonymous floor (≥ {PAGE_TO_ANONYMOUS_FLOOR}), {errors} errors"
            )
        if name in BIG_PAGES:
            ok = r["p50_ms"] <= BIG_PAGE_P50_MS and errors == 0
            lines.append(
                f"{'PASS' if ok else 'MISS'}  {name}: p50 {r['p50_ms']} ms at scale "
                f"(≤ {BIG_PAGE_P50_MS} ms)"
            )
        if name == SWITCH:
            ok = r["rps"] >= SWITCHES_PER_SECOND and errors == 0
            lines.append(
                f"{'PASS' if ok else 'MISS'}  {name}: {r['rps']} switches/s "
                f"(≥ {SWITCHES_PER_SECOND}), {errors} errors"
            )
    return lines


def table(results: list[dict]) -> str:
    columns = "scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "÷anon", "÷login"
    row = "{:<20} {:>8} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6}"
    lines = [row.format(*columns, "app ms†", "db ms†"), "-" * 89]
    for r in results:
        lines.append(
            row.format(
                r["name"] + (" *" if r["name"] == SWITCH else ""),
                f"{r['rps']:.1f}",
                r["p50_ms"],
                r["p95_ms"],
                r["p99_ms"],
                r["errors"],
                r["ratio_to_anonymous_floor"] or "-",
                r["ratio_to_logged_in_floor"] or "-",
                r.get("server_cpu_ms_per_request", "-"),
                r.get("database_cpu_ms_per_request", "-"),
            )
        )
    lines.append(
        "† CPU time per HTTP request: gunicorn's workers (app), PostgreSQL's backends (db)"
    )
    if any(r["name"] == SWITCH for r in results):
        lines.append(
            "* full switch: completed switches/s, and the latency of a whole switch "
            "(8 requests: issue, show code, API preview, API transfer, approve, confirm, "
            "complete, step 4)"
        )
    return "\n".join(lines)


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
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="default: all")
    parser.add_argument("--output", default=str(BENCH / "results.json"))
    parser.add_argument(
        "--profile", action="append", choices=SCENARIOS, help="py-spy the workers during it"
    )
    args = parser.parse_args()
    args.port = args.port or free_port()
    # One request in flight per worker saturates the server without queueing in its listen
    # backlog, so latency is the time to serve, not the time spent waiting for a worker.
    args.users = args.users or args.workers
    scenarios = args.scenario or list(SCENARIOS)

    env = server_env(args)
    print(
        f"database: {env['DATABASE_URL'].split('@')[-1]}   cache: {env.get('CACHE_URL', 'locmem')}",
        flush=True,
    )
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    seed(env)
    # Enough fresh groups for three times the target rate: each switch uses one up.
    pool = int(3 * SWITCHES_PER_SECOND * (args.duration + args.warmup)) * (SWITCH in scenarios)
    state = python(str(BENCH / "prepare.py"), str(pool), env=env)
    info = machine(env)
    server = start_server(env, args.port, args.workers, args.threads)
    kind = "sync" if args.threads == 1 else f"gthread × {args.threads} threads"
    info["server"] = f"gunicorn, {args.workers} {kind} workers"
    info["load"] = (
        f"{args.users} users per page scenario, {args.switch_pairs} switching pairs, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s measured each"
    )
    results = []
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".json") as state_file:
            state_file.write(state)
            state_file.flush()
            for scenario in scenarios:
                cpu, db_cpu = server_cpu_seconds(server), database_cpu_seconds(env)
                profiler = start_profile(args, server, scenario)
                result = load(args, state_file.name, scenario)
                if profiler:
                    profiler.wait()
                cpu = server_cpu_seconds(server) - cpu
                db_cpu = cpu_since(db_cpu, database_cpu_seconds(env))
                requests = max(result.pop("requests_with_warmup"), 1)
                result["server_cpu_ms_per_request"] = round(1000 * cpu / requests, 2)
                result["database_cpu_ms_per_request"] = round(1000 * db_cpu / requests, 2)
                results.append(result)
                print(
                    f"  {scenario:<20} {result['rps']:>8.1f}/s  p50 {result['p50_ms']} ms"
                    f"  errors {result['errors']}",
                    flush=True,
                )
                for failure in result["failures"]:
                    print(f"      {failure}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    info["load_average_after"] = os.getloadavg()[0]
    add_ratios(results)
    print()
    print(table(results))
    print()
    print("\n".join(verdicts(results)))
    Path(args.output).write_text(
        json.dumps({"machine": info, "scenarios": results}, ensure_ascii=False, indent=2) + "\n"
    )
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
