"""docs/examples/partner_client.py, the README's script, run as a partner would run it: a
separate process talking HTTP to a live server loaded with the demo data. If the API drifts
from what the README shows, this fails."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import WorksGroup
from api.models import ApiApp
from partners import services
from partners.models import PartnerCode

SCRIPT = Path(settings.BASE_DIR) / "docs" / "examples" / "partner_client.py"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo_customers", stdout=StringIO())
    kaisha = WorksGroup.objects.get(domain="kaisha")
    return services.code_issue(works_group=kaisha, by=kaisha.super_admin)


def _credentials(tmp_path, scopes: str) -> Path:
    out = StringIO()
    call_command(
        "create_api_app", "staff@abc.example", "--scopes", scopes, stdout=out, stderr=StringIO()
    )
    path = tmp_path / f"credentials-{scopes.replace(' ', '-')}.json"
    path.write_text(out.getvalue())
    return path


def _run(credentials: Path, live_server, code: PartnerCode) -> list[str]:
    finished = subprocess.run(  # noqa: S603 - our own script, our own interpreter
        [sys.executable, str(SCRIPT), str(credentials), live_server.url, "kaisha", code.code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.splitlines()


def test_the_readme_script_lists_reads_and_transfers(tmp_path, live_server, demo):
    lines = _run(_credentials(tmp_path, "partner"), live_server, demo)

    assert lines[0] == "3 customers: さくら商事株式会社, ひかり物産株式会社, みどり工業株式会社"
    assert lines[1] == "さくら商事株式会社 STD"
    assert lines[2] == 'transfer: 202 {"domain": "kaisha", "status": "VERIFIED"}'
    demo.refresh_from_db()
    assert demo.status == PartnerCode.Status.VERIFIED
    assert demo.verified_by.email == "staff@abc.example"


def test_the_same_script_with_a_read_only_app_is_refused_the_transfer(tmp_path, live_server, demo):
    lines = _run(_credentials(tmp_path, "partner.read"), live_server, demo)

    assert lines[0].startswith("3 customers:")
    status, body = lines[2].removeprefix("transfer: ").split(" ", 1)
    assert status == "403"
    assert json.loads(body)["code"] == "FORBIDDEN"
    demo.refresh_from_db()
    assert demo.status == PartnerCode.Status.ISSUED
    assert ApiApp.objects.get().scopes == ["partner.read"]
