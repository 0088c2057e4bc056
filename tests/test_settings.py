"""Settings come from the environment; `.env` only when a command asks for it."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import environ, os\n"
    "read = []\n"
    "environ.Env.read_env = lambda *args, **kwargs: read.append(args)\n"
    "import {module}\n"
    "print(len(read))\n"
)


def _dot_env_reads(module: str, **env) -> int:
    result = subprocess.run(  # noqa: S603 - our own interpreter on a fixed probe
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"PATH": "", "SECRET_KEY": "probe", **env},
    )
    return int(result.stdout.strip())


def test_the_test_settings_never_read_a_developers_dot_env():
    assert _dot_env_reads("worksadmin.settings_test") == 0


def test_settings_read_dot_env_when_the_flag_asks():
    assert _dot_env_reads("worksadmin.settings", DJANGO_READ_DOT_ENV_FILE="true") == 1


def test_manage_py_commands_ask_for_dot_env():
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "import os; print(os.environ['DJANGO_READ_DOT_ENV_FILE'])",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"PATH": "", "SECRET_KEY": "probe", "DEBUG": "false"},
    )

    assert result.stdout.strip() == "true"


def _database_options(**env) -> dict:
    probe = (
        "import json, worksadmin.settings as s\n"
        "print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter on a fixed probe
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"PATH": "", "SECRET_KEY": "probe", **env},
    )
    return json.loads(result.stdout)


def test_postgresql_binds_parameters_on_the_server_unless_turned_off():
    url = "postgres://postgres@127.0.0.1:5432/x"

    on = _database_options(DATABASE_URL=url)
    off = _database_options(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")

    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    assert "server_side_binding" not in off and "prepare_threshold" not in off


def test_postgresql_keeps_generic_plans_unless_told_otherwise():
    url = "postgres://postgres@127.0.0.1:5432/x"

    default = _database_options(DATABASE_URL=url)
    auto = _database_options(DATABASE_URL=url, DATABASE_PLAN_CACHE_MODE="auto")
    own = _database_options(DATABASE_URL=f"{url}?options=-c%20work_mem%3D8MB")

    assert default["options"] == "-c plan_cache_mode=force_generic_plan"
    assert auto["options"] == "-c plan_cache_mode=auto"
    assert own["options"] == "-c work_mem=8MB -c plan_cache_mode=force_generic_plan"


def test_an_unknown_plan_cache_mode_is_refused_at_start():
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _database_options(
            DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", DATABASE_PLAN_CACHE_MODE="fast"
        )
    assert "DATABASE_PLAN_CACHE_MODE must be" in refused.value.stderr


def test_a_webhook_batch_smaller_than_one_is_refused_at_start():
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _database_options(WEBHOOK_BATCH_SIZE="0")
    assert "WEBHOOK_BATCH_SIZE must be 1 or more" in refused.value.stderr
