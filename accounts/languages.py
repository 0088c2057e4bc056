"""Which language a request is served in.

Customers see their works group's 言語. Partner staff and operators choose theirs (Django's
`set_language`), remembered on their user; before they sign in, and until they have chosen,
the language cookie that `set_language` leaves holds the choice. Japanese otherwise.
"""

from django.conf import settings
from django.http import HttpRequest


def supported_language(code: str | None) -> str | None:
    """`code` if it is one of settings.LANGUAGES, else None."""
    return code if code in dict(settings.LANGUAGES) else None


def cookie_language(request: HttpRequest) -> str | None:
    """The language chosen with `set_language` in this browser, if any."""
    return supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def request_language(request: HttpRequest) -> str:
    user = request.user
    if user.is_authenticated and (user.is_customer or user.language):
        return user.ui_language
    return cookie_language(request) or settings.LANGUAGE_CODE
