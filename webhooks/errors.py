"""Refusals of the webhook services: a stable `code`, an HTTP status and a message shown word
for word by the console and the API."""

from django.utils.translation import gettext_lazy as _

from core.errors import FlowError, NotAllowed

__all__ = [
    "DeliveryInFlight",
    "EndpointDisabled",
    "EndpointLimitReached",
    "FlowError",
    "InvalidEndpoint",
    "NotAllowed",
]

STAFF_ONLY = _("Webhookはパートナー担当者のみ設定できます。")
OTHER_PARTNERS_WEBHOOK = _("他のパートナーのWebhookは操作できません。")
LIMIT_REACHED = _("Webhookは%(limit)s件まで登録できます。不要なWebhookを削除してください。")
NO_EVENTS = _("通知するイベントを1つ以上選んでください。")
UNKNOWN_EVENT = _("イベント「%(event)s」はありません。")
URL_TOO_LONG = _("URLは500文字以内で入力してください。")
DELIVERY_IN_FLIGHT = _("この配信は送信中です。結果が出てから再送してください。")
ENDPOINT_DISABLED = _("このWebhookは停止中です。有効にしてから再送してください。")


class InvalidEndpoint(FlowError):
    """The URL or the events cannot be used (400; the form shows it on the field)."""

    code = "INVALID_PARAMETER"
    status = 400

    def __init__(self, message, *, field: str):
        self.field = field
        super().__init__(message)


class EndpointLimitReached(FlowError):
    code = "WEBHOOK_LIMIT_REACHED"
    status = 409

    def __init__(self, limit: int):
        super().__init__(LIMIT_REACHED % {"limit": limit})


class DeliveryInFlight(FlowError):
    code = "DELIVERY_IN_FLIGHT"
    status = 409
    message = DELIVERY_IN_FLIGHT


class EndpointDisabled(FlowError):
    code = "WEBHOOK_DISABLED"
    status = 409
    message = ENDPOINT_DISABLED
