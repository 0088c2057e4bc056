"""Tenants: customer works groups with their company info, and partners."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.prepared import PreparedList
from core.validators import validate_single_line

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


class WorksApp(models.TextChoices):
    """The LINE WORKS apps, stored by key in WorksGroup.apps and Partner.handled_apps (and
    answered by key in the API's notHandledApps); the labels are the names people read."""

    TALK = "talk", _("トーク")
    HOME = "home", _("ホーム")
    CALENDAR = "calendar", _("カレンダー")
    CONTACTS = "contacts", _("アドレス帳")
    DRIVE = "drive", "Drive"
    MAIL = "mail", _("メール")
    TASK = "task", _("タスク")
    SURVEY = "survey", _("アンケート")
    FORM = "form", _("フォーム")
    NOTE = "note", _("ノート")

    @classmethod
    def labels_of(cls, keys: list[str]) -> list[str]:
        """The names of `keys` in the active language, in order; an unknown key as it is."""
        labels = dict(cls.choices)
        return [str(labels.get(key, key)) for key in keys]


class Channel(models.TextChoices):
    ONLINE_DIRECT = "ONLINE_DIRECT", _("オンライン直販")
    PARTNER = "PARTNER", _("パートナー経由")


class Language(models.TextChoices):
    """会社情報's 言語, each named in its own script as LINE WORKS does."""

    JA_JP = "ja_JP", "日本語"
    EN_US = "en_US", "English"
    KO_KR = "ko_KR", "한국어"
    ZH_TW = "zh_TW", "繁體中文"
    ZH_CN = "zh_CN", "简体中文"

    @property
    def ui_language(self) -> str:
        """The language (of settings.LANGUAGES) that pages and e-mails are shown in."""
        return UI_LANGUAGES[self]


UI_LANGUAGES = {
    Language.JA_JP: "ja",
    Language.EN_US: "en",
    Language.KO_KR: "ko",
    Language.ZH_TW: "zh-hant",
    Language.ZH_CN: "zh-hans",
}


class Role(models.TextChoices):
    SUPER_ADMIN = "SUPER_ADMIN", _("最高管理者")
    ADMIN = "ADMIN", _("管理者")
    PARTNER_STAFF = "PARTNER_STAFF", _("パートナー担当者")
    OPERATOR = "OPERATOR", _("運用担当者")


class Partner(models.Model):
    """A reseller whose staff verify partner codes."""

    name = models.CharField(
        _("パートナー名"), max_length=100, unique=True, validators=[validate_single_line]
    )
    region = models.CharField(
        _("対応地域"), max_length=100, blank=True, validators=[validate_single_line]
    )
    description = models.TextField(_("紹介文"), blank=True)
    contact_url = models.URLField(
        _("お問い合わせURL"), blank=True, validators=[validate_single_line]
    )
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
    # A sandbox tenant can be reset, have its clock moved and (when a partner made it) be
    # deleted by the sandbox app; nothing of that ever touches a tenant without this flag.
    is_sandbox = models.BooleanField(
        _("サンドボックス"),
        default=False,
        help_text=_("デモ・テスト用のテナント。リセットや期限の前倒しができます。"),
    )
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
    def super_admin(self):
        """The group's 最高管理者 (a `User`), or None."""
        found = _SUPER_ADMIN.rows(0, 1, group=self.pk)
        if not found:
            return None
        admin = found[0]
        admin.works_group = self  # as `self.members` would have set it
        return admin


# The switch e-mails the super admin twice: the query is compiled once (core.prepared).
_SUPER_ADMIN = PreparedList(
    lambda group: WorksGroup._meta.get_field("members").related_model.objects.filter(
        works_group=group, role=Role.SUPER_ADMIN
    )
)


class CompanyInfo(models.Model):
    """基本設定 > 会社情報: one per works group."""

    Language = Language

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
    group_name = models.CharField(
        _("ワークスグループ名"), max_length=40, blank=True, validators=[validate_single_line]
    )
    company_name = models.CharField(
        _("企業/団体名"), max_length=40, blank=True, validators=[validate_single_line]
    )
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
    # The partner of the group's contract, if it switched (None before a switch, and again
    # after a sandbox reset), kept by `company_info_switched_to()`: with it the partner API
    # reads a partner's customers in company-name order from one index and stops after a
    # page. The contract stays the record; the list checks both.
    switched_to = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # company_info_customer_order starts with it
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会社情報")
        verbose_name_plural = _("会社情報")
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=Language.values),
                name="companyinfo_language_valid",
            ),
        ]
        indexes = [
            # The partner API lists a partner's customers by company name, page by page: the
            # database walks this index and stops after a page (partners/customer_contracts.py).
            models.Index(
                fields=["switched_to", "company_name", "works_group"],
                name="company_info_customer_order",
            ),
        ]

    def __str__(self) -> str:
        return self.company_name or self.works_group.domain

    @classmethod
    def default_settings(cls) -> dict:
        """Every 会社情報 setting at its default: what a new group starts with."""
        return {name: cls._meta.get_field(name).get_default() for name in cls.SETTINGS_FIELDS}

    @property
    def ui_language(self) -> str:
        """The language the group's pages and e-mails are in (ja, en, ko, zh-hant, zh-hans)."""
        return self.Language(self.language).ui_language

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def is_complete(self, super_admin_email: str | None) -> bool:
        return all([self.group_name, self.company_name, self.phone, super_admin_email])
