import pytest

from tests.factories import (
    PartnerCodeFactory,
    PartnerFactory,
    UserFactory,
    WebhookEndpointFactory,
    WorksGroupFactory,
)

from .support import Receiver, ReservedPort, SilentServer


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    """Loopback receivers, short timeouts, a few attempts: development's settings, smaller."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3


@pytest.fixture
def database_queue(settings):
    """Production's wiring: every task goes through the django-tasks-db queue."""
    backend = {"BACKEND": "django_tasks_db.DatabaseBackend"}
    settings.TASKS = {"default": backend, "deferred": backend}


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def down_port():
    port = ReservedPort()
    yield port
    port.close()


@pytest.fixture
def other_partner(db):
    return PartnerFactory(name="XYZ 株式会社")


@pytest.fixture
def other_staff(other_partner):
    return UserFactory(staff=True, partner=other_partner)


@pytest.fixture
def endpoint_for(partner):
    """An endpoint of ABC 株式会社 (or `partner=`) at `url`."""

    def make(url: str, **fields):
        return WebhookEndpointFactory(partner=fields.pop("partner", partner), url=url, **fields)

    return make


@pytest.fixture
def open_code(db):
    """An open code of a new customer (a group of its own, with its super admin)."""

    def make(**fields):
        return PartnerCodeFactory(works_group=WorksGroupFactory(), **fields)

    return make
