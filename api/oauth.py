"""The token endpoint's rules: service-account sign-in (RFC 7523) and refresh (RFC 6749 §6).

Every refusal is an `OAuthError` carrying an RFC 6749 §5.2 error code. Its description is
plain ASCII English, as §5.2 requires of `error_description` (so it is not translated).
"""

import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import audit_record
from core import ratelimit
from core.outage import CACHE_OUTAGE_ERRORS
from core.prepared import PreparedGet, PreparedInsert

from . import credentials
from .assertions import InvalidAssertion, assertion_expiry, assertion_verify
from .models import AccessToken, ApiApp, RefreshToken, UsedAssertion
from .scopes import scope_format, scope_parse

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REFRESH_TOKEN = "refresh_token"  # noqa: S105 - the grant type's name
GRANT_TYPES = (JWT_BEARER, REFRESH_TOKEN)
TOKEN_TYPE = "Bearer"  # noqa: S105
PRUNED_KEY = "oauth:pruned"
PRUNE_EVERY_SECONDS = 60

# A sign-in's three rows, their INSERTs built once.
_USED_ASSERTIONS = PreparedInsert(UsedAssertion)
_REFRESH_TOKENS = PreparedInsert(RefreshToken)
_ACCESS_TOKENS = PreparedInsert(AccessToken)


class OAuthError(Exception):
    """A refusal of the token endpoint: `error` is RFC 6749's code, `status` 400 or 401."""

    def __init__(self, error: str, description: str, *, status: int = 400):
        self.error = error
        self.description = description
        self.status = status
        super().__init__(f"{error}: {description}")


def invalid_request(description: str) -> OAuthError:
    return OAuthError("invalid_request", description)


def invalid_client(description: str = "Client authentication failed.") -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


def invalid_grant(description: str) -> OAuthError:
    return OAuthError("invalid_grant", description)


def invalid_scope(description: str) -> OAuthError:
    return OAuthError("invalid_scope", description)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None


# The app of a client ID, with its partner and the staff member it acts as (SQL built once).
_LIVE_APP = PreparedGet(
    ApiApp.objects.select_related("partner", "created_by").filter(revoked_at__isnull=True),
    key="client_id",
)


def client_authenticate(*, client_id: str, client_secret: str) -> ApiApp:
    """The live app whose client ID and secret these are. The secret is compared as a hash in
    constant time; an unknown ID, a wrong secret, a revoked app and an app whose staff member
    left all read the same."""
    if not client_id or not client_secret:
        raise invalid_request("client_id and client_secret are required.")
    if max(len(client_id), len(client_secret)) > credentials.MAX_CREDENTIAL_LENGTH:
        raise invalid_client()
    app = _LIVE_APP.get(client_id)
    digest = credentials.token_digest(client_secret)
    if app is None or not hmac.compare_digest(app.client_secret_hash, digest):
        raise invalid_client()
    if not _acts_for_its_partner(app):
        raise invalid_client()
    return app


def _acts_for_its_partner(app: ApiApp) -> bool:
    staff = app.created_by
    return staff.is_active and staff.is_partner_staff and staff.partner_id == app.partner_id


def _granted_scopes(requested: str | None, allowed: list[str]) -> list[str]:
    """RFC 6749 §3.3: the requested scopes if the client may have them all; the client's own
    scopes when it asks for none."""
    if not requested or not requested.strip():
        return list(allowed)
    scopes = scope_parse(requested)
    if scopes is None:
        raise invalid_scope("Unknown scope. Scopes are partner and partner.read.")
    if not set(scopes) <= set(allowed):
        raise invalid_scope(f"The app may ask only for: {scope_format(allowed)}.")
    return scopes


def oauth_token_issue(
    *,
    client_id: str,
    client_secret: str,
    assertion: str | None,
    scope: str | None,
    now: datetime | None = None,
) -> IssuedTokens:
    """An access token and a refresh token for an app that proves itself twice: with its
    client secret and with an assertion signed by its private key. Each assertion is good for
    one exchange: the same one again, before it expires, is refused as a replay."""
    now = now or timezone.now()
    app = client_authenticate(client_id=client_id, client_secret=client_secret)
    if not assertion:
        raise invalid_request("assertion is required.")
    scopes = _granted_scopes(scope, app.scopes)
    try:
        claims = assertion_verify(app=app, assertion=assertion, now=now)
    except InvalidAssertion as exc:
        raise invalid_grant(str(exc)) from exc
    _expired_prune(now)
    spent = False
    try:
        with transaction.atomic():
            # First, so that a replay (the unique digest) ends the transaction before anything
            # is written, with no savepoint around it.
            _USED_ASSERTIONS.create(
                app=app,
                digest=credentials.token_digest(assertion),
                expires_at=assertion_expiry(claims),
            )
            spent = True
            refresh_raw = credentials.token_generate(credentials.REFRESH_TOKEN_PREFIX)
            refresh = _REFRESH_TOKENS.create(
                app=app,
                token_hash=credentials.token_digest(refresh_raw),
                scopes=scopes,
                created_at=now,
                expires_at=now + timedelta(days=settings.OAUTH_REFRESH_TOKEN_DAYS),
            )
            issued = _access_token_create(app, scopes, refresh, now, grant=JWT_BEARER)
    except IntegrityError as exc:
        if spent:
            raise
        raise invalid_grant("The assertion has already been used.") from exc
    return replace(issued, refresh_token=refresh_raw)


def _expired_prune(now: datetime) -> None:
    """Tokens past their expiry and spent assertions past theirs authenticate nothing (every
    check reads the expiry): keep the tables to the live ones. At most once a minute across
    the processes (a key in the cache), not three deletes on every sign-in; with the cache
    down, every sign-in prunes."""
    try:
        due = ratelimit.mark(PRUNED_KEY, window=PRUNE_EVERY_SECONDS)
    except CACHE_OUTAGE_ERRORS:
        due = True
    if due:
        with transaction.atomic():
            AccessToken.objects.filter(expires_at__lt=now).delete()
            RefreshToken.objects.filter(expires_at__lt=now).delete()
            UsedAssertion.objects.filter(expires_at__lt=now).delete()  # replays have expired


def oauth_token_refresh(
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str | None,
    scope: str | None,
    now: datetime | None = None,
) -> IssuedTokens:
    """A new access token for a refresh token of this app that has not expired, with its
    scopes (or fewer, if asked). The refresh token stays valid until its own expiry."""
    now = now or timezone.now()
    app = client_authenticate(client_id=client_id, client_secret=client_secret)
    if not refresh_token:
        raise invalid_request("refresh_token is required.")
    refresh = None
    if len(refresh_token) <= credentials.MAX_CREDENTIAL_LENGTH:
        refresh = RefreshToken.objects.filter(
            app=app, token_hash=credentials.token_digest(refresh_token), expires_at__gt=now
        ).first()
    if refresh is None:
        raise invalid_grant("The refresh token is wrong, expired or not this client's.")
    scopes = _granted_scopes(scope, refresh.scopes)
    with transaction.atomic():
        return _access_token_create(app, scopes, refresh, now, grant=REFRESH_TOKEN)


def _access_token_create(
    app: ApiApp, scopes: list[str], refresh: RefreshToken, now: datetime, *, grant: str
) -> IssuedTokens:
    raw = credentials.token_generate(credentials.ACCESS_TOKEN_PREFIX)
    lifetime = settings.OAUTH_ACCESS_TOKEN_SECONDS
    _ACCESS_TOKENS.create(
        app=app,
        refresh_token=refresh,
        token_hash=credentials.token_digest(raw),
        scopes=scopes,
        created_at=now,
        expires_at=now + timedelta(seconds=lifetime),
    )
    audit_record(
        action=AuditEvent.Action.API_APP_TOKEN_ISSUED,
        actor=app.created_by,
        partner=app.partner,
        details={"app": app.client_id, "grant_type": grant, "scope": scope_format(scopes)},
        now=now,
    )
    return IssuedTokens(access_token=raw, expires_in=lifetime, scope=scope_format(scopes))


# An access token of a live app by its secret's digest, with the app, its partner and staff
# member (SQL built once; the expiry is checked on the row, so that the key is the one value).
_LIVE_ACCESS_TOKEN = PreparedGet(
    AccessToken.objects.select_related("app__partner", "app__created_by").filter(
        app__revoked_at__isnull=True
    ),
    key="token_hash",
)


def access_token_authenticate(raw: str, *, now: datetime | None = None) -> AccessToken | None:
    """The live access token whose secret is `raw`, with its app, partner and staff member;
    None when it is wrong or expired, its app revoked or its staff member gone. One query."""
    if not raw or len(raw) > credentials.MAX_CREDENTIAL_LENGTH:
        return None
    now = now or timezone.now()
    token = _LIVE_ACCESS_TOKEN.get(credentials.token_digest(raw))
    if token is None or token.expires_at <= now or not _acts_for_its_partner(token.app):
        return None
    return token
