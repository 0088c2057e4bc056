"""Apps (as in the LINE WORKS Developer Console) and the OAuth credentials they are given.

An app belongs to a partner and acts as the staff member who registered it. It has a client
ID, a client secret, one service account and an RSA key pair; we keep only the secret's
SHA-256 and the public key, so a leaked database signs in nowhere. Access and refresh tokens
are stored the same way: their SHA-256, never the token.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner

from .scopes import Scope

SERVICE_ACCOUNT_SUFFIX = "serviceaccount"


class ApiApp(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_apps")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_apps"
    )
    name = models.CharField(_("アプリ名"), max_length=100)
    client_id = models.CharField("Client ID", max_length=32, unique=True)
    client_secret_hash = models.CharField(max_length=64)
    service_account = models.CharField("Service Account", max_length=64, unique=True)
    public_key_pem = models.TextField(_("公開鍵"))
    scopes = models.JSONField("OAuth Scopes", default=list)
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    secret_issued_at = models.DateTimeField(_("Client Secret 発行日時"), default=timezone.now)
    key_issued_at = models.DateTimeField(_("Private Key 発行日時"), default=timezone.now)
    revoked_at = models.DateTimeField(_("削除日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("APIアプリ")
        verbose_name_plural = _("APIアプリ")
        indexes = [models.Index(fields=["partner", "-created_at"], name="apiapp_partner_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_account__endswith=SERVICE_ACCOUNT_SUFFIX),
                name="apiapp_service_account_suffix",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def scope_labels(self) -> list[str]:
        return [str(Scope(scope).label) for scope in Scope.values if scope in self.scopes]


class RefreshToken(models.Model):
    """Exchanged at the token endpoint for new access tokens until it expires (90 days)."""

    app = models.ForeignKey(ApiApp, on_delete=models.CASCADE, related_name="refresh_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)  # expired ones are pruned

    class Meta:
        verbose_name = _("リフレッシュトークン")
        verbose_name_plural = _("リフレッシュトークン")

    def __str__(self) -> str:
        return f"refresh token of {self.app.client_id}"


class AccessToken(models.Model):
    """A bearer token for the API, with the scopes granted when it was issued (24 hours)."""

    app = models.ForeignKey(ApiApp, on_delete=models.CASCADE, related_name="access_tokens")
    refresh_token = models.ForeignKey(
        RefreshToken, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)  # expired ones are pruned

    class Meta:
        verbose_name = _("アクセストークン")
        verbose_name_plural = _("アクセストークン")

    def __str__(self) -> str:
        return f"access token of {self.app.client_id}"


class UsedAssertion(models.Model):
    """An assertion already exchanged: refused if it comes again before it expires (a replay).

    Kept until the assertion's `exp` (plus the clock leeway); older rows are pruned."""

    app = models.ForeignKey(ApiApp, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("使用済みアサーション")
        verbose_name_plural = _("使用済みアサーション")
        constraints = [
            models.UniqueConstraint(fields=["app", "digest"], name="assertion_used_once"),
        ]

    def __str__(self) -> str:
        return f"assertion {self.digest[:8]}… of app {self.app_id}"
