"""The templates' `url()`, `static()` and `_()` are remembered per process, never wrongly."""

from decimal import Decimal

import pytest
from django.template import Context, Engine, engines
from django.templatetags.static import static as django_static
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from core.jinja2 import static, url


def test_url_is_reverse():
    assert url("accounts:company-info") == reverse("accounts:company-info")
    assert url("api:app-key", 7) == reverse("api:app-key", args=[7])
    assert url("api:app-key", 8) == reverse("api:app-key", args=[8])


class Unhashable:
    __hash__ = None

    def __str__(self) -> str:
        return "7"


def test_an_unhashable_argument_is_reversed_without_being_remembered():
    assert url("api:app-key", Unhashable()) == reverse("api:app-key", args=[7])


def test_url_follows_the_script_prefix():
    before = url("accounts:company-info")
    set_script_prefix("/mounted/")
    try:
        assert url("accounts:company-info") == "/mounted" + before
    finally:
        clear_script_prefix()
    assert url("accounts:company-info") == before


def test_static_is_the_storages_url_and_follows_the_settings(settings):
    assert static("css/console.css") == django_static("css/console.css")

    settings.STATIC_URL = "/elsewhere/"

    assert static("css/console.css") == "/elsewhere/css/console.css"


def test_a_message_is_translated_in_the_language_of_each_render():
    """`_()` without values is remembered per language: switching back and forth shows each
    language's text at once; a literal % is written %% (as in Jinja's newstyle gettext) and
    the text is markup, as a DTL template's translated literal is."""
    template = engines["jinja2"].from_string('{{ _("顧客一覧") }}|{{ _("100%%") }}')
    rendered = {}
    for language in ("ja", "en", "ja", "en"):
        with translation.override(language):
            rendered.setdefault(language, set()).add(template.render({}))
    assert rendered == {"ja": {"顧客一覧|100%"}, "en": {"Customers|100%"}}
    with translation.override("en"):
        assert engines["jinja2"].from_string('{{ _("<b>") }}').render({}) == "<b>"


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_numbers_render_as_dtl_renders_them(settings, grouping, language):
    """An integer takes a short cut past localize() unless thousands are grouped: the same
    text as Django's templates either way."""
    settings.USE_THOUSAND_SEPARATOR = grouping
    values = [0, -5, 1234567, True, 3.5, Decimal("1234.50"), 2**70]
    jinja = engines["jinja2"].from_string("{% for v in values %}{{ v }}|{% endfor %}")
    dtl = Engine().from_string("{% for v in values %}{{ v }}|{% endfor %}")
    with translation.override(language):
        assert jinja.render({"values": values}) == dtl.render(Context({"values": values}))
