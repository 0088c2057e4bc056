"""Issue 17's goals, each scenario's verdict, and the runs of one `bench/run.py` put together.

Pure functions of the load generator's results (no Django, no processes), so that
tests/bench/test_goals.py can check them. Every ratio is of requests/s measured in the same
run (see docs/PERFORMANCE.md); a scenario whose reference floor was not measured in that run
cannot be judged, and its verdict is None.
"""

ANONYMOUS_FLOOR = "floor, anonymous"
LOGGED_IN_FLOOR = "floor, logged in"
FLOORS = (ANONYMOUS_FLOOR, LOGGED_IN_FLOOR)
PAGES = ("console home", "company info", "wizard, step 2", "audit", "partner customers")
SWITCH = "full switch"
API = ("API customers", "API token")
WEBHOOK = "webhook delivery"
SCENARIOS = (*FLOORS, *PAGES, SWITCH, *API, WEBHOOK)
# Scenarios judged against the logged-in floor: a page, an API call, a webhook delivery.
AGAINST_LOGGED_IN_FLOOR = (*PAGES, *API, WEBHOOK)

# Issue 17.
LOGGED_IN_TO_ANONYMOUS_FLOOR = 0.60
TO_LOGGED_IN_FLOOR = 0.60
SWITCHES_PER_SECOND = 40
# Issue 7's latency target, kept as an extra check (it is not one of issue 17's goals).
BIG_PAGES = ("audit", "partner customers")
BIG_PAGE_P50_MS = 50

PASS, MISS = "PASS", "MISS"
REFERENCE = "reference"


def add_ratios(results: list[dict]) -> None:
    """`ratio_to_anonymous_floor` and `ratio_to_logged_in_floor` of every row, in place."""
    by_name = {result["name"]: result for result in results}
    anonymous = by_name.get(ANONYMOUS_FLOOR, {}).get("rps")
    logged_in = by_name.get(LOGGED_IN_FLOOR, {}).get("rps")
    for result in results:
        for key, floor in (("anonymous", anonymous), ("logged_in", logged_in)):
            ratio = round(result["rps"] / floor, 2) if floor else None
            result[f"ratio_to_{key}_floor"] = ratio


def goal_of(name: str) -> str:
    """The goal of a scenario, in words (results.json's `goal`)."""
    if name == ANONYMOUS_FLOOR:
        return REFERENCE
    if name == LOGGED_IN_FLOOR:
        return f"≥ {LOGGED_IN_TO_ANONYMOUS_FLOOR:.2f} of the anonymous floor, 0 errors"
    if name == SWITCH:
        return f"≥ {SWITCHES_PER_SECOND} switches/s, 0 errors"
    if name in AGAINST_LOGGED_IN_FLOOR:
        return f"≥ {TO_LOGGED_IN_FLOOR:.2f} of the logged-in floor, 0 errors"
    raise ValueError(f"no goal for {name!r}")


def verdict_of(result: dict) -> str | None:
    """PASS or MISS for one row (ratios added); None for the reference floor, and for a row
    whose floor was not measured in the same run."""
    name, clean = result["name"], result["errors"] == 0
    if name == ANONYMOUS_FLOOR:
        return None
    if name == SWITCH:
        return PASS if clean and result["rps"] >= SWITCHES_PER_SECOND else MISS
    if name == LOGGED_IN_FLOOR:
        ratio, needed = result["ratio_to_anonymous_floor"], LOGGED_IN_TO_ANONYMOUS_FLOOR
    else:
        ratio, needed = result["ratio_to_logged_in_floor"], TO_LOGGED_IN_FLOOR
    if ratio is None:
        return None
    return PASS if clean and ratio >= needed else MISS


def extra_checks_of(result: dict) -> list[dict]:
    """Checks kept from earlier issues, reported beside the goal but not part of it."""
    if result["name"] not in BIG_PAGES:
        return []
    ok = result["p50_ms"] is not None and result["p50_ms"] <= BIG_PAGE_P50_MS
    return [{"check": f"p50 ≤ {BIG_PAGE_P50_MS} ms (issue 7)", "verdict": PASS if ok else MISS}]


def judge(results: list[dict]) -> bool:
    """Ratios, goal, verdict and extra checks on every row (in place); True when every row
    that has a goal meets it. A row that cannot be judged (its floor was not run) does not."""
    add_ratios(results)
    for result in results:
        result["goal"] = goal_of(result["name"])
        result["verdict"] = verdict_of(result)
        result["extra_checks"] = extra_checks_of(result)
    judged = [r for r in results if r["goal"] != REFERENCE]
    return bool(judged) and all(r["verdict"] == PASS for r in judged)


def report(machine: dict, runs: list[list[dict]]) -> dict:
    """results.json: the machine, the last run's rows as `scenarios` (the schema of issue 7,
    plus goal and verdict), every run, and whether every row met its goal in every run."""
    judged = [
        {"run": number, "scenarios": rows, "all_pass": judge(rows)}
        for number, rows in enumerate(runs, 1)
    ]
    return {
        "machine": machine,
        "scenarios": judged[-1]["scenarios"] if judged else [],
        "runs": judged,
        "all_pass_in_every_run": bool(judged) and all(run["all_pass"] for run in judged),
    }


def verdict_lines(results: list[dict]) -> list[str]:
    """One line per judged row, and per extra check: PASS/MISS with the figure judged."""
    lines = []
    for r in results:
        if r["goal"] == REFERENCE:
            continue
        if r["name"] == SWITCH:
            figure = f"{r['rps']} switches/s"
        elif r["name"] == LOGGED_IN_FLOOR:
            figure = f"{r['ratio_to_anonymous_floor']} of the anonymous floor"
        else:
            figure = f"{r['ratio_to_logged_in_floor']} of the logged-in floor"
        verdict = r["verdict"] or "----"
        lines.append(f"{verdict}  {r['name']}: {figure}, {r['errors']} errors (goal {r['goal']})")
        for check in r["extra_checks"]:
            lines.append(
                f"{check['verdict']}  {r['name']}: p50 {r['p50_ms']} ms ({check['check']})"
            )
    return lines


UNITS = {SWITCH: "switches/s", WEBHOOK: "deliveries/s"}


def table(results: list[dict]) -> str:
    columns = "scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "÷anon", "÷login"
    row = "{:<20} {:>8} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6}  {}"
    lines = [row.format(*columns, "app ms†", "db ms†", "verdict"), "-" * 98]
    for r in results:
        lines.append(
            row.format(
                r["name"] + (" *" if r["name"] in UNITS else ""),
                f"{r['rps']:.1f}",
                r["p50_ms"],
                r["p95_ms"],
                r["p99_ms"],
                r["errors"],
                r["ratio_to_anonymous_floor"] or "-",
                r["ratio_to_logged_in_floor"] or "-",
                r.get("server_cpu_ms_per_request", "-"),
                r.get("database_cpu_ms_per_request", "-"),
                r["verdict"] or ("ref" if r["goal"] == REFERENCE else "-"),
            )
        )
    lines.append(
        "† CPU time per unit (HTTP request, or delivery): gunicorn's workers or the tasks "
        "workers (app), PostgreSQL's backends (db)"
    )
    names = {r["name"] for r in results}
    if SWITCH in names:
        lines.append(
            "* full switch: completed switches/s, and the latency of a whole switch "
            "(8 requests: issue, show code, API preview, API transfer, approve, confirm, "
            "complete, step 4)"
        )
    if WEBHOOK in names:
        lines.append(
            "* webhook delivery: deliveries completed/s by the tasks workers (db_worker), and "
            "the time of one run of the delivery task (claim a batch, POST each to a local "
            "receiver side by side, settle)"
        )
    return "\n".join(lines)
