"""The base of every refusal a service can give.

A refusal carries a stable `code` (the API's `code` field), an HTTP status for the API and
a translatable message that pages and the API show word for word. Each app subclasses these
with its own codes and messages.
"""

from django.utils.translation import gettext_lazy as _

FORBIDDEN = _("この操作は許可されていません。")


class FlowError(Exception):
    code = "FLOW_ERROR"
    status = 409
    message = _("この操作は現在の状態では行えません。")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotAllowed(FlowError):
    """The actor may not do this at all (403), whatever the state."""

    code = "FORBIDDEN"
    status = 403
    message = FORBIDDEN


class RateLimited(FlowError):
    """Too many failed attempts; `retry_after` seconds until the window closes."""

    code = "TOO_MANY_REQUESTS"
    status = 429

    def __init__(self, retry_after: int, message):
        self.retry_after = retry_after
        super().__init__(message)
