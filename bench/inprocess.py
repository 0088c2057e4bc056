"""The app's own CPU time per page, without gunicorn, the network or the load generator.

    DATABASE_URL=postgres://… .venv/bin/python bench/inprocess.py [--requests 500] [page …]

Calls Django's WSGI handler directly with the log-ins `bench/prepare.py` makes (run `make
bench` once first, so the data set is there) and prints, per page, the process's CPU time
per request (the median of five rounds). PostgreSQL's own time is not in it. On a shared
machine this moves far less than requests/s, so it is the figure to compare a change by.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-in-process-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from bench.scenarios import PAGES, cookie_header  # noqa: E402


def environ(path: str, cookie: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per page (the median)")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
    parser.add_argument("page", nargs="*", help=f"default: every page ({', '.join(PAGES)})")
    args = parser.parse_args()
    if unknown := set(args.page) - set(PAGES):
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    state = json.loads(
        subprocess.run(  # noqa: S603 - our own script, same environment
            [sys.executable, str(ROOT / "bench" / "prepare.py"), "0"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    app = WSGIHandler()
    for name in args.page or PAGES:
        path, who, marker = PAGES[name]
        cookie = cookie_header(state, state[who] if who else None).get("Cookie", "")
        _requests(app, name, path, cookie, marker, args.warmup)
        rounds = []
        for _round in range(args.rounds):
            started = time.process_time()
            _requests(app, name, path, cookie, marker, args.requests)
            rounds.append((time.process_time() - started) / max(args.requests, 1) * 1000)
        if rounds:
            print(f"{name:<20} {statistics.median(rounds):6.2f} ms CPU per request", flush=True)


def _requests(app, name: str, path: str, cookie: str, marker: bytes, count: int) -> None:
    """`count` requests of the page, each checked: 200 and the page's marker."""
    for _ in range(count):
        response = app(environ(path, cookie), lambda status, headers: None)
        if response.status_code != 200:
            raise SystemExit(f"{name}: status {response.status_code}")
        body = b"".join(response)
        response.close()
        if marker not in body:
            raise SystemExit(f"{name}: the page did not show {marker!r}")


if __name__ == "__main__":
    main()
