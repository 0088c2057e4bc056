"""OAuth scopes, as the LINE WORKS Partner API names them: `partner.read` allows every read,
`partner` allows reads and writes. The rule is by HTTP method, so every endpoint (today's and
any added later) is covered without declaring anything on it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    PARTNER = "partner", _("partner（参照と更新）")
    PARTNER_READ = "partner.read", _("partner.read（参照のみ）")


# Reads: what a GET (or HEAD, OPTIONS) may do. Writes: everything else.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_SCOPES = frozenset({Scope.PARTNER, Scope.PARTNER_READ})
WRITE_SCOPES = frozenset({Scope.PARTNER})
# Personal tokens (`wa_…`) act as the staff member in full, like the partner console.
PERSONAL_TOKEN_SCOPES = frozenset({Scope.PARTNER})


def scopes_needed(method: str) -> frozenset[str]:
    """Any one of these scopes allows a call with `method`."""
    return READ_SCOPES if method.upper() in READ_METHODS else WRITE_SCOPES


def scopes_allow(scopes: frozenset[str], method: str) -> bool:
    return bool(scopes & scopes_needed(method))


def scope_parse(raw: str) -> list[str] | None:
    """`"partner partner.read"` → the scopes in a stable order; None if one is unknown.

    RFC 6749 §3.3: space-delimited, order does not matter, repeats mean nothing.
    """
    names = set(raw.split())
    if not names <= set(Scope.values):
        return None
    return [scope for scope in Scope.values if scope in names]


def scope_format(scopes) -> str:
    return " ".join(scope for scope in Scope.values if scope in set(scopes))
