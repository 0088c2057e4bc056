"""Webhooks: a partner's endpoints, the events about its customers, and their deliveries.

An event is written in the transaction of the change it reports, with one delivery per
subscribed endpoint; each delivery is attempted by a task until it succeeds or gives up,
and every attempt is logged.
"""

import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, WorksGroup


class EventType(models.TextChoices):
    CODE_VERIFIED = "code.verified", _("コード認証")
    CODE_DECLINED = "code.declined", _("お客様による拒否")
    CODE_LAPSED = "code.lapsed", _("承認期限切れ")
    SWITCH_COMPLETED = "switch.completed", _("パートナー契約への切り替え完了")
    SANDBOX_CUSTOMER_RESET = "sandbox.customer_reset", _("サンドボックス顧客のリセット")


class WebhookEndpoint(models.Model):
    """Where a partner's system hears about its customers, and which events it wants.

    The signing secret is needed in clear to compute each HMAC, so it cannot be hashed like
    an API token: it is stored encrypted (signing.secret_encrypt) under a key that is not in
    the database, and shown to the partner once.
    """

    class DisabledReason(models.TextChoices):
        STAFF = "STAFF", _("パートナーによる停止")
        FAILURES = "FAILURES", _("配信失敗が続いたため停止")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField(_("URL"), max_length=500)
    description = models.CharField(_("説明"), max_length=100, blank=True)
    events = models.JSONField(_("イベント"), default=list)
    is_active = models.BooleanField(_("有効"), default=True)
    disabled_reason = models.CharField(
        _("停止の理由"), max_length=16, choices=DisabledReason, blank=True
    )
    disabled_at = models.DateTimeField(_("停止日時"), null=True, blank=True)
    failure_streak = models.PositiveIntegerField(_("連続した配信失敗"), default=0)
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    secret_rotated_at = models.DateTimeField(_("シークレットの更新日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("Webhook")
        verbose_name_plural = _("Webhook")
        constraints = [
            models.CheckConstraint(
                condition=Q(is_active=False) | Q(disabled_reason=""),
                name="webhookendpoint_active_has_no_disabled_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in self.events

    def has_previous_secret(self, now=None) -> bool:
        """True during a rotation's overlap, while the old secret signs too."""
        expires = self.previous_secret_expires_at
        return bool(
            self.previous_secret_encrypted and expires and expires > (now or timezone.now())
        )


class WebhookEvent(models.Model):
    """Something that happened to one customer of one partner. Its id is the same on every
    delivery and retry, so receivers can drop duplicates."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("イベント"), max_length=32, choices=EventType)
    created_at = models.DateTimeField(_("発生日時"), default=timezone.now)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    # SET_NULL: a customer that is removed (a sandbox reset) must not take undelivered
    # events with it; `data` names it anyway.
    works_group = models.ForeignKey(
        WorksGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Webhookイベント")
        verbose_name_plural = _("Webhookイベント")
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=EventType.values), name="webhookevent_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    def payload(self) -> dict:
        """What every delivery of the event sends (as JSON), whenever it is sent."""
        return {
            "id": str(self.id),
            "type": self.type,
            "createdAt": self.created_at.astimezone(timezone.UTC).isoformat(),
            "data": self.data,
        }

    @property
    def payload_pretty(self) -> str:
        return json.dumps(self.payload(), ensure_ascii=False, indent=2)


class WebhookDelivery(models.Model):
    """One event for one endpoint: PENDING until an attempt succeeds (SUCCEEDED) or the
    attempts run out or the answer is final (FAILED).

    Deliveries of one endpoint about one customer go out in the order of their ids (the
    order their events happened): one is attempted only while no earlier one is PENDING.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", _("配信待ち")
        SUCCEEDED = "SUCCEEDED", _("配信済み")
        FAILED = "FAILED", _("配信失敗")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The customer the event is about: the order key, beside the endpoint.
    works_group = models.ForeignKey(
        WorksGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("状態"), max_length=16, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("試行回数"), default=0)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("次の試行"), null=True, blank=True)
    # While set and in the future, an attempt is on its way; a worker that died mid-attempt
    # leaves it behind, and the attempt is made again once it has passed.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最終試行日時"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("ステータスコード"), null=True, blank=True
    )
    delivered_at = models.DateTimeField(_("配信日時"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("Webhook配信")
        verbose_name_plural = _("Webhook配信")
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint"),
            models.CheckConstraint(
                condition=Q(status__in=["PENDING", "SUCCEEDED", "FAILED"]),
                name="webhookdelivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "works_group", "id"],
                condition=Q(status="PENDING"),
                name="webhook_pending_in_order",
            ),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_log"),
            # The deliveries a run may take (webhooks/claims.py): the pending ones, the
            # oldest first, however long the log of those delivered grows.
            models.Index(fields=["status", "id"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint.url}"

    def is_in_flight(self, now) -> bool:
        return self.lease_until is not None and self.lease_until > now


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery, as the delivery log shows it."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "SUCCEEDED", _("成功")
        RETRY = "RETRY", _("失敗（再試行します）")
        FAILED = "FAILED", _("失敗")
        INTERRUPTED = "INTERRUPTED", _("中断（結果不明）")

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("試行"))
    attempted_at = models.DateTimeField(_("試行日時"))
    outcome = models.CharField(_("結果"), max_length=16, choices=Outcome)
    status_code = models.PositiveSmallIntegerField(_("ステータスコード"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("所要時間（ミリ秒）"), null=True, blank=True)
    response_excerpt = models.TextField(_("レスポンス（抜粋）"), blank=True)
    error = models.CharField(_("エラー"), max_length=300, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        verbose_name = _("Webhook配信の試行")
        verbose_name_plural = _("Webhook配信の試行")

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"
