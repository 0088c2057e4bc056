"""Partner codes, the contracts they become, and API tokens."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, Plan, WorksGroup
from core.validators import validate_single_line

from .codes import mask_code
from .settlement import Settlement


class CodeStatus(models.TextChoices):
    ISSUED = "ISSUED", _("認証待ち")
    VERIFIED = "VERIFIED", _("承認待ち")
    USED = "USED", _("使用済み")
    EXPIRED = "EXPIRED", _("有効期間切れ")
    CANCELLED = "CANCELLED", _("取り消し")
    LAPSED = "LAPSED", _("承認期限切れ")


# A group has at most one code in these (a partial unique constraint).
OPEN_CODE_STATUSES = [CodeStatus.ISSUED, CodeStatus.VERIFIED]


def code_status_at(status: str, expires_at: datetime, approve_by, now: datetime) -> str:
    """A code's status as of `now`, from its stored status and deadlines (`status_at()`, for
    lists that read the columns without building the model)."""
    if status == PartnerCode.Status.ISSUED and now >= expires_at:
        return PartnerCode.Status.EXPIRED
    if status == PartnerCode.Status.VERIFIED and approve_by and now >= approve_by:
        return PartnerCode.Status.LAPSED
    return status


class PartnerCode(models.Model):
    Status = CodeStatus
    OPEN_STATUSES = OPEN_CODE_STATUSES
    # Never filtered on in /ops/ (core.admin.SecretLookupsRefused), never shown whole.
    SECRET_FIELDS = ("code",)

    class CancelReason(models.TextChoices):
        CANCELLED = "CANCELLED", _("顧客による取り消し")
        REISSUED = "REISSUED", _("再発行")
        DECLINED = "DECLINED", _("顧客による拒否")

    works_group = models.ForeignKey(
        WorksGroup, on_delete=models.CASCADE, related_name="partner_codes"
    )
    code = models.CharField(_("コード番号"), max_length=20, unique=True)
    status = models.CharField(
        _("状態"), max_length=16, choices=Status, default=Status.ISSUED, db_index=True
    )
    intended_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("指定パートナー"),
    )
    issued_at = models.DateTimeField(_("発行日時"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("有効期限"))
    verified_at = models.DateTimeField(_("認証日時"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="verified_codes"
    )
    approve_by = models.DateTimeField(_("承認期限"), null=True, blank=True)
    show_partner_profile = models.BooleanField(_("パートナーのプロフィールを表示"), default=False)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    cancel_reason = models.CharField(max_length=16, choices=CancelReason, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("パートナーコード")
        verbose_name_plural = _("パートナーコード")
        constraints = [
            models.UniqueConstraint(
                fields=["works_group"],
                condition=Q(status__in=OPEN_CODE_STATUSES),
                name="one_open_code_per_group",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CodeStatus.values),
                name="partnercode_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[CodeStatus.VERIFIED, CodeStatus.USED, CodeStatus.LAPSED])
                | Q(verified_partner__isnull=False, verified_at__isnull=False),
                name="partnercode_verified_has_partner",
            ),
        ]
        indexes = [
            models.Index(fields=["verified_partner", "-verified_at"], name="code_partner_recent"),
        ]

    def __str__(self) -> str:
        return self.masked

    @property
    def masked(self) -> str:
        return mask_code(self.code)

    def status_at(self, now: datetime | None = None) -> str:
        """The status as of `now`: expiry and lapse hold on read, before any job records them."""
        return code_status_at(self.status, self.expires_at, self.approve_by, now or timezone.now())

    def valid_until(self):
        """The last calendar day of validity, in the group's time zone (「YYYY.MM.DD まで」)."""
        tz = self.works_group.company_info.tz
        return (self.expires_at - timezone.timedelta(microseconds=1)).astimezone(tz).date()


class PartnerContract(models.Model):
    """Written once, when a switch completes. A group can never have a second one."""

    works_group = models.OneToOneField(
        WorksGroup, on_delete=models.PROTECT, related_name="partner_contract"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="contracts")
    code = models.OneToOneField(PartnerCode, on_delete=models.PROTECT, related_name="contract")
    completed_at = models.DateTimeField(_("完了日時"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    company_name = models.CharField(_("企業/団体名"), max_length=40)
    group_name = models.CharField(_("ワークスグループ名"), max_length=40)
    settlement_plan = models.CharField(_("プラン"), max_length=16, choices=Plan)
    settlement_seats = models.PositiveIntegerField(_("メンバー数"))
    settlement_unit_price = models.PositiveIntegerField(_("単価"))
    settlement_period_start = models.DateField(_("精算期間の開始日"))
    settlement_period_end = models.DateField(_("精算期間の終了日"))
    settlement_days_in_month = models.PositiveSmallIntegerField(_("請求月の日数"))
    settlement_subtotal = models.PositiveIntegerField(_("小計"))
    settlement_tax = models.PositiveIntegerField(_("消費税"))
    settlement_total = models.PositiveIntegerField(_("合計"))

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("パートナー契約")
        verbose_name_plural = _("パートナー契約")
        indexes = [
            models.Index(fields=["partner", "-completed_at"], name="contract_partner_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.works_group} → {self.partner}"

    # The statement's fields and the columns that store them.
    SETTLEMENT_COLUMNS = {
        "plan": "settlement_plan",
        "seats": "settlement_seats",
        "unit_price": "settlement_unit_price",
        "period_start": "settlement_period_start",
        "period_end": "settlement_period_end",
        "days_in_month": "settlement_days_in_month",
        "subtotal": "settlement_subtotal",
        "tax": "settlement_tax",
    }

    @classmethod
    def settlement_columns(cls, settlement: Settlement) -> dict:
        """{column: value} that store `settlement` (its total too, for lists and sums)."""
        columns = {
            column: getattr(settlement, name) for name, column in cls.SETTLEMENT_COLUMNS.items()
        }
        return {**columns, "settlement_total": settlement.total}

    @classmethod
    def from_settlement(
        cls, settlement: Settlement, *, works_group: WorksGroup, code: "PartnerCode", **fields
    ) -> "PartnerContract":
        """An unsaved contract for the verified `code`, storing `settlement` as it was shown
        before 承認 and the group's names as they were at the switch."""
        info = works_group.company_info
        return cls(
            **cls.settlement_columns(settlement),
            works_group=works_group,
            code=code,
            partner=code.verified_partner,
            company_name=info.company_name,
            group_name=info.group_name,
            **fields,
        )

    @property
    def settlement(self) -> Settlement:
        """The statement as it was shown and stored when the switch completed."""
        stored = {name: getattr(self, column) for name, column in self.SETTLEMENT_COLUMNS.items()}
        start, end = self.settlement_period_start, self.settlement_period_end
        return Settlement(**stored, days_elapsed=max((end - start).days + 1, 0))


class ApiToken(models.Model):
    """A partner system's key to the API; every call acts as the staff member who made it.

    Only the SHA-256 of the secret is stored: the secret is shown once, when it is created.
    """

    SECRET_FIELDS = ("token_hash",)

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名前"), max_length=100, validators=[validate_single_line])
    prefix = models.CharField(_("トークン"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最終使用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("無効化日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        indexes = [
            models.Index(fields=["partner", "-created_at"], name="apitoken_partner_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
