"""Who calls the API: `Authorization: Bearer <token>` resolved to a partner and a staff member."""

from dataclasses import dataclass

from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from accounts.models import Partner, User
from partners.tokens import api_token_authenticate


@dataclass(frozen=True)
class Caller:
    """The partner a call acts for and the staff member it acts as (`request.auth`)."""

    partner: Partner
    staff: User


class InvalidToken(AuthenticationError):
    """A bearer token was sent, but it is wrong, revoked, or its staff member left."""


class BearerToken(HttpBearer):
    """A personal API token (`wa_…`), created on the partner console's APIトークン page."""

    def authenticate(self, request, token: str) -> Caller | None:
        if not token:
            return None  # "Bearer" and nothing else: as if no token was sent
        api_token = api_token_authenticate(token)
        if api_token is None:
            raise InvalidToken
        return Caller(partner=api_token.partner, staff=api_token.created_by)
