"""API tokens: how a partner's system signs in to the API as one of its staff.

A token is `wa_` and 43 URL-safe characters from `secrets` (256 bits). Only its SHA-256 is
stored, so a leaked database holds no usable token; the secret is shown once, at creation.
Looking a token up by its hash compares no secret byte by byte, so it leaks nothing by timing.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AuditEvent, User
from accounts.services import audit_record
from core.prepared import PreparedGet

from . import errors
from .models import ApiToken

TOKEN_PREFIX = "wa_"  # noqa: S105 - the public marker every token starts with
# What lists show of a token: enough to tell tokens apart, far too little to guess one.
SHOWN_PREFIX_LENGTH = 10
# A real token is 46 characters; anything much longer is not worth hashing.
MAX_TOKEN_LENGTH = 200
# The token page shows the last use to the minute; it is written no more often than that.
LAST_USE_RESOLUTION = timedelta(minutes=1)

STAFF_ONLY = _("APIトークンはパートナー担当者のみ作成できます。")
OTHER_PARTNERS_TOKEN = _("他のパートナーのAPIトークンは操作できません。")


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(
    *, staff: User, name: str, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token acting as `staff` for their partner, and its secret, which is never stored.

    Only active partner staff may hold tokens, at most API_TOKENS_PER_STAFF live ones each
    (a revoked token frees its place).
    """
    now = now or timezone.now()
    if not (staff.is_partner_staff and staff.is_active):
        raise errors.NotAllowed(STAFF_ONLY)
    # The staff member's row is the lock: two creations at once cannot both take the last place.
    User.objects.select_for_update().filter(pk=staff.pk).first()
    live = ApiToken.objects.filter(created_by=staff, revoked_at__isnull=True)
    if live.count() >= settings.API_TOKENS_PER_STAFF:
        raise errors.TokenLimitReached(settings.API_TOKENS_PER_STAFF)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        partner=staff.partner,
        created_by=staff,
        name=name.strip(),
        prefix=raw[:SHOWN_PREFIX_LENGTH],
        token_hash=token_digest(raw),
        created_at=now,
    )
    token.full_clean()
    token.save()
    audit_record(
        action=AuditEvent.Action.API_TOKEN_CREATED,
        actor=staff,
        partner=staff.partner,
        details={"token": token.prefix, "name": token.name},
        now=now,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, now: datetime | None = None) -> ApiToken:
    """From now on the token authenticates nothing. Any staff member of the token's partner
    may revoke it; revoking a revoked token changes nothing."""
    now = now or timezone.now()
    if not (by.is_partner_staff and by.partner_id == token.partner_id):
        raise errors.NotAllowed(OTHER_PARTNERS_TOKEN)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(
            action=AuditEvent.Action.API_TOKEN_REVOKED,
            actor=by,
            partner=token.partner,
            details={"token": token.prefix, "name": token.name},
            now=now,
        )
    return token


# A live token by its secret's digest, with its partner and staff member (SQL built once).
_LIVE_TOKEN = PreparedGet(
    ApiToken.objects.select_related("partner", "created_by").filter(revoked_at__isnull=True),
    key="token_hash",
)


def api_token_authenticate(raw: str, *, now: datetime | None = None) -> ApiToken | None:
    """The live token whose secret is `raw`, its last use brought up to `now` (to the
    minute); None for anything else.

    A token stops working when it is revoked, or when the staff member it acts as is
    deactivated or no longer belongs to its partner. The last use is written at most once
    per LAST_USE_RESOLUTION: a partner's system calling many times a minute would otherwise
    pay a write (a commit, an fsync) on every call.
    """
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    now = now or timezone.now()
    token = _LIVE_TOKEN.get(token_digest(raw))
    if token is None:
        return None
    staff = token.created_by
    if not (staff.is_active and staff.is_partner_staff and staff.partner_id == token.partner_id):
        return None
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_RESOLUTION:
        return token
    # Conditional on not being revoked meanwhile: a concurrent revocation wins.
    used = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(last_used_at=now)
    if not used:
        return None
    token.last_used_at = now
    return token
