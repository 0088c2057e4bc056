"""Tenants and the people in them: works groups, their company info, partners, users, audit."""

import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DOMAIN_VALIDATOR = RegexValidator(
    r"^(?!.*--)[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])\Z",
    _(
        "2〜22文字の半角英小文字・数字・ハイフンで入力してください（先頭・末尾のハイフンと連続するハイフンは使えません）。"
    ),
)
PHONE_VALIDATOR = RegexValidator(
    r"^[0-9+\-*#,PT]*\Z",
    _("電話番号には半角数字と + - * # , P T のみ使えます。"),
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("利用地域のタイムゾーンが正しくありません。"), code="invalid")


class Plan(models.TextChoices):
    FREE = "FREE", _("フリー")
    STANDARD = "STANDARD", _("スタンダード")
    ADVANCED = "ADVANCED", _("アドバンスト")


class Channel(models.TextChoices):
    ONLINE_DIRECT = "ONLINE_DIRECT", _("オンライン直販")
    PARTNER = "PARTNER", _("パートナー経由")


class Partner(models.Model):
    """A reseller whose staff verify partner codes."""

    name = models.CharField(_("パートナー名"), max_length=100, unique=True)
    region = models.CharField(_("対応地域"), max_length=100, blank=True)
    description = models.TextField(_("紹介文"), blank=True)
    contact_url = models.URLField(_("お問い合わせURL"), blank=True)
    handled_apps = models.JSONField(_("取り扱いアプリ"), default=list, blank=True)
    is_active = models.BooleanField(_("有効"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("パートナー")
        verbose_name_plural = _("パートナー")

    def __str__(self) -> str:
        return self.name


class WorksGroup(models.Model):
    """A customer tenant. `domain` is what partner staff type to find it."""

    domain = models.CharField(
        _("ドメイン又はグループ名"), max_length=22, unique=True, validators=[DOMAIN_VALIDATOR]
    )
    plan = models.CharField(_("プラン"), max_length=16, choices=Plan, default=Plan.FREE)
    seats = models.PositiveIntegerField(_("メンバー数"), default=1)
    apps = models.JSONField(_("利用中のアプリ"), default=list, blank=True)
    channel = models.CharField(
        _("契約形態"), max_length=16, choices=Channel, default=Channel.ONLINE_DIRECT
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="customers"
    )
    billing_anchor = models.DateField(_("請求期間の開始日"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("ワークスグループ")
        verbose_name_plural = _("ワークスグループ")
        constraints = [
            models.CheckConstraint(condition=Q(plan__in=Plan.values), name="worksgroup_plan_valid"),
            models.CheckConstraint(
                condition=Q(channel=Channel.ONLINE_DIRECT, partner__isnull=True)
                | Q(channel=Channel.PARTNER, partner__isnull=False),
                name="worksgroup_partner_matches_channel",
            ),
        ]

    def __str__(self) -> str:
        return self.domain

    @property
    def super_admin(self) -> "User | None":
        return self.members.filter(role=User.Role.SUPER_ADMIN).first()


class CompanyInfo(models.Model):
    """基本設定 > 会社情報: one per works group."""

    class Language(models.TextChoices):
        JA_JP = "ja_JP", "日本語"
        EN_US = "en_US", "English"
        KO_KR = "ko_KR", "한국어"
        ZH_TW = "zh_TW", "繁體中文"
        ZH_CN = "zh_CN", "简体中文"

    class NoticeRecipients(models.TextChoices):
        ADMINS = "ADMINS", _("管理者権限を持つメンバーのみ")
        ALL = "ALL", _("すべてのメンバー")

    # What 基本設定 > 会社情報 edits, in the seed's order.
    SETTINGS_FIELDS = (
        "group_name",
        "company_name",
        "phone",
        "language",
        "time_zone",
        "receive_notices",
        "notice_recipients",
    )

    works_group = models.OneToOneField(
        WorksGroup, on_delete=models.CASCADE, related_name="company_info"
    )
    group_name = models.CharField(_("ワークスグループ名"), max_length=40, blank=True)
    company_name = models.CharField(_("企業/団体名"), max_length=40, blank=True)
    phone = models.CharField(
        _("電話番号"),
        max_length=20,
        blank=True,
        validators=[MinLengthValidator(6), MaxLengthValidator(20), PHONE_VALIDATOR],
    )
    language = models.CharField(_("言語"), max_length=5, choices=Language, default=Language.JA_JP)
    time_zone = models.CharField(
        _("利用地域"), max_length=64, default="Asia/Tokyo", validators=[validate_time_zone]
    )
    receive_notices = models.BooleanField(_("お知らせ"), default=True)
    notice_recipients = models.CharField(
        _("受信メンバー"),
        max_length=8,
        choices=NoticeRecipients,
        default=NoticeRecipients.ADMINS,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会社情報")
        verbose_name_plural = _("会社情報")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=["ja_JP", "en_US", "ko_KR", "zh_TW", "zh_CN"]),
                name="companyinfo_language_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.company_name or self.works_group.domain

    @property
    def ui_language(self) -> str:
        """The UI and e-mail language: Japanese, or English for every other setting."""
        return "ja" if self.language == self.Language.JA_JP else "en"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_complete(self, super_admin_email: str | None) -> bool:
        return all([self.group_name, self.company_name, self.phone, super_admin_email])


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(role=User.Role.OPERATOR, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Logs in by e-mail. Belongs to one works group, or one partner, or is an operator."""

    class Role(models.TextChoices):
        SUPER_ADMIN = "SUPER_ADMIN", _("最高管理者")
        ADMIN = "ADMIN", _("管理者")
        PARTNER_STAFF = "PARTNER_STAFF", _("パートナー担当者")
        OPERATOR = "OPERATOR", _("運用担当者")

    email = models.EmailField(_("メールアドレス"), unique=True)
    name = models.CharField(_("氏名"), max_length=100, blank=True)
    role = models.CharField(_("権限"), max_length=16, choices=Role)
    works_group = models.ForeignKey(
        WorksGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="staff"
    )
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(_("運用画面へのアクセス"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        ordering = ["email"]
        verbose_name = _("ユーザー")
        verbose_name_plural = _("ユーザー")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["SUPER_ADMIN", "ADMIN"],
                        works_group__isnull=False,
                        partner__isnull=True,
                    )
                    | Q(role="PARTNER_STAFF", partner__isnull=False, works_group__isnull=True)
                    | Q(role="OPERATOR", partner__isnull=True, works_group__isnull=True)
                ),
                name="user_belongs_to_one_tenant",
            ),
            models.UniqueConstraint(
                fields=["works_group"],
                condition=Q(role="SUPER_ADMIN"),
                name="one_super_admin_per_group",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.lower()
        in_group = self.role in (self.Role.SUPER_ADMIN, self.Role.ADMIN)
        if in_group and (not self.works_group_id or self.partner_id):
            raise ValidationError(_("管理者はワークスグループにだけ所属できます。"))
        if self.role == self.Role.PARTNER_STAFF and (not self.partner_id or self.works_group_id):
            raise ValidationError(_("パートナー担当者はパートナーにだけ所属できます。"))
        if self.role == self.Role.OPERATOR and (self.partner_id or self.works_group_id):
            raise ValidationError(_("運用担当者はテナントに所属できません。"))

    @property
    def is_customer(self) -> bool:
        return self.role in (self.Role.SUPER_ADMIN, self.Role.ADMIN)

    @property
    def is_super_admin(self) -> bool:
        return self.role == self.Role.SUPER_ADMIN

    @property
    def is_partner_staff(self) -> bool:
        return self.role == self.Role.PARTNER_STAFF

    @property
    def is_operator(self) -> bool:
        return self.role == self.Role.OPERATOR


class AuditEvent(models.Model):
    """Append-only record of every state change, failed attempt and queued e-mail."""

    class Action(models.TextChoices):
        LOGIN = "LOGIN", _("ログイン")
        COMPANY_INFO_UPDATED = "COMPANY_INFO_UPDATED", _("会社情報の更新")
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
