"""The append-only audit trail."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tenants import Partner, WorksGroup
from .users import User


class AuditEvent(models.Model):
    """Append-only record of every state change, failed attempt and queued e-mail."""

    class Action(models.TextChoices):
        LOGIN = "LOGIN", _("ログイン")
        LOGIN_FAILED = "LOGIN_FAILED", _("ログイン失敗")
        LOGIN_LOCKED = "LOGIN_LOCKED", _("ログインの一時制限")
        COMPANY_INFO_UPDATED = "COMPANY_INFO_UPDATED", _("会社情報の更新")
        ADMIN_EMAIL_CHANGE_REFUSED = (
            "ADMIN_EMAIL_CHANGE_REFUSED",
            _("管理者のメールアドレス変更の失敗"),
        )
        CODE_ISSUED = "CODE_ISSUED", _("パートナーコード発行")
        CODE_REISSUED = "CODE_REISSUED", _("パートナーコード再発行")
        CODE_CANCELLED = "CODE_CANCELLED", _("パートナーコード取り消し")
        CODE_VERIFIED = "CODE_VERIFIED", _("コード認証")
        VERIFICATION_FAILED = "VERIFICATION_FAILED", _("コード認証の失敗")
        CODE_DECLINED = "CODE_DECLINED", _("パートナーの拒否")
        CODE_EXPIRED = "CODE_EXPIRED", _("有効期間切れ")
        CODE_LAPSED = "CODE_LAPSED", _("承認期限切れ")
        SWITCH_COMPLETED = "SWITCH_COMPLETED", _("パートナー契約への切り替え完了")
        EMAIL_QUEUED = "EMAIL_QUEUED", _("メール送信予約")
        API_TOKEN_CREATED = "API_TOKEN_CREATED", _("APIトークン作成")
        API_TOKEN_REVOKED = "API_TOKEN_REVOKED", _("APIトークン無効化")
        API_APP_CREATED = "API_APP_CREATED", _("APIアプリ登録")
        API_APP_SECRET_REGENERATED = "API_APP_SECRET_REGENERATED", _("Client Secret 再発行")
        API_APP_KEY_REGENERATED = "API_APP_KEY_REGENERATED", _("Private Key 再発行")
        API_APP_REVOKED = "API_APP_REVOKED", _("APIアプリ削除")
        API_APP_TOKEN_ISSUED = "API_APP_TOKEN_ISSUED", _("アクセストークン発行")
        SANDBOX_CUSTOMER_CREATED = "SANDBOX_CUSTOMER_CREATED", _("テスト顧客の作成")
        SANDBOX_RESET = "SANDBOX_RESET", _("サンドボックスのリセット")
        SANDBOX_CUSTOMER_DELETED = "SANDBOX_CUSTOMER_DELETED", _("テスト顧客の削除")
        SANDBOX_CODE_EXPIRY_MOVED = "SANDBOX_CODE_EXPIRY_MOVED", _("有効期限の前倒し")
        SANDBOX_APPROVAL_DEADLINE_MOVED = "SANDBOX_APPROVAL_DEADLINE_MOVED", _("承認期限の前倒し")
        WEBHOOK_CREATED = "WEBHOOK_CREATED", _("Webhook登録")
        WEBHOOK_UPDATED = "WEBHOOK_UPDATED", _("Webhook変更")
        WEBHOOK_DELETED = "WEBHOOK_DELETED", _("Webhook削除")
        WEBHOOK_SECRET_ROTATED = "WEBHOOK_SECRET_ROTATED", _("Webhookシークレット更新")
        WEBHOOK_DISABLED = "WEBHOOK_DISABLED", _("Webhook自動停止")
        WEBHOOK_REDELIVERED = "WEBHOOK_REDELIVERED", _("Webhook再送")
        AUDIT_EXPORTED = "AUDIT_EXPORTED", _("監査ログのエクスポート")

    # Events of a partner's own account (its API credentials): never in a works group's log,
    # so the customer's 監査 does not offer them as a filter.
    PARTNER_ACCOUNT_ACTIONS = frozenset(
        {
            Action.API_TOKEN_CREATED,
            Action.API_TOKEN_REVOKED,
            Action.API_APP_CREATED,
            Action.API_APP_SECRET_REGENERATED,
            Action.API_APP_KEY_REGENERATED,
            Action.API_APP_REVOKED,
            Action.API_APP_TOKEN_ISSUED,
            Action.WEBHOOK_CREATED,
            Action.WEBHOOK_UPDATED,
            Action.WEBHOOK_DELETED,
            Action.WEBHOOK_SECRET_ROTATED,
            Action.WEBHOOK_DISABLED,
            Action.WEBHOOK_REDELIVERED,
        }
    )

    created_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("操作者"), max_length=254, blank=True)
    # No single-column indexes on these two: audit_group_recent and audit_partner_recent
    # start with them. Beside them, the planner (which expects ~10 events per group)
    # would pick the smaller single-column index and sort a busy tenant's whole log for
    # every page of 監査: 7 ms at 20,000 events, growing with the log (docs/PERFORMANCE.md).
    works_group = models.ForeignKey(
        WorksGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=False,
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=False,
    )
    action = models.CharField(_("操作"), max_length=32, choices=Action)
    details = models.JSONField(_("詳細"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("監査イベント")
        verbose_name_plural = _("監査イベント")
        indexes = [
            models.Index(fields=["works_group", "-created_at", "-id"], name="audit_group_recent"),
            models.Index(fields=["partner", "-created_at", "-id"], name="audit_partner_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action}"


class AuditExport(models.Model):
    """One CSV export of a group's audit log, written in the background (accounts.exports).

    The file is named here only once it is complete: a half-written file is never offered.
    """

    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("作成待ち")
        RUNNING = "RUNNING", _("作成中")
        READY = "READY", _("ダウンロードできます")
        FAILED = "FAILED", _("作成できませんでした")

    works_group = models.ForeignKey(
        WorksGroup, on_delete=models.CASCADE, related_name="audit_exports", db_index=False
    )
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=32, blank=True)
    date_from = models.DateField(_("開始日"), null=True, blank=True)
    date_to = models.DateField(_("終了日"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=8, choices=Status, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("件数"), null=True, blank=True)
    rows_written = models.PositiveIntegerField(_("出力済み件数"), default=0)
    truncated = models.BooleanField(_("上限で打ち切り"), default=False)
    file_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("依頼日時"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("監査ログのエクスポート")
        verbose_name_plural = _("監査ログのエクスポート")
        indexes = [
            models.Index(fields=["works_group", "-created_at"], name="auditexport_group_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="READY", file_name__gt="")
                | (~Q(status="READY") & Q(file_name="")),
                name="auditexport_file_only_when_ready",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.works_group_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"
