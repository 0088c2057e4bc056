"""Machine instructions per request of each page, counted by valgrind.

    DATABASE_URL=postgres://… .venv/bin/python bench/instructions.py [--requests 30] [page …]

On a shared two-core machine requests/s and even CPU time move by a third between runs;
the instructions a request executes do not (a few per cent here). This runs `bench/inprocess.py`
under valgrind's callgrind twice per page, with the measured requests and without, both
after the same warm-up, and prints the difference divided by the requests. PostgreSQL's own
work is not in it. Needs valgrind (`apt-get install valgrind`) and the data of one
`make bench`; each page takes about a minute and a half.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from scenarios import PAGES

BENCH = Path(__file__).resolve().parent
COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(page: str, requests: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        str(BENCH / "inprocess.py"),
        "--rounds=1",
        f"--requests={requests}",
        page,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ, check=False)  # noqa: S603
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{page}: {done.stdout[-500:]}{done.stderr[-500:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page")
    parser.add_argument("page", nargs="*", help=f"default: every page ({', '.join(PAGES)})")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    for page in args.page or PAGES:
        measured = instructions(page, args.requests) - instructions(page, 0)
        per_request = measured / args.requests
        print(f"{page:<20} {per_request / 1e6:6.2f} M instructions per request", flush=True)


if __name__ == "__main__":
    main()
