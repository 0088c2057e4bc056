"""Writes to tenants: company info, sessions, and the audit trail every other service
appends to (`audit_record`, from accounts.auditing)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core.errors import FlowError, NotAllowed

from .auditing import audit_record, mask_email
from .models import AuditEvent, CompanyInfo, Partner, User, WorksGroup
from .throttle import password_attempt

__all__ = [
    "NOT_SUPER_ADMIN",
    "EmailUnavailable",
    "WrongPassword",
    "audit_record",
    "company_info_update",
    "require_super_admin",
    "user_sessions_end",
]

NOT_SUPER_ADMIN = _("この操作は最高管理者のみ行えます。")
LANGUAGE_IS_THE_GROUPS = _("表示言語は会社情報の「言語」で設定します。")
WRONG_PASSWORD = _("現在のパスワードが正しくありません。")
EMAIL_UNAVAILABLE = _("このメールアドレスは使用できません。別のメールアドレスを入力してください。")


class WrongPassword(FlowError):
    code = "WRONG_PASSWORD"
    status = 403
    message = WRONG_PASSWORD


class EmailUnavailable(FlowError):
    """The same refusal whatever the reason, so that it says nothing about other accounts."""

    code = "EMAIL_UNAVAILABLE"
    status = 400
    message = EMAIL_UNAVAILABLE


def user_sessions_end(*, user: User) -> None:
    """End every session of `user`, in every browser, copies of signed cookies included:
    a new session generation changes the hash each session must match (User)."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])


def user_language_update(*, user: User, language: str) -> None:
    """Remember the language a partner staff member or an operator chose for their pages and
    e-mails. A customer's language is their group's 言語: refused."""
    if user.is_customer:
        raise NotAllowed(LANGUAGE_IS_THE_GROUPS)
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"not a language of the site: {language!r}")
    user.language = language
    User.objects.filter(pk=user.pk).update(language=language)


def _changes(instance, values: dict) -> dict:
    changed = {}
    for field, value in values.items():
        old = getattr(instance, field)
        if old != value:
            changed[field] = [old, value]
            setattr(instance, field, value)
    return changed


def require_super_admin(by: User, works_group: WorksGroup) -> None:
    """Every write a customer makes is the super admin's of that very group."""
    if not (by.is_super_admin and by.works_group_id == works_group.pk):
        raise NotAllowed(NOT_SUPER_ADMIN)


def company_info_update(
    *,
    works_group: WorksGroup,
    by: User,
    values: dict,
    admin_email: str | None = None,
    current_password: str = "",
    client_ip: str | None = None,
) -> CompanyInfo:
    """Save 会社情報 (and, from the partner wizard, 管理者のメールアドレス) in one
    transaction; audited.

    Only the group's super admin may write. `values` holds validated CompanyInfo fields.
    The e-mail is the super admin's log-in: changing it needs `current_password`, checked
    under the log-in limits before anything is written, and an address already in use is
    refused without saying so (it would tell whether an address has an account).
    """
    require_super_admin(by, works_group)
    new_email = admin_email.strip().lower() if admin_email is not None else by.email
    if new_email != by.email:
        _admin_email_change_check(
            by=by, email=new_email, password=current_password, client_ip=client_ip
        )
    with transaction.atomic():
        info = CompanyInfo.objects.select_for_update().get(works_group=works_group)
        fields = {k: v for k, v in values.items() if k in CompanyInfo.SETTINGS_FIELDS}
        changed = _changes(info, fields)
        info.full_clean()
        info.save()
        details = {}
        if new_email != by.email:
            old_email = _admin_email_change(by=by, email=new_email)
            changed["admin_email"] = True
            details["admin_email"] = f"{mask_email(old_email)} → {mask_email(new_email)}"
        audit_record(
            action=AuditEvent.Action.COMPANY_INFO_UPDATED,
            actor=by,
            works_group=works_group,
            details={"changed": sorted(changed), **details},
        )
    return info


def company_info_switched_to(works_group: WorksGroup, partner: Partner | None) -> None:
    """Note on the group's 会社情報 the partner of its new contract (None: its contract is
    gone, a sandbox reset): the partner API's customer list walks it (CompanyInfo). Called in
    the transaction that writes or deletes the contract."""
    CompanyInfo.objects.filter(works_group=works_group).update(switched_to=partner)


def _admin_email_change_check(*, by: User, email: str, password: str, client_ip) -> None:
    """The password, then the address; each refusal counts as a failed log-in on `by`'s
    account (so the address cannot be probed more often than a password guessed)."""
    with password_attempt(
        email=by.email,
        client_ip=client_ip,
        failure_action=AuditEvent.Action.ADMIN_EMAIL_CHANGE_REFUSED,
    ) as attempt:
        if not by.check_password(password or ""):
            attempt.fail("wrong_password")
            raise WrongPassword
        if User.objects.filter(email=email).exclude(pk=by.pk).exists():
            attempt.fail("email_unavailable")
            raise EmailUnavailable


def _admin_email_change(*, by: User, email: str) -> str:
    """Set the super admin's e-mail; returns the old one."""
    admin = User.objects.select_for_update().get(pk=by.pk)
    old_email, admin.email = admin.email, email
    admin.full_clean(exclude=["password"], validate_unique=False)
    try:
        with transaction.atomic():
            admin.save(update_fields=["email"])
    except IntegrityError as exc:  # taken between the check and the save
        raise EmailUnavailable from exc
    return old_email
