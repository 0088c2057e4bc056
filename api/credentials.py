"""The random parts of an app and of its tokens, all from `secrets`, and its RSA key pair from
`cryptography` (no key material is ever built by hand)."""

import secrets
import string
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from partners.tokens import token_digest

from .models import SERVICE_ACCOUNT_SUFFIX

CLIENT_ID_ALPHABET = string.ascii_letters + string.digits
CLIENT_ID_LENGTH = 20  # like the Developer Console's client IDs; 119 bits
SERVICE_ACCOUNT_ALPHABET = string.ascii_lowercase + string.digits
RSA_KEY_BITS = 2048
RSA_PUBLIC_EXPONENT = 65537
# What our tokens start with: tells an OAuth access token from a personal token (`wa_`).
ACCESS_TOKEN_PREFIX = "at_"  # noqa: S105 - a public marker, not a secret
REFRESH_TOKEN_PREFIX = "rt_"  # noqa: S105
MAX_CREDENTIAL_LENGTH = 200  # a real secret or token is under 50 characters

__all__ = ["KeyPair", "token_digest"]


@dataclass(frozen=True)
class KeyPair:
    private_pem: str  # PKCS#8, shown once and never stored
    public_pem: str  # SubjectPublicKeyInfo, what we keep


def client_id_generate() -> str:
    return "".join(secrets.choice(CLIENT_ID_ALPHABET) for _ in range(CLIENT_ID_LENGTH))


def client_secret_generate() -> str:
    return secrets.token_urlsafe(24)


def service_account_generate() -> str:
    """`x7k2pq9a.serviceaccount`: an ID ending in `serviceaccount`, as the real ones do."""
    local = "".join(secrets.choice(SERVICE_ACCOUNT_ALPHABET) for _ in range(8))
    return f"{local}.{SERVICE_ACCOUNT_SUFFIX}"


def token_generate(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def key_pair_generate() -> KeyPair:
    key = rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem=private_pem.decode("ascii"), public_pem=public_pem.decode("ascii"))


def public_key_load(pem: str) -> rsa.RSAPublicKey:
    return serialization.load_pem_public_key(pem.encode("ascii"))
