"""The people: customers' admins, partner staff and operators, who log in by e-mail."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line

from .tenants import Partner, Role, WorksGroup


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

    Role = Role
    # Never filtered on in /ops/ (core.admin.SecretLookupsRefused).
    SECRET_FIELDS = ("password",)

    email = models.EmailField(_("メールアドレス"), unique=True)
    name = models.CharField(
        _("氏名"), max_length=100, blank=True, validators=[validate_single_line]
    )
    role = models.CharField(_("権限"), max_length=16, choices=Role)
    works_group = models.ForeignKey(
        WorksGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="members"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="staff"
    )
    # Partner staff and operators choose their language (customers see their group's 言語).
    language = models.CharField(
        _("表示言語"), max_length=7, choices=settings.LANGUAGES, blank=True, default=""
    )
    is_active = models.BooleanField(_("有効"), default=True)
    is_staff = models.BooleanField(_("運用画面へのアクセス"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Part of every session's hash: raising it ends all of the user's sessions (log-out).
    session_generation = models.PositiveIntegerField(default=0, db_default=0, editable=False)

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
                        role__in=[Role.SUPER_ADMIN, Role.ADMIN],
                        works_group__isnull=False,
                        partner__isnull=True,
                    )
                    | Q(role=Role.PARTNER_STAFF, partner__isnull=False, works_group__isnull=True)
                    | Q(role=Role.OPERATOR, partner__isnull=True, works_group__isnull=True)
                ),
                name="user_belongs_to_one_tenant",
            ),
            models.UniqueConstraint(
                fields=["works_group"],
                condition=Q(role=Role.SUPER_ADMIN),
                name="one_super_admin_per_group",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    # Sessions -----------------------------------------------------------------------------
    # Django keeps an HMAC of the password in each session and ends the session when it no
    # longer matches the user row (loaded on every request anyway: no extra query). Ours
    # covers what a session's rights rest on as well, so that a log-out (a new
    # generation), a password change, a new role or tenant, or losing operator rights ends
    # every session of the user, signed-cookie copies included. Deactivation needs nothing
    # here: the auth backend no longer returns an inactive user.

    def get_session_auth_hash(self) -> str:
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)

    def _session_hash(self, secret: str | None = None) -> str:
        bound_to = [
            self.password,
            self.session_generation,
            self.role,
            self.works_group_id,
            self.partner_id,
            self.is_staff,
            self.is_superuser,
        ]
        return salted_hmac(
            "accounts.User.session_auth_hash",
            "\x00".join(str(value) for value in bound_to),
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

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
    def role_label(self) -> str:
        """The role's name (`get_role_display()`, without rebuilding the choices on each call:
        the header shows it on every page)."""
        return self.Role(self.role).label

    @property
    def chooses_language(self) -> bool:
        """Partner staff and operators pick their language; customers get their group's."""
        return not self.is_customer

    @property
    def ui_language(self) -> str:
        """The language of this user's pages and e-mails: a customer's group's 言語, anyone
        else's own choice (Japanese, the product's language, until they make one)."""
        if self.is_customer:
            return self.works_group.company_info.ui_language
        return self.language or settings.LANGUAGE_CODE
