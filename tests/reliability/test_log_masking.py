"""The partner API's GET carries the code as `?partnerCode=`; no request log keeps it
(issue 16, item 4b): runserver's, Django's and gunicorn's access and error logs."""

import logging
import runpy
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from gunicorn.config import Config

from core.redaction import mask_query_secrets
from partners.tokens import api_token_create
from tests.factories import PartnerCodeFactory, UserFactory

CODE = "ERVABCDEFGHJKMNPQLZ2"
API_PATH = "/api/v1/partners/potential-customers/mizl"


class Collect(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None = None):
        super().__init__()
        self.lines: list[str] = []
        if formatter:
            self.setFormatter(formatter)

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def collect():
    """Collects what the named logger emits, through the handler's own formatting."""
    attached = []

    def attach(name: str) -> Collect:
        logger = logging.getLogger(name)
        configured = logger.handlers[0].formatter if logger.handlers else None
        handler = Collect(configured)
        logger.addHandler(handler)
        attached.append((logger, handler))
        return handler

    yield attach
    for logger, handler in attached:
        logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("query", "masked"),
    [
        (f"?partnerCode={CODE}", "?partnerCode=********"),
        (f"?a=1&partnerCode={CODE}&b=2", "?a=1&partnerCode=********&b=2"),
        (f"?PARTNERCODE={CODE}", "?PARTNERCODE=********"),
        (f"?partner%43ode={CODE}", "?partner%43ode=********"),
        ("?partnerCode=", "?partnerCode=********"),
        ("?code=visible", "?code=visible"),
    ],
)
def test_secret_query_parameters_are_masked_in_any_text(query, masked):
    assert mask_query_secrets(f'"GET {API_PATH}{query} HTTP/1.1" 200') == (
        f'"GET {API_PATH}{masked} HTTP/1.1" 200'
    )


def test_the_development_servers_request_log_masks_the_code(collect):
    """What runserver writes for each request, through its own handler's formatting."""
    output = collect("django.server")
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.client_address = ("127.0.0.1", 50000)
    handler.requestline = f"GET {API_PATH}?partnerCode={CODE} HTTP/1.1"

    handler.log_request(404, 120)

    assert len(output.lines) == 1
    assert CODE not in output.lines[0]
    assert "partnerCode=********" in output.lines[0]


def test_every_configured_request_log_carries_the_filter():
    for name in ("django.server", "django.request"):
        assert "secret_query" in settings.LOGGING["loggers"][name]["filters"]
    for name in ("console", "django.server"):
        assert "secret_query" in settings.LOGGING["handlers"][name]["filters"]


@pytest.mark.django_db
def test_a_request_with_the_code_in_its_query_leaves_it_in_no_log_record(client, caplog):
    caplog.set_level(logging.DEBUG)
    code = PartnerCodeFactory()
    _token, secret = api_token_create(staff=UserFactory(staff=True), name="基幹システム")
    logging.getLogger("django.request").warning("Seen: %s", f"{API_PATH}?partnerCode={CODE}")

    client.get(
        f"/api/v1/partners/potential-customers/{code.works_group.domain}",
        {"partnerCode": CODE},
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert "django.request" in {record.name for record in caplog.records}
    assert CODE not in caplog.text
    assert all(CODE not in record.getMessage() for record in caplog.records)


def _gunicorn_logger(tmp_path):
    """gunicorn's logger as `gunicorn -c gunicorn.conf.py` builds it, writing to files."""
    cfg = Config()
    for name, value in runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    return cfg.logger_class(cfg)


def test_the_shipped_gunicorn_config_masks_the_code_in_the_access_log(tmp_path):
    logger = _gunicorn_logger(tmp_path)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{API_PATH}?partnerCode={CODE}",
        "PATH_INFO": API_PATH,
        "QUERY_STRING": f"partnerCode={CODE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": f"https://partner.example{API_PATH}?partnerCode={CODE}",
    }
    response = SimpleNamespace(status="404 Not Found", sent=120, headers=[])
    request = SimpleNamespace(headers=[("USER-AGENT", "curl/8")])

    logger.access(response, request, environ, timedelta(milliseconds=12))

    line = (tmp_path / "access.log").read_text()
    assert f'"GET {API_PATH}?partnerCode=******** HTTP/1.1" 404 120' in line
    assert CODE not in line


def test_the_shipped_gunicorn_config_masks_the_code_in_the_error_log(tmp_path):
    logger = _gunicorn_logger(tmp_path)

    try:
        raise RuntimeError("worker failed")
    except RuntimeError:
        logger.exception("Error handling request %s", f"{API_PATH}?partnerCode={CODE}")

    text = (tmp_path / "error.log").read_text()
    assert "Error handling request" in text
    assert CODE not in text
