"""A worksadmin webhook receiver in the standard library: it checks each request's signature,
drops requests older than five minutes and events it has already seen, and prints the rest.

    python docs/examples/webhook_receiver.py --port 9000 --secret whsec_...
    python docs/examples/webhook_receiver.py --port 9000 --secret whsec_... --fail-first 1

`verify` is the part every receiver needs. During a secret rotation pass the new secret: the
header then carries a signature with each secret, and one match is enough.
"""

import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1024 * 1024


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """Does X-Worksadmin-Signature `header` sign the raw `body` with `secret`, recently?"""
    fields = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for key, value in fields if key == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    if abs((time.time() if now is None else now) - int(stamps[0])) > 5 * 60:
        return False
    expected = hmac.new(secret.encode(), stamps[0].encode() + b"." + body, hashlib.sha256)
    return any(hmac.compare_digest(expected.hexdigest(), v) for k, v in fields if k == "v1")


class Receiver(ThreadingHTTPServer):
    """Keeps every verified event (`events`) and answers 500 to the first `fail_first`."""

    def __init__(self, port: int, secret: str, *, fail_first: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.secret, self.fail_first = secret, fail_first
        self.events: list[dict] = []
        self.seen: set[str] = set()
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY))
        if not verify(self.server.secret, self.headers.get("X-Worksadmin-Signature", ""), body):
            return self._answer(401, "bad signature")
        with self.server.lock:
            if self.server.fail_first > 0:
                self.server.fail_first -= 1
                return self._answer(500, "failing on purpose")
            event = json.loads(body)
            if event["id"] not in self.server.seen:  # a retry of an event already handled
                self.server.seen.add(event["id"])
                self.server.events.append(event)
                print(event["type"], json.dumps(event["data"], ensure_ascii=False), flush=True)
        self._answer(200, "ok")

    def _answer(self, status: int, text: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, format, *args):  # noqa: A002 - keep the output to the events
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--fail-first", type=int, default=0, help="answer 500 to the first N")
    arguments = parser.parse_args()
    print(f"listening on http://127.0.0.1:{arguments.port}/", flush=True)
    Receiver(arguments.port, arguments.secret, fail_first=arguments.fail_first).serve_forever()
