"""Real receivers on 127.0.0.1 for the webhook tests, and the task queue's controls.

`Receiver` records every request and answers what the test scripts; `SilentServer`
accepts connections and never says a word; `ReservedPort` is a port that refuses
connections until a receiver is started on it (an endpoint that is down for a while).
"""

import contextlib
import json
import signal
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from webhooks.models import WebhookDelivery

WAIT_SECONDS = 20


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    @property
    def signature(self) -> str:
        return self.headers["X-Worksadmin-Signature"]


class Receiver(ThreadingHTTPServer):
    """Answers each POST with the next of `statuses` (then 200), after `release` is set
    when `hold` is on; `requests` keeps what arrived, in order."""

    daemon_threads = True

    def __init__(self, port: int = 0, *, statuses=(), body: bytes = b"ok"):
        super().__init__(("127.0.0.1", port), _Handler)
        self.statuses = list(statuses)
        self.body = body
        self.headers: dict[str, str] = {}
        self.requests: list[Received] = []
        self.arrived = threading.Condition()
        self.hold = False
        self.release = threading.Event()
        # A short poll: shutdown() waits for it, once per test.
        threading.Thread(target=self.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"

    def events(self) -> list[dict]:
        return [request.event for request in self.requests]

    def wait_for(self, count: int, timeout: float = WAIT_SECONDS) -> list[Received]:
        """Block until `count` requests have arrived (a test fails on the timeout)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout)
        assert len(self.requests) >= count, f"{len(self.requests)} of {count} requests arrived"
        return self.requests

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        with server.arrived:
            server.requests.append(Received(self.path, dict(self.headers), body))
            status = server.statuses.pop(0) if server.statuses else 200
            server.arrived.notify_all()
        if server.hold:
            server.release.wait(WAIT_SECONDS)
        self.send_response(status)
        for name, value in server.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(server.body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client read what it wanted and hung up
            self.wfile.write(server.body)

    def log_message(self, format, *args):  # noqa: A002
        pass


class SilentServer:
    """A port that accepts connections (the kernel completes them) and never answers."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hooks"

    def close(self) -> None:
        self.listener.close()


class ReservedPort:
    """Refuses connections (bound, not listening) until `start()` puts a Receiver on it."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.receiver: Receiver | None = None

    def start(self, **kwargs) -> Receiver:
        self._socket.close()
        self.receiver = Receiver(self.port, **kwargs)
        return self.receiver

    def close(self) -> None:
        self._socket.close()
        if self.receiver is not None:
            self.receiver.stop()


@contextmanager
def signal_handlers_kept():
    """db_worker installs its own shutdown handlers; give pytest its own back."""
    numbers = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    kept = {number: signal.getsignal(number) for number in numbers}
    try:
        yield
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)


def drain_queue() -> None:
    """`manage.py db_worker --batch`: run every task that is due, then exit."""
    with signal_handlers_kept():
        call_command(
            "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
        )


def pending_tasks():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY)


def pending_deliveries():
    """The queue's runs of webhook_deliver still to come (retries, lease ends)."""
    return pending_tasks().filter(task_path="webhooks.tasks.webhook_deliver")


def let_time_pass() -> None:
    """Every retry delay and every lease runs out (instead of sleeping through them)."""
    past = timezone.now() - timezone.timedelta(seconds=1)
    pending_tasks().update(run_after=past)
    deliveries = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    deliveries.exclude(next_attempt_at=None).update(next_attempt_at=past)
    deliveries.exclude(lease_until=None).update(lease_until=past)
