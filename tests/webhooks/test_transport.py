"""The SSRF-safe POST: which URLs may be called, the address checked at send time and used
for the connection (DNS rebinding), TLS against the name, no redirects, bounded reads and a
deadline. Blocked URLs are refused before any socket opens; everything else talks to
servers on 127.0.0.1 only."""

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from webhooks import transport
from webhooks.transport import BlockedDestination, TransportError

from .support import Receiver

PRODUCTION = {"allow_private": False, "timeout": 1}
DEVELOPMENT = {"allow_private": True, "timeout": 1}


def _resolver(*answers: str):
    """A DNS that answers each lookup with the next of `answers` and counts the lookups."""
    queue = list(answers)
    calls = []

    def resolve(host, port, type=0):  # noqa: A002 - getaddrinfo's name
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        calls.append((host, address))
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    resolve.calls = calls
    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/",  # plain http
        "ftp://hooks.example.com/",
        "https://127.0.0.1/",
        "https://[::1]/",
        "https://localhost/",
        "https://api.localhost/",
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://[::ffff:127.0.0.1]/",
        "https://[fd00::1]/",
        "https://[fe80::1]/",
        "https://[64:ff9b::a00:1]/",
        "https://user:secret@hooks.example.com/",
        "https:///path-only",
        "https://hooks.example.com:99999/",
        "https://hooks.example.com:0/",
    ],
)
def test_a_url_that_may_not_be_called_is_refused_before_any_connection(url):
    resolver = _resolver("93.184.215.14")

    with pytest.raises(BlockedDestination):
        transport.post(url, b"{}", {}, resolver=resolver, **PRODUCTION)


@pytest.mark.parametrize(
    ("name", "answers"),
    [
        ("2130706433", ["127.0.0.1"]),  # a decimal address
        ("internal.example.com", ["10.0.0.5"]),
        ("mixed.example.com", ["93.184.215.14", "10.0.0.5"]),
        ("v6.example.com", ["::1"]),
    ],
)
def test_a_name_resolving_to_any_non_public_address_is_refused(name, answers):
    def resolver(host, port, type=0):  # noqa: A002
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, 1, 6, "", (a, port)) for a in answers
        ]

    with pytest.raises(BlockedDestination):
        transport.post(f"https://{name}/hooks", b"{}", {}, resolver=resolver, **PRODUCTION)


def test_a_name_in_another_script_is_looked_up_and_sent_as_idna(receiver):
    port = receiver.server_address[1]
    resolver = _resolver("127.0.0.1")

    transport.post(f"http://例え.テスト:{port}/hooks", b"{}", {}, resolver=resolver, **DEVELOPMENT)

    assert resolver.calls == [("xn--r8jz45g.xn--zckzah", "127.0.0.1")]
    assert receiver.requests[0].headers["Host"] == f"xn--r8jz45g.xn--zckzah:{port}"


def test_a_public_address_passes_the_check():
    assert (
        transport.address_resolve(
            "hooks.example.com", 443, allow_private=False, resolver=_resolver("93.184.215.14")
        )
        == "93.184.215.14"
    )


def test_the_connection_goes_to_the_address_that_was_checked(receiver):
    """DNS rebinding: the name is resolved once; a later, different answer is never used."""
    port = receiver.server_address[1]
    rebinding = _resolver("127.0.0.1", "10.0.0.1")

    response = transport.post(
        f"http://rebind.example.test:{port}/hooks", b"{}", {}, resolver=rebinding, **DEVELOPMENT
    )

    assert response.status == 200
    assert rebinding.calls == [("rebind.example.test", "127.0.0.1")]
    assert receiver.requests[0].headers["Host"] == f"rebind.example.test:{port}"


def test_a_redirect_is_answered_not_followed(receiver):
    receiver.statuses = [302]
    receiver.headers = {"Location": "http://127.0.0.1:1/elsewhere"}

    response = transport.post(receiver.url, b"{}", {}, **DEVELOPMENT)

    assert response.status == 302
    assert len(receiver.requests) == 1


def test_only_the_first_64_kib_of_an_answer_are_read(receiver):
    receiver.body = b"x" * 10_000_000

    response = transport.post(receiver.url, b"{}", {}, **DEVELOPMENT)

    assert len(response.body) == transport.MAX_RESPONSE_BYTES and response.truncated


def test_a_receiver_that_never_answers_costs_one_timeout(silent_server):
    started = time.monotonic()

    with pytest.raises(TransportError, match="timed out"):
        transport.post(silent_server.url, b"{}", {}, **DEVELOPMENT)

    assert time.monotonic() - started < 3


class _Drip(BaseHTTPRequestHandler):
    """Sends a header line every half second, forever: each read is quick, the answer never
    ends."""

    def do_POST(self):  # noqa: N802
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(40):
            try:
                self.wfile.write(b"X-Drip: 1\r\n")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.5)

    def log_message(self, format, *args):  # noqa: A002
        pass


def test_a_receiver_dripping_its_answer_is_cut_off_at_the_deadline():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(TransportError, match="no complete answer within 3 s"):
            transport.post(
                f"http://127.0.0.1:{server.server_address[1]}/", b"{}", {}, **DEVELOPMENT
            )
    finally:
        server.shutdown()
        server.server_close()

    assert time.monotonic() - started < 5


def test_a_port_where_nobody_listens_is_a_network_error(down_port):
    with pytest.raises(TransportError, match="Connection refused"):
        transport.post(down_port.url, b"{}", {}, **DEVELOPMENT)


# TLS ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate_authority():
    return trustme.CA()


@pytest.fixture
def tls_receiver(certificate_authority):
    """A receiver serving https for hooks.example.test, remembering the SNI it was sent."""
    server = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    certificate_authority.issue_cert("hooks.example.test").configure_cert(context)
    server.sni = []
    context.sni_callback = lambda sock, name, _context: server.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield server
    server.stop()


@pytest.fixture
def trusted_ca(certificate_authority, tmp_path):
    path = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(path))
    return str(path)


def test_https_goes_to_the_checked_address_with_the_name_as_host_and_sni(tls_receiver, trusted_ca):
    port = tls_receiver.server_address[1]

    response = transport.post(
        f"https://hooks.example.test:{port}/hooks",
        b"{}",
        {},
        resolver=_resolver("127.0.0.1"),
        ca_certs=trusted_ca,
        **DEVELOPMENT,
    )

    assert response.status == 200
    assert tls_receiver.sni == ["hooks.example.test"]
    assert tls_receiver.requests[0].headers["Host"] == f"hooks.example.test:{port}"


def test_a_certificate_for_another_name_is_refused(tls_receiver, trusted_ca):
    port = tls_receiver.server_address[1]

    with pytest.raises(TransportError, match="(?i)hostname|match"):
        transport.post(
            f"https://other.example.test:{port}/hooks",
            b"{}",
            {},
            resolver=_resolver("127.0.0.1"),
            ca_certs=trusted_ca,
            **DEVELOPMENT,
        )
    assert tls_receiver.requests == []


def test_a_certificate_from_an_unknown_authority_is_refused(tls_receiver):
    port = tls_receiver.server_address[1]

    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        transport.post(
            f"https://hooks.example.test:{port}/hooks",
            b"{}",
            {},
            resolver=_resolver("127.0.0.1"),
            **DEVELOPMENT,
        )
