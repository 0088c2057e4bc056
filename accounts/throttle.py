"""Log-in throttling: every password check (/login/, /ops/login/, the company-info gate)
goes through `password_attempt`.

At most LOGIN_RATE_LIMIT failures per account and per client address in
LOGIN_RATE_WINDOW_SECONDS; further attempts are refused, the right password too, before
any password is hashed, until the window closes. Built on `core.ratelimit` (not
django-axes, whose limits are one threshold shared by every key and which would let one
user's failures lock out another behind the same address; README, "Choices"):

- the account key counts failures on one e-mail address, from anywhere;
- the address key counts the *accounts* that failed from an address, not the attempts, so
  one person mistyping their own password never locks out a colleague behind the same
  address, while an address trying many accounts is stopped;
- a browser that has signed in to an account before carries a signed cookie saying so
  (`known_device_cookie`) and is counted on its own key instead of the two above, so a
  stranger's guesses on an account never lock its owner out of their own browser.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core import ratelimit
from core.errors import RateLimited

from .auditing import audit_record
from .models import AuditEvent, User

LOGIN_THROTTLED = _(
    "ログインの失敗が続いたため、一時的にログインを制限しています。%(minutes)s分後にもう一度お試しください。"
)
DEVICE_COOKIE = "wa_device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 60 * 60
DEVICE_SALT = "accounts.throttle.known-device"
# Accounts remembered per browser (the newest ones).
DEVICE_ACCOUNTS = 5


class LoginThrottled(RateLimited):
    code = "LOGIN_THROTTLED"

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(retry_after, LOGIN_THROTTLED % {"minutes": minutes})


@dataclass
class Attempt:
    """Handed to the password check: it calls `fail()` when the password was not right."""

    failed: bool = False
    reason: str = ""

    def fail(self, reason: str) -> None:
        self.failed = True
        self.reason = reason


@contextmanager
def password_attempt(
    *,
    email: str,
    client_ip: str | None,
    device: str | None = None,
    failure_action: str = AuditEvent.Action.LOGIN_FAILED,
) -> Iterator[Attempt]:
    """One password check for `email` under the limits.

    Raises LoginThrottled before the check (and audits the lock once per window) when a
    limit is reached. A failure the block reports keeps its place and is audited; anything
    else gives the place back. `device` is what `known_device(request, email)` returned.
    """
    email = email.strip().lower()
    account = _account_digest(email)
    keys, address_pair = _keys(account=account, client_ip=client_ip, device=device)
    window = settings.LOGIN_RATE_WINDOW_SECONDS
    wait = ratelimit.acquire(keys, limit=settings.LOGIN_RATE_LIMIT, window=window)
    if wait:
        _audit_lock(email=email, client_ip=client_ip, keys=keys, wait=wait)
        raise LoginThrottled(wait)
    attempt = Attempt()
    try:
        yield attempt
    finally:
        if attempt.failed:
            if address_pair:
                ratelimit.mark(address_pair, window=window)
            _audit(failure_action, email=email, client_ip=client_ip, reason=attempt.reason)
        else:
            ratelimit.release(keys)


def _keys(*, account: str, client_ip: str | None, device: str | None):
    if device:
        return [f"login-fail:device:{device}:{account}"], None
    keys = [f"login-fail:account:{account}"]
    if not client_ip:
        return keys, None
    # The address counts each account once per window: only an account that has not
    # failed from this address yet takes a place under it.
    pair = f"login-fail:address-account:{client_ip}:{account}"
    if not ratelimit.is_counted(pair):
        keys.append(f"login-fail:address:{client_ip}")
    return keys, pair


def _account_digest(email: str) -> str:
    return salted_hmac("accounts.throttle.account", email, algorithm="sha256").hexdigest()[:32]


def _audit(action: str, *, email: str, client_ip: str | None, reason: str = "") -> None:
    """Into the audit log of the account's group or partner when the e-mail is an
    account's: its admins see the attempts on their members."""
    user = User.objects.filter(email=email).select_related("works_group", "partner").first()
    details = {"ip": client_ip or ""}
    if reason:
        details["reason"] = reason
    audit_record(
        action=action,
        actor_label=email[:254],
        works_group=user.works_group if user else None,
        partner=user.partner if user else None,
        details=details,
    )


def _audit_lock(*, email: str, client_ip: str | None, keys: list[str], wait: int) -> None:
    """The first refusal of a window is audited; the ones after it are not."""
    if any(ratelimit.mark(f"{key}:lock-audited", window=wait) for key in keys):
        _audit(AuditEvent.Action.LOGIN_LOCKED, email=email, client_ip=client_ip)


# The known-device cookie -------------------------------------------------------------------


def known_device(request, email: str) -> str | None:
    """This browser's id if it has signed in to `email`'s account before, else None."""
    content = _device_content(request)
    if content and _account_digest(email.strip().lower()) in content["accounts"]:
        return content["id"]
    return None


def known_device_cookie(request, email: str) -> str:
    """The cookie value after a successful log-in to `email`'s account in this browser."""
    content = _device_content(request) or {"id": secrets.token_urlsafe(16), "accounts": []}
    account = _account_digest(email.strip().lower())
    accounts = [a for a in content["accounts"] if a != account][-(DEVICE_ACCOUNTS - 1) :]
    return signing.dumps({"id": content["id"], "accounts": [*accounts, account]}, salt=DEVICE_SALT)


def remember_device(request, response, email: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        known_device_cookie(request, email),
        max_age=DEVICE_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _device_content(request) -> dict | None:
    raw = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not raw:
        return None
    try:
        content = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(content, dict) or not isinstance(content.get("accounts"), list):
        return None
    return content
