"""Translations remembered per language, for text translated on every request.

Django looks a message up in each catalog in turn (ours, then every app's) on every call;
a page of 監査 translated ~80 labels that way, the console's shell ~20 messages. What a
message translates to in a language does not change while the process runs, so
`per_language` remembers it. Django forgets its own translations when a test changes the
languages or the catalogs' paths; so does this.
"""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

_CACHES = []
TRANSLATION_SETTINGS = ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS")


def per_language(maxsize: int = 128):
    """`function(*args)` computed once per active language and arguments (hashable), within
    `maxsize` results; for functions whose result depends on nothing else."""

    def decorate(function):
        @functools.lru_cache(maxsize=maxsize)
        def computed(language, *args):
            return function(*args)

        @functools.wraps(function)
        def wrapper(*args):
            return computed(translation.get_language(), *args)

        wrapper.cache_clear = computed.cache_clear
        _CACHES.append(computed)
        return wrapper

    return decorate


@per_language(maxsize=4096)
def gettext(message: str) -> str:
    """`gettext(message)`, for messages written in the code or a template (a bounded set)."""
    return translation.gettext(message)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    if setting in TRANSLATION_SETTINGS:
        for cache in _CACHES:
            cache.cache_clear()
