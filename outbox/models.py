"""The outbox: one row per e-mail, written in the same transaction as the state change."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, WorksGroup


class OutboundEmail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("送信待ち")
        SENT = "SENT", _("送信済み")
        FAILED = "FAILED", _("送信失敗")

    template = models.CharField(max_length=64)
    to = models.JSONField(_("宛先"))
    subject = models.CharField(_("件名"), max_length=255)
    body_text = models.TextField()
    body_html = models.TextField()
    language = models.CharField(max_length=8)
    status = models.CharField(
        _("状態"), max_length=8, choices=Status, default=Status.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(_("試行回数"), default=0)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    works_group = models.ForeignKey(
        WorksGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("送信メール")
        verbose_name_plural = _("送信メール")

    def __str__(self) -> str:
        return self.subject
