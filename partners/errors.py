"""Refusals of the partner-contract flow.

Each carries a stable `code` (the API's `code` field), an HTTP status for the API, and a
translatable message that the pages and the API show word for word. The bases live in
`core.errors`.
"""

from django.utils.translation import gettext_lazy as _

from core import errors as core_errors
from core.errors import FlowError, NotAllowed

__all__ = [
    "AlreadyContracted",
    "CodeAlreadyUsed",
    "CodeCancelled",
    "CodeExpired",
    "CompanyInfoIncomplete",
    "FlowError",
    "InvalidCursor",
    "MalformedCodeInput",
    "NotAllowed",
    "OtherPartnersCode",
    "PartnerInactive",
    "RateLimited",
    "TokenLimitReached",
    "VerificationFailed",
    "WrongPair",
    "WrongState",
]

ALREADY_CONTRACTED = _("パートナー契約への切り替えは完了しています。パートナーの変更はできません。")
CODE_ALREADY_OPEN = _("パートナーコードはすでに発行されています。")
NO_OPEN_CODE = _(
    "有効なパートナーコードがありません。有効期間・承認期限が過ぎた場合は、コードを発行し直してください。"
)
CODE_NOT_REISSUABLE = _(
    "パートナーによるコード認証が完了しているため、再発行・取り消しはできません。"
)
NOT_VERIFIED = _("パートナーによるコード認証がまだ完了していません。")
COMPANY_INFO_INCOMPLETE = _("パートナー連携を行うには、会社情報の入力が必要です。")
WRONG_PAIR = _("ドメイン又はグループ名とパートナーコードの組み合わせが正しくありません。")
MALFORMED_CODE = _("パートナーコードは20文字の英数字で入力してください。")
CODE_EXPIRED = _(
    "このパートナーコードは有効期間が過ぎています。お客様に新しいコードの発行を依頼してください。"
)
CODE_CANCELLED = _(
    "このパートナーコードは取り消されています。お客様に新しいコードの発行を依頼してください。"
)
CODE_ALREADY_USED = _("このパートナーコードはすでに認証済みのため、再利用できません。")
OTHER_PARTNER = _("このパートナーコードは別のパートナー向けに発行されています。")
INACTIVE_PARTNER = _("このパートナーは現在コード認証を行えません。")
NOT_PARTNER_STAFF = _("コード認証はパートナー担当者のみ行えます。")
INVALID_CURSOR = _(
    "cursor の値が正しくありません。前のページの nextCursor をそのまま指定してください。"
)
TOKEN_LIMIT = _(
    "APIトークンは1人につき%(limit)s個まで作成できます。使っていないトークンを無効にしてから作成してください。"
)
RATE_LIMITED = _(
    "コード認証の失敗が続いたため、一時的に制限しています。%(minutes)s分後にもう一度お試しください。"
)


class WrongState(FlowError):
    code = "WRONG_STATE"


class AlreadyContracted(WrongState):
    code = "ALREADY_CONTRACTED"
    message = ALREADY_CONTRACTED


class CompanyInfoIncomplete(WrongState):
    code = "COMPANY_INFO_INCOMPLETE"
    message = COMPANY_INFO_INCOMPLETE


class VerificationFailed(FlowError):
    """A partner's verification attempt that counts against the rate limit."""


class WrongPair(VerificationFailed):
    code = "NOT_FOUND"
    status = 404
    message = WRONG_PAIR


class MalformedCodeInput(VerificationFailed):
    code = "INVALID_PARAMETER"
    status = 400
    message = MALFORMED_CODE


class CodeExpired(VerificationFailed):
    code = "CODE_EXPIRED"
    message = CODE_EXPIRED


class CodeCancelled(VerificationFailed):
    code = "CODE_CANCELLED"
    message = CODE_CANCELLED


class CodeAlreadyUsed(VerificationFailed):
    code = "CODE_ALREADY_USED"
    message = CODE_ALREADY_USED


class OtherPartnersCode(VerificationFailed):
    code = "PARTNER_MISMATCH"
    message = OTHER_PARTNER


class PartnerInactive(FlowError):
    code = "FORBIDDEN"
    status = 403
    message = INACTIVE_PARTNER


class InvalidCursor(FlowError):
    """A list's cursor that this listing did not hand out (forged, truncated, or another's)."""

    code = "INVALID_PARAMETER"
    status = 400
    message = INVALID_CURSOR


class RateLimited(core_errors.RateLimited):
    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(retry_after, RATE_LIMITED % {"minutes": minutes})


class TokenLimitReached(FlowError):
    code = "TOKEN_LIMIT_REACHED"

    def __init__(self, limit: int):
        super().__init__(TOKEN_LIMIT % {"limit": limit})
