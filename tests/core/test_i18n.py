"""Translations remembered per language are those of the active language, always."""

from django.utils import translation

from core import i18n


def test_each_language_gets_its_own_translation():
    with translation.override("en"):
        english = i18n.gettext("保存")
    with translation.override("ja"):
        japanese = i18n.gettext("保存")
    with translation.override("en"):
        assert i18n.gettext("保存") == english == translation.gettext("保存")

    assert english == "Save"
    assert japanese == "保存"


def test_per_language_computes_once_per_language_and_arguments():
    calls = []

    @i18n.per_language()
    def label(key):
        calls.append(key)
        return f"{translation.get_language()}:{key}"

    with translation.override("en"):
        assert label("a") == label("a") == "en:a"
    with translation.override("ko"):
        assert label("a") == "ko:a"

    assert calls == ["a", "a"]


def test_a_change_of_the_translation_settings_forgets_them(settings):
    calls = []

    @i18n.per_language()
    def label():
        calls.append(1)
        return "x"

    label()
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
    label()

    assert len(calls) == 2
