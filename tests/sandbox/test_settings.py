"""SANDBOX: off unless the environment turns it on; `make run`'s .env does."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROBE = "import worksadmin.settings as s; print(s.SANDBOX, s.SANDBOX_CUSTOMER_LIMIT)"


def _settings_with(**env) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter on a fixed probe
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"PATH": "", "SECRET_KEY": "probe", **env},
    )
    return result.stdout.strip()


def test_production_has_no_sandbox_unless_asked():
    assert _settings_with() == "False 100"


def test_the_environment_turns_it_on_and_sets_the_limit():
    assert _settings_with(SANDBOX="true", SANDBOX_CUSTOMER_LIMIT="5") == "True 5"


def test_make_runs_dot_env_turns_it_on():
    lines = (Path(settings.BASE_DIR) / ".env.example").read_text().splitlines()

    assert "SANDBOX=true" in lines


def test_the_test_settings_turn_it_on():
    assert settings.SANDBOX is True
