"""Endpoint secrets and the signature every delivery carries.

A secret is `whsec_` and 43 URL-safe characters from `secrets` (256 bits). Signing needs it
in clear, so it cannot be stored hashed like an API token; it is stored encrypted with Fernet
(AES-128-CBC and HMAC-SHA256, from `cryptography`) under WEBHOOK_SECRET_KEYS, or under a key
derived from SECRET_KEY when none is set. A copy of the database alone reveals no secret.

    X-Worksadmin-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

During a rotation's overlap the header carries one `v1=` per secret, the new one first.
"""

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core import checks
from django.utils.crypto import salted_hmac

SECRET_PREFIX = "whsec_"  # noqa: S105 - the public marker every secret starts with
SIGNATURE_HEADER = "X-Worksadmin-Signature"
_KEY_SALT = "worksadmin.webhooks.secret-encryption"


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _derived_key() -> bytes:
    digest = salted_hmac(_KEY_SALT, "", secret=settings.SECRET_KEY, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    """The configured keys, then the one derived from SECRET_KEY (so that secrets stored
    before WEBHOOK_SECRET_KEYS was set can still be read)."""
    keys = [*settings.WEBHOOK_SECRET_KEYS, _derived_key()]
    return MultiFernet([Fernet(key) for key in keys])


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode("ascii")


def secret_decrypt(stored: str) -> str:
    return _fernet().decrypt(stored.encode("ascii")).decode()


def signature_make(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    """The X-Worksadmin-Signature value of `body` sent at `timestamp`, one v1= per secret."""
    signed = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"]
    for secret in secrets:
        parts.append("v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest())
    return ",".join(parts)


@checks.register(checks.Tags.security)
def check_secret_keys(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A key Fernet cannot use would break every webhook: say so when the app starts."""
    problems = []
    for index, key in enumerate(settings.WEBHOOK_SECRET_KEYS):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(
                checks.Error(
                    f"WEBHOOK_SECRET_KEYS[{index}] is not a Fernet key (32 url-safe base64 "
                    "bytes, e.g. from Fernet.generate_key()).",
                    id="webhooks.E001",
                )
            )
    return problems
