"""Refusals of the sandbox. Each names what was refused and why, in words a partner's
developer, a trainer or an operator can act on; the bases live in `core.errors`."""

from django.utils.translation import gettext_lazy as _

from core.errors import FlowError, NotAllowed

SANDBOX_OFF = _("サンドボックス機能は無効になっています。")
NOT_SANDBOX = _("このワークスグループはサンドボックスではないため、この操作は行えません。")
NO_STARTING_STATE = _(
    "このワークスグループには最初の状態が記録されていないため、リセットできません。"
)
CUSTOMER_NOT_FOUND = _("指定されたテスト顧客はありません。")
NOT_DELETABLE = _("デモ用のワークスグループは削除できません。リセットをお使いください。")
LIMIT_REACHED = _(
    "テスト顧客は1パートナーあたり%(limit)s件までです。不要なテスト顧客を削除してから作成してください。"
)
NOTHING_TO_EXPIRE = _("認証待ちのパートナーコードがないため、有効期限切れにできません。")
ALREADY_VERIFIED = _(
    "このパートナーコードは認証済みのため、有効期間は関係ありません。承認期限切れにしてください。"
)
NOTHING_TO_LAPSE = _("承認待ちのパートナーコードがないため、承認期限切れにできません。")
ADMIN_EMAIL_TAKEN = _(
    "最初の状態の管理者メールアドレス（%(email)s）が別のアカウントで使われているため、リセットできません。"
)
PARTNER_INACTIVE = _("このパートナーは現在テスト顧客を操作できません。")
NOT_ALLOWED = _("この操作は行えません。")
INVALID_INPUT = _("プランは FREE・STANDARD・ADVANCED、メンバー数は1〜9999で指定してください。")


class SandboxOff(FlowError):
    """SANDBOX is off: as far as anyone can tell, the feature does not exist."""

    code = "NOT_FOUND"
    status = 404
    message = SANDBOX_OFF


class NotSandbox(FlowError):
    code = "NOT_SANDBOX"
    message = NOT_SANDBOX


class NoStartingState(FlowError):
    code = "NO_STARTING_STATE"
    message = NO_STARTING_STATE


class CustomerNotFound(FlowError):
    """Unknown, or another partner's: the same answer, as for every other tenant's object."""

    code = "NOT_FOUND"
    status = 404
    message = CUSTOMER_NOT_FOUND


class NotDeletable(FlowError):
    code = "NOT_DELETABLE"
    message = NOT_DELETABLE


class LimitReached(FlowError):
    code = "SANDBOX_LIMIT_REACHED"

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(LIMIT_REACHED % {"limit": limit})


class WrongState(FlowError):
    code = "WRONG_STATE"


class AdminEmailTaken(FlowError):
    code = "ADMIN_EMAIL_TAKEN"

    def __init__(self, email: str):
        super().__init__(ADMIN_EMAIL_TAKEN % {"email": email})


class InvalidInput(FlowError):
    code = "INVALID_PARAMETER"
    status = 400
    message = INVALID_INPUT


class PartnerInactive(NotAllowed):
    message = PARTNER_INACTIVE


__all__ = [
    "AdminEmailTaken",
    "CustomerNotFound",
    "FlowError",
    "InvalidInput",
    "LimitReached",
    "NoStartingState",
    "NotAllowed",
    "NotDeletable",
    "NotSandbox",
    "PartnerInactive",
    "SandboxOff",
    "WrongState",
]
