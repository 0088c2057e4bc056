"""README's Sandbox section is a curl session; these tests replay its calls, in its order,
against the app (the test client in place of curl), and check the answers it shows."""

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"
EXPECTED = re.compile(r"#\s*→\s*(\d{3})")


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: str | None
    status: int


def _session_lines() -> list[str]:
    text = README.read_text()
    section = text[text.index("\n## Sandbox\n") : text.index("\n## Guarantees\n")]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return block.replace("\\\n", " ").splitlines()


def _calls() -> list[Call]:
    lines = _session_lines()
    calls = []
    for index, line in enumerate(lines):
        if "curl " not in line:
            continue
        status = next(int(m.group(1)) for rest in lines[index + 1 :] if (m := EXPECTED.match(rest)))
        method = re.search(r"-X (\w+)", line)
        single = re.search(r"-d '([^']*)'", line)
        double = re.search(r'-d "((?:[^"\\]|\\.)*)"', line)
        body = (
            single.group(1) if single else (double.group(1).replace('\\"', '"') if double else None)
        )
        url = re.search(r'(\$API[^\s")]*)', line).group(1)
        calls.append(Call(method.group(1) if method else "GET", url, body, status))
    return calls


def _expand(text: str, env: dict) -> str:
    return re.sub(r"\$(\w+)", lambda m: env[m.group(1)], text)


def test_the_session_creates_previews_transfers_and_resets_in_that_order():
    steps = [(call.method, call.url.split("?")[0]) for call in _calls()]

    assert steps[0] == ("POST", "$API/sandbox/customers")
    assert steps.index(("GET", "$API/partners/potential-customers/$DOMAIN")) == 1
    assert steps.index(("POST", "$API/partners/potential-customers/$DOMAIN/transfer")) == 2
    assert ("POST", "$API/sandbox/customers/$DOMAIN/reset") in steps[3:]


def test_every_call_of_the_readme_session_answers_as_the_readme_says(client):
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "create_api_token",
        "staff@abc.example",
        "--name",
        "sandbox",
        stdout=out,
        stderr=io.StringIO(),
    )
    headers = {"Authorization": f"Bearer {out.getvalue().strip()}"}
    env = {"API": "/api/v1"}

    for call in _calls():
        response = client.generic(
            call.method,
            _expand(call.url, env),
            _expand(call.body, env) if call.body else "",
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == call.status, (call, response.content)
        if call.url == "$API/sandbox/customers":
            created = json.loads(response.content)
            env.update(DOMAIN=created["domain"], CODE=created["partnerCode"])
