"""POSTing a webhook without letting its URL reach into our own network (SSRF).

- https:// only, to public addresses; http:// and private, loopback or link-local
  addresses only with WEBHOOK_ALLOW_PRIVATE (development);
- the name is resolved once, at send time, every answer is checked, and the connection goes
  to the checked address, with the name as Host, TLS SNI and the certificate's subject:
  a DNS answer that changes between the check and the connection (rebinding) is never used;
- no redirects, no proxies from the environment, no retries inside an attempt;
- connect and each read have a timeout, the whole attempt a deadline, and at most
  MAX_RESPONSE_BYTES of the answer are read.

Built on urllib3's connection class, which pins an address while checking the name.
"""

import contextlib
import http.client
import ipaddress
import socket
import threading
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import urllib3
from django.utils.translation import gettext_lazy as _
from urllib3.util.ssl_match_hostname import CertificateError

MAX_RESPONSE_BYTES = 64 * 1024
# Ranges Python 3.12's `is_global` may still call global, that embed or reach other addresses.
_EXTRA_DENY = [
    ipaddress.ip_network(network)
    for network in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "100.64.0.0/10")
]
LOCAL_NAMES = ("localhost", "localhost.localdomain")

SCHEME_NOT_ALLOWED = _("URLは https:// で始めてください。")
CREDENTIALS_NOT_ALLOWED = _("URLにユーザー名やパスワードを含めることはできません。")
NO_HOST = _("URLのホスト名を入力してください。")
BAD_PORT = _("URLのポート番号が正しくありません。")
PRIVATE_ADDRESS = _("社内ネットワークやループバックのアドレスには送信できません。")
NOT_RESOLVED = _("ホスト名を解決できません。")


class BlockedDestination(Exception):
    """The URL may not be called at all: a final answer, not worth a retry."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


class TransportError(Exception):
    """The attempt failed on the way (DNS, connection, TLS, timeout): worth a retry."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    truncated: bool
    retry_after: str | None


def ip_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, *, allow_private: bool) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified:
        return False
    if allow_private:
        return True
    return ip.is_global and not any(ip in network for network in _EXTRA_DENY)


def url_check(url: str, *, allow_private: bool) -> SplitResult:
    """What can be said of `url` without resolving it; BlockedDestination if it may not be
    used. Resolving (and checking every address) happens at each send."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_private and scheme == "http"):
        raise BlockedDestination(SCHEME_NOT_ALLOWED)
    if parts.username is not None or parts.password is not None:
        raise BlockedDestination(CREDENTIALS_NOT_ALLOWED)
    host = _ascii_host(parts.hostname or "")
    try:
        port = parts.port  # urlsplit checks the port when it is read
    except ValueError as exc:
        raise BlockedDestination(BAD_PORT) from exc
    if port == 0:
        raise BlockedDestination(BAD_PORT)
    if allow_private:
        return parts
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        raise BlockedDestination(PRIVATE_ADDRESS)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return parts
    if not ip_allowed(literal, allow_private=False):
        raise BlockedDestination(PRIVATE_ADDRESS)
    return parts


def _ascii_host(hostname: str) -> str:
    """The host as DNS, SNI and Host see it: IDNA for a name in other scripts."""
    host = hostname.rstrip(".")
    if not host:
        raise BlockedDestination(NO_HOST)
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise BlockedDestination(NO_HOST) from exc


def address_resolve(host: str, port: int, *, allow_private: bool, resolver=socket.getaddrinfo):
    """One checked address of `host`; BlockedDestination if ANY of its addresses is not
    allowed (an attacker's name may mix a private answer among public ones)."""
    try:
        answers = resolver(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(str(NOT_RESOLVED)) from exc
    addresses = [ipaddress.ip_address(sockaddr[0].split("%", 1)[0]) for *_, sockaddr in answers]
    if not addresses:
        raise TransportError(str(NOT_RESOLVED))
    for address in addresses:
        if not ip_allowed(address, allow_private=allow_private):
            raise BlockedDestination(PRIVATE_ADDRESS)
    return str(addresses[0])


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    timeout: float,
    ca_certs: str | None = None,
    resolver=socket.getaddrinfo,
) -> Response:
    """POST `body` to `url` once; the answer, or BlockedDestination / TransportError."""
    parts = url_check(url, allow_private=allow_private)
    https = parts.scheme.lower() == "https"
    host = _ascii_host(parts.hostname)
    port = parts.port or (443 if https else 80)
    address = address_resolve(host, port, allow_private=allow_private, resolver=resolver)
    connection = _connection(https, address, host, port, timeout=timeout, ca_certs=ca_certs)
    host_header = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        host_header += f":{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    cut = threading.Event()
    deadline = threading.Timer(3 * timeout, _cut_off, args=(connection, cut))
    deadline.daemon = True
    with contextlib.suppress(RuntimeError):  # no new thread while the process exits:
        deadline.start()  # the per-operation timeouts still bound the attempt
    try:
        connection.request(
            "POST",
            target,
            body=body,
            headers={**headers, "Host": host_header},
            preload_content=False,
            decode_content=False,
        )
        response = connection.getresponse()
        content, truncated = _read_bounded(response)
    except (
        OSError,
        http.client.HTTPException,
        urllib3.exceptions.HTTPError,
        CertificateError,  # the certificate names another host
    ) as exc:
        if cut.is_set():
            raise TransportError(_deadline_passed(timeout)) from exc
        raise TransportError(_describe(exc)) from exc
    finally:
        deadline.cancel()
        connection.close()
    if cut.is_set():  # the answer ended because we cut it: it is not an answer
        raise TransportError(_deadline_passed(timeout))
    return Response(response.status, content, truncated, response.headers.get("Retry-After"))


def _deadline_passed(timeout: float) -> str:
    return f"TimeoutError: no complete answer within {3 * timeout:g} s"


def _connection(https: bool, address: str, host: str, port: int, *, timeout, ca_certs):
    if not https:
        return urllib3.connection.HTTPConnection(address, port, timeout=timeout)
    return urllib3.connection.HTTPSConnection(
        address,
        port,
        timeout=timeout,
        server_hostname=host,  # SNI
        assert_hostname=host,  # the certificate must name the host, not the address
        cert_reqs="CERT_REQUIRED",
        ca_certs=ca_certs,
    )


def _cut_off(connection, cut: threading.Event) -> None:
    """The attempt's deadline: a receiver that drips its answer cannot hold a worker."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # it may have closed on its own meanwhile
            sock.shutdown(socket.SHUT_RDWR)


def _read_bounded(response) -> tuple[bytes, bool]:
    content = bytearray()
    for chunk in response.stream(8192, decode_content=False):
        content += chunk
        if len(content) > MAX_RESPONSE_BYTES:
            return bytes(content[:MAX_RESPONSE_BYTES]), True
    return bytes(content), False


def _describe(exc: BaseException) -> str:
    """One line for the delivery log: the exception's class and the innermost reason."""
    reason = exc
    while getattr(reason, "reason", None) is not None and reason.reason is not reason:
        reason = reason.reason
    text = str(reason) or type(reason).__name__
    return f"{type(exc).__name__}: {text}"[:300]
