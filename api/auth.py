"""Who calls the API: `Authorization: Bearer <token>` resolved to a partner, a staff member and
the scopes the token carries.

Two kinds of token are accepted: a personal API token (`wa_…`, from the partner console's
APIトークン page), which carries the `partner` scope, and an OAuth access token (`at_…`,
from POST /oauth2/v2.0/token), which carries the scopes granted to it and acts as the staff
member who registered its app. Either way the API's services see a partner and a staff
member, so the checks, the rate limit, the audit trail and the e-mails are the page's.

An inactive partner's tokens are refused (403) for every operation. Scopes are enforced here,
by method, for every operation: `partner.read` allows reads (GET),
`partner` allows reads and writes. A call outside its token's scopes is 403 FORBIDDEN.
"""

from dataclasses import dataclass

from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from accounts.models import Partner, User
from partners import errors
from partners.tokens import api_token_authenticate

from .credentials import ACCESS_TOKEN_PREFIX
from .models import ApiApp
from .oauth import access_token_authenticate
from .refusals import InsufficientScope
from .scopes import PERSONAL_TOKEN_SCOPES, scope_format, scopes_allow, scopes_needed

SCHEME_DESCRIPTION = (
    "A personal API token (`wa_…`, partner console → APIトークン; scope `partner`) or an "
    "OAuth access token (`at_…`) from `POST /oauth2/v2.0/token`. `partner.read` allows every "
    "GET; `partner` allows writes too."
)


@dataclass(frozen=True)
class Caller:
    """`request.auth`: the partner a call acts for, the staff member it acts as, the scopes
    it may use, and the app it signed in as (None for a personal token)."""

    partner: Partner
    staff: User
    scopes: frozenset[str] = PERSONAL_TOKEN_SCOPES
    app: ApiApp | None = None


class InvalidToken(AuthenticationError):
    """A bearer token was sent, but it is wrong, expired or revoked, or its staff member left."""


class BearerToken(HttpBearer):
    openapi_description = SCHEME_DESCRIPTION

    def __call__(self, request):
        # Ninja's own version logs a non-Bearer Authorization header whole (with DEBUG on);
        # a credential must never reach a log, so the header is read here instead.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token: str) -> Caller | None:
        if not token:
            return None  # "Bearer" and nothing else: as if no token was sent
        caller = _caller(token)
        if caller is None:
            raise InvalidToken
        if not caller.partner.is_active:  # every operation, as the page refuses it too
            raise errors.PartnerInactive
        if not scopes_allow(caller.scopes, request.method):
            raise InsufficientScope(scope_format(scopes_needed(request.method)))
        return caller


def _caller(token: str) -> Caller | None:
    if token.startswith(ACCESS_TOKEN_PREFIX):
        access = access_token_authenticate(token)
        if access is None:
            return None
        app = access.app
        return Caller(
            partner=app.partner, staff=app.created_by, scopes=frozenset(access.scopes), app=app
        )
    api_token = api_token_authenticate(token)
    if api_token is None:
        return None
    return Caller(partner=api_token.partner, staff=api_token.created_by)
