"""Secrets that travel in query strings never reach a log line.

The partner API's GET takes the partner code as `?partnerCode=` (as the LINE WORKS Partner
API does), so every request log would record it: runserver's (`django.server`), Django's
(`django.request`), gunicorn's access and error logs. `SecretQueryFilter` masks the value of
every such parameter in a record's message; settings.LOGGING puts it on Django's loggers and
handlers, and `core.gunicorn.MaskingLogger` on gunicorn's.
"""

import logging
import re
from urllib.parse import unquote_plus

# Query parameters whose values are secrets, compared case-insensitively after decoding
# (`partner%43ode` is read as partnerCode too).
SECRET_QUERY_PARAMETERS = frozenset({"partnercode"})
MASK = "********"

# key=value inside a query string: after ? or &, up to the next &, space, quote or end.
_PARAMETER = re.compile(r"(?P<lead>[?&])(?P<key>[^=&\s\"'?#]+)=(?P<value>[^&\s\"'#]*)")


def mask_query_secrets(text: str) -> str:
    def replace(match: re.Match) -> str:
        if unquote_plus(match["key"]).lower() in SECRET_QUERY_PARAMETERS:
            return f"{match['lead']}{match['key']}={MASK}"
        return match.group(0)

    return _PARAMETER.sub(replace, text)


class SecretQueryFilter(logging.Filter):
    """Rewrites a record whose message carries a secret query parameter; drops nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the handler
            return True
        if "=" in message:  # only a line with a query parameter can hold one
            message = mask_query_secrets(message)
        # The formatted message from here on: handlers need not format it again.
        record.msg, record.args = message, None
        return True
