"""Sandbox customers: works groups a partner made to try the flow on, and what their reset
puts back."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, Plan, WorksGroup


class SandboxCustomer(models.Model):
    """A sandbox tenant made on demand by a partner (console or API), visible to that partner
    only. Its starting state is stored here, field by field, because nothing else could
    restore it: the group's own rows are what the flow and the customer change."""

    works_group = models.OneToOneField(
        WorksGroup, on_delete=models.CASCADE, related_name="sandbox_customer"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="sandbox_customers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作成者"),
    )
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    # The starting state.
    plan = models.CharField(_("プラン"), max_length=16, choices=Plan)
    seats = models.PositiveIntegerField(_("メンバー数"))
    apps = models.JSONField(_("利用中のアプリ"), default=list)
    company_info = models.JSONField(_("会社情報"), default=dict)
    admin_email = models.EmailField(_("管理者のメールアドレス"))
    admin_name = models.CharField(_("氏名"), max_length=100, blank=True)
    # The hash, never the password: reset restores the log-in the partner was shown once.
    admin_password_hash = models.CharField(max_length=128)
    issue_code = models.BooleanField(_("パートナーコードを発行する"), default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("テスト顧客")
        verbose_name_plural = _("テスト顧客")
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="sandbox_partner_recent"),
        ]

    def __str__(self) -> str:
        return self.works_group.domain
