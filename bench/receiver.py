"""The partner's webhook endpoint in the webhook scenario: a local HTTP server that checks
each delivery's signature and answers 200 at once, so a delivery's cost is the app's own.

Served from threads of bench/run.py (not of a process that is measured). A delivery whose
signature does not verify with the endpoint's secret is counted as bad, never as arrived.
"""

import importlib.util
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SIGNATURE_HEADER = "X-Worksadmin-Signature"
PATH = "/bench/webhook"


def _documented_verify():
    """`verify` of docs/examples/webhook_receiver.py: the recipe partners are given."""
    path = Path(__file__).resolve().parent.parent / "docs" / "examples" / "webhook_receiver.py"
    spec = importlib.util.spec_from_file_location("webhook_receiver", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.verify


_verify = _documented_verify()


def signature_valid(header: str, body: bytes, secret: str) -> bool:
    """`t=<unix seconds>,v1=<hex>[,v1=<hex>]`, checked as the documented receiver checks it:
    any v1 is HMAC-SHA256(secret, "<t>.<body>"), and t is recent."""
    return _verify(secret, header, body)


class Receiver:
    def __init__(self):
        self.count = 0  # deliveries arrived with a valid signature
        self.bad = 0
        self.last_problem = ""
        self.secret = ""
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                problem = ""
                if self.path != PATH:
                    problem = f"POST to {self.path}"
                elif not signature_valid(
                    self.headers.get(SIGNATURE_HEADER, ""), body, receiver.secret
                ):
                    problem = "a signature that does not verify"
                elif b'"id"' not in body:
                    problem = "a body without the event's id"
                receiver.arrived(problem)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args):  # noqa: A002 - http.server's signature
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{PATH}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def expect(self, secret: str) -> None:
        """Start counting afresh, checking signatures with this endpoint secret."""
        with self._changed:
            self.secret, self.count, self.bad, self.last_problem = secret, 0, 0, ""

    def arrived(self, problem: str) -> None:
        with self._changed:
            if problem:
                self.bad += 1
                self.last_problem = problem
            else:
                self.count += 1
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until `count` good deliveries have arrived, at most `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= count, timeout=timeout)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
