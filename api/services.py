"""Registering and managing apps: the Developer Console's part of service-account sign-in.

Each verb takes keyword arguments and `now=None`, runs in one transaction, locks the app it
changes and records an audit event. Secrets (the client secret, the private key) are returned
once and never stored: the app keeps the secret's SHA-256 and the public key only.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.services import audit_record

from . import credentials, refusals
from .models import ApiApp
from .scopes import scope_format, scope_parse


@dataclass(frozen=True)
class AppCredentials:
    """What the app's owner is shown once: the management command prints it as JSON."""

    app: ApiApp
    client_secret: str | None = None
    private_key: str | None = None

    def as_json(self) -> dict:
        return {
            "clientId": self.app.client_id,
            "clientSecret": self.client_secret,
            "serviceAccount": self.app.service_account,
            "privateKey": self.private_key,
            "scope": scope_format(self.app.scopes),
        }


def _staff_only(staff: User) -> None:
    if not (staff.is_partner_staff and staff.is_active):
        raise refusals.AppStaffOnly


def _scopes_clean(scopes) -> list[str]:
    if not scopes:
        raise refusals.InvalidScopes(refusals.SCOPES_REQUIRED)
    parsed = scope_parse(" ".join(scopes))
    if parsed is None:
        raise refusals.InvalidScopes
    return parsed


def _locked_for_change(app: ApiApp, by: User) -> ApiApp:
    """The app, locked, if `by` may change it: a staff member of its partner, app not revoked."""
    if not (by.is_partner_staff and by.partner_id == app.partner_id):
        raise refusals.OtherPartnersApp
    app = ApiApp.objects.select_for_update().get(pk=app.pk)
    if app.is_revoked:
        raise refusals.AppRevoked
    return app


def _audit(action: str, app: ApiApp, by: User, now: datetime) -> None:
    audit_record(
        action=action,
        actor=by,
        partner=app.partner,
        details={"app": app.client_id, "name": app.name},
        now=now,
    )


@transaction.atomic
def api_app_create(
    *, staff: User, name: str, scopes, now: datetime | None = None
) -> AppCredentials:
    """A new app of the staff member's partner, acting as that staff member, with its client
    secret and private key (shown once). Only active partner staff may register apps."""
    now = now or timezone.now()
    _staff_only(staff)
    secret = credentials.client_secret_generate()
    keys = credentials.key_pair_generate()
    app = ApiApp(
        partner=staff.partner,
        created_by=staff,
        name=name.strip(),
        client_id=credentials.client_id_generate(),
        client_secret_hash=credentials.token_digest(secret),
        service_account=credentials.service_account_generate(),
        public_key_pem=keys.public_pem,
        scopes=_scopes_clean(scopes),
        created_at=now,
        secret_issued_at=now,
        key_issued_at=now,
    )
    app.full_clean()
    app.save()
    _audit(AuditEvent.Action.API_APP_CREATED, app, staff, now)
    return AppCredentials(app=app, client_secret=secret, private_key=keys.private_pem)


@transaction.atomic
def api_app_secret_regenerate(
    *, app: ApiApp, by: User, now: datetime | None = None
) -> AppCredentials:
    """A new client secret (shown once); the old one stops working at once. Tokens already
    issued keep working until they expire or the app is revoked."""
    now = now or timezone.now()
    app = _locked_for_change(app, by)
    secret = credentials.client_secret_generate()
    app.client_secret_hash = credentials.token_digest(secret)
    app.secret_issued_at = now
    app.save(update_fields=["client_secret_hash", "secret_issued_at"])
    _audit(AuditEvent.Action.API_APP_SECRET_REGENERATED, app, by, now)
    return AppCredentials(app=app, client_secret=secret)


@transaction.atomic
def api_app_key_regenerate(*, app: ApiApp, by: User, now: datetime | None = None) -> AppCredentials:
    """A new key pair: the private key is shown once, and assertions signed with the old one
    are refused from now on."""
    now = now or timezone.now()
    app = _locked_for_change(app, by)
    keys = credentials.key_pair_generate()
    app.public_key_pem = keys.public_pem
    app.key_issued_at = now
    app.save(update_fields=["public_key_pem", "key_issued_at"])
    _audit(AuditEvent.Action.API_APP_KEY_REGENERATED, app, by, now)
    return AppCredentials(app=app, private_key=keys.private_pem)


@transaction.atomic
def api_app_revoke(*, app: ApiApp, by: User, now: datetime | None = None) -> ApiApp:
    """From now on the app signs in to nothing, and every token it was given stops working.
    Any staff member of the app's partner may revoke it; revoking twice changes nothing."""
    now = now or timezone.now()
    if not (by.is_partner_staff and by.partner_id == app.partner_id):
        raise refusals.OtherPartnersApp
    app = ApiApp.objects.select_for_update().get(pk=app.pk)
    if app.revoked_at is None:
        app.revoked_at = now
        app.save(update_fields=["revoked_at"])
        _audit(AuditEvent.Action.API_APP_REVOKED, app, by, now)
    return app
