"""Refusals of the API app's own services and endpoints (the flow's are in partners.errors)."""

from django.utils.translation import gettext_lazy as _

from core.errors import FlowError, NotAllowed

STAFF_ONLY = _("APIアプリはパートナー担当者のみ登録できます。")
OTHER_PARTNERS_APP = _("他のパートナーのAPIアプリは操作できません。")
APP_REVOKED = _("このAPIアプリは削除されています。")
SCOPES_REQUIRED = _("OAuth Scopes を1つ以上選択してください。")
UNKNOWN_SCOPE = _("OAuth Scopes の値が正しくありません。")
SCOPE_TOO_SMALL = _(
    "このアクセストークンの Scope ではこの操作は行えません（必要な Scope: %(scope)s）。"
)
CUSTOMER_NOT_FOUND = _("指定された顧客企業はありません。")


class AppStaffOnly(NotAllowed):
    message = STAFF_ONLY


class OtherPartnersApp(NotAllowed):
    message = OTHER_PARTNERS_APP


class AppRevoked(FlowError):
    code = "APP_REVOKED"
    message = APP_REVOKED


class InvalidScopes(FlowError):
    code = "INVALID_PARAMETER"
    status = 400
    message = UNKNOWN_SCOPE


class InsufficientScope(NotAllowed):
    """The token is right but its scopes do not allow this method (RFC 6750 §3.1)."""

    def __init__(self, needed: str):
        self.needed = needed
        super().__init__(SCOPE_TOO_SMALL % {"scope": needed})


class CustomerNotFound(FlowError):
    """Not the calling partner's customer, or no such group: the same answer either way."""

    code = "NOT_FOUND"
    status = 404
    message = CUSTOMER_NOT_FOUND
