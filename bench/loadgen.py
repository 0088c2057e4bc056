"""Drive one scenario against a running server with locust (as a library) and print JSON.

    python bench/loadgen.py --host http://127.0.0.1:8765 --state state.json \
        --scenario "console home" --users 5 --warmup 3 --duration 15

A separate process from the server (gevent, one core at most). Each virtual user sends the
next request as soon as the last answer arrives (reconnecting when the server closes the
connection, as gunicorn's sync workers do), and counts
anything but the expected status and page as an error: a lost session shows up as an error,
never as a fast log-in page. After the warm-up the statistics are reset, so connections,
template compilation and caches are warm when measuring starts.

"API customers" is driven like a page, with the bench app's OAuth access token instead of
a session. "API token" asks the token endpoint for a token with the JWT-bearer grant, a
fresh assertion each time (an assertion is good for one exchange only).
"""

import argparse
import itertools
import json
import math
import re
import sys
import time
import uuid
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, events, task
from locust.contrib.fasthttp import FastHttpSession
from locust.env import Environment
from locust.exception import StopUser
from scenarios import API_CALLS, PAGES, cookie_header

import jwt  # isort: skip - after locust, whose gevent patches the ssl module jwt imports

SWITCH = "full switch"
TOKEN = "API token"  # noqa: S105 - a scenario's name
SCENARIOS = (*PAGES, SWITCH, *API_CALLS, TOKEN)
TOKEN_PATH = "/oauth2/v2.0/token"  # noqa: S105 - a path
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FORM = "application/x-www-form-urlencoded"
# Assertions signed before the load starts, per second of the scenario: above what the
# token endpoint can answer on this machine, so that none is signed while measuring.
ASSERTIONS_PER_SECOND = 400

CODE_RE = re.compile(rb'id="partner-code"[^>]*>([A-Z2-9]{20})<')


def page_user(state: dict, name: str) -> type[FastHttpUser]:
    path, who, marker = PAGES[name]

    headers = cookie_header(state, state[who] if who else None)

    class PageUser(FastHttpUser):
        @task
        def get(self):
            with self.client.get(
                path, name=name, headers=headers, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200 or marker not in (response.content or b""):
                    response.failure(f"status {response.status_code} or page without {marker!r}")

    return PageUser


def api_user(state: dict, name: str) -> type[FastHttpUser]:
    """A partner's system reading the API with its OAuth access token."""
    path, marker = API_CALLS[name]
    headers = {"Authorization": f"Bearer {state['api_access_token']}"}

    class ApiUser(FastHttpUser):
        @task
        def get(self):
            with self.client.get(
                path, name=name, headers=headers, allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code != 200 or marker not in (response.content or b""):
                    response.failure(f"status {response.status_code} or JSON without {marker!r}")

    return ApiUser


def assertion_sign(app: dict, key) -> str:
    """As bench/prepare.py signs one: the app's service account, an hour, a unique jti."""
    now = int(time.time())
    claims = {
        "iss": app["client_id"],
        "sub": app["service_account"],
        "iat": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm="RS256")


def token_user(state: dict, seconds: float, signed: dict) -> type[FastHttpUser]:
    """A partner's system signing in: POST /oauth2/v2.0/token, JWT-bearer grant, client ID
    and secret in the form, as docs/examples/partner_client.py does.

    Signing an RS256 assertion costs this process ~1 ms of CPU; at hundreds of requests a
    second that would take a third of a core from the two the server runs on, and the load
    generator would measure itself. So a pool is signed before the load starts (iat is then
    seconds old, well within the hour the assertion is valid), and each request spends one.
    Should the pool run out, the rest are signed on the fly and counted (`signed_live`).
    """
    from cryptography.hazmat.primitives import serialization

    app = state["api_app"]
    key = serialization.load_pem_private_key(app["private_key"].encode(), password=None)
    pool = iter(
        [assertion_sign(app, key) for _ in range(math.ceil(ASSERTIONS_PER_SECOND * seconds))]
    )
    fixed = {
        "grant_type": JWT_BEARER,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "scope": app["scope"],
    }
    headers = {"Content-Type": FORM}

    class TokenUser(FastHttpUser):
        @task
        def token(self):
            assertion = next(pool, None)
            if assertion is None:
                signed["live"] += 1
                assertion = assertion_sign(app, key)
            body = urlencode({**fixed, "assertion": assertion})
            with self.client.post(
                TOKEN_PATH, name=TOKEN, data=body, headers=headers, catch_response=True
            ) as response:
                if response.status_code != 200 or b'"access_token"' not in (
                    response.content or b""
                ):
                    response.failure(f"status {response.status_code}: {response.text[:200]}")

    return TokenUser


class FlowFailed(Exception):
    pass


def switch_user(state: dict) -> type[FastHttpUser]:
    """A pair: the customer's browser and the partner's system, taking turns on one group."""
    pool = iter(state["switch_pool"])
    api = "/api/v1/partners/potential-customers/"
    bearer = {"Authorization": f"Bearer {state['api_token']}"}

    class SwitchPair(FastHttpUser):
        def on_start(self):
            self.partner = FastHttpSession(
                self.host, self.environment.events.request, user=self, headers=bearer
            )

        def expect(self, response, status: int, marker: bytes = b"") -> bytes:
            body = response.content or b""
            if response.status_code != status or marker not in body:
                response.failure(f"status {response.status_code}, expected {status} {marker!r}")
                raise FlowFailed(response.request_meta["name"])
            return body

        def get(self, path: str, name: str):
            return self.client.get(
                path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
            )

        def post(self, path: str, name: str):
            return self.client.post(
                path,
                name=name,
                headers={**self.headers, "X-CSRFToken": self.csrf},
                allow_redirects=False,
                catch_response=True,
            )

        @task
        def switch(self):
            login = next(pool, None)
            if login is None:
                raise StopUser
            self.headers = cookie_header(state, login)
            self.csrf = login["csrf"]
            domain = login["domain"]
            started = time.perf_counter()
            try:
                with self.post("/console/partner/contract/issue/", "issue") as r:
                    self.expect(r, 302)
                with self.get("/console/partner/contract/", "wizard (code)") as r:
                    code = CODE_RE.search(self.expect(r, 200)).group(1).decode()
                with self.partner.get(
                    f"{api}{domain}?partnerCode={code}", name="API preview", catch_response=True
                ) as r:
                    self.expect(r, 200, b'"productId"')
                with self.partner.post(
                    f"{api}{domain}/transfer",
                    name="API transfer",
                    json={"partnerCode": code, "enablePartnerProfileDisplay": True},
                    catch_response=True,
                ) as r:
                    self.expect(r, 202)
                with self.post("/console/partner/contract/approve/", "approve") as r:
                    self.expect(r, 302)
                with self.get("/console/partner/contract/confirm/", "confirm") as r:
                    self.expect(r, 200, b"contract/complete/")
                with self.post("/console/partner/contract/complete/", "complete") as r:
                    self.expect(r, 302)
                with self.get("/console/partner/contract/", "wizard (step 4)") as r:
                    self.expect(r, 200, b'data-step="4"')
            except FlowFailed as exc:
                failed = exc
            else:
                failed = None
            self.environment.events.request.fire(
                request_type="FLOW",
                name="switch",
                response_time=(time.perf_counter() - started) * 1000,
                response_length=0,
                exception=failed,
                context={},
            )

    return SwitchPair


def run(args) -> dict:
    with open(args.state, encoding="utf-8") as file:
        state = json.load(file)
    signed = {"live": 0}
    if args.scenario == SWITCH:
        user_class = switch_user(state)
    elif args.scenario == TOKEN:
        user_class = token_user(state, args.warmup + args.duration, signed)
    elif args.scenario in API_CALLS:
        user_class = api_user(state, args.scenario)
    else:
        user_class = page_user(state, args.scenario)
    user_class.host = args.host
    env = Environment(user_classes=[user_class], events=events)
    sent = {"http": 0}  # warm-up included, to divide the server's CPU time by

    @env.events.request.add_listener
    def count(request_type, **kwargs):
        sent["http"] += request_type != "FLOW"

    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    gevent.sleep(args.warmup)
    env.stats.reset_all()
    started = time.perf_counter()
    gevent.sleep(args.duration)
    elapsed = time.perf_counter() - started
    result = summarize(env, args.scenario, elapsed)
    runner.quit()
    result["requests_with_warmup"] = sent["http"]
    if args.scenario == TOKEN:
        result["signed_live"] = signed["live"]
    return result


def summarize(env: Environment, name: str, elapsed: float) -> dict:
    entries = env.stats.entries
    http = [e for (entry_name, method), e in entries.items() if method != "FLOW"]
    requests = sum(e.num_requests for e in http)
    errors = sum(e.num_failures for e in http)
    measured = entries.get(("switch", "FLOW")) or env.stats.total
    if name == SWITCH:
        done = measured.num_requests - measured.num_failures
        rps = done / elapsed
        errors = max(errors, measured.num_failures)
    else:
        rps = requests / elapsed
    return {
        "name": name,
        "rps": round(rps, 1),
        "p50_ms": measured.get_response_time_percentile(0.50),
        "p95_ms": measured.get_response_time_percentile(0.95),
        "p99_ms": measured.get_response_time_percentile(0.99),
        "errors": errors,
        "requests": requests,
        "http_rps": round(requests / elapsed, 1),
        "seconds": round(elapsed, 1),
        "failures": [
            f"{e.occurrences}× {e.method} {e.name}: {e.error}"
            for e in itertools.islice(env.stats.errors.values(), 5)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--scenario", required=True, choices=SCENARIOS)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--duration", type=float, default=20)
    json.dump(run(parser.parse_args()), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
