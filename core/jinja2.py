"""The Jinja2 environment of the project's templates (`TEMPLATES` in settings).

It gives the templates what Django's template language gave them (`url()`, `static()`, the
translations, `|date`, `|intcomma`, the language menu's languages) and renders every value the
way DTL renders it: in the active time zone, with the active language's formats, escaped with
Django's `escape` (`&#x27;`, `&quot;`; markupsafe writes `&#39;`, `&#34;`). Switching engines
changes no byte of a page or an e-mail.

Apps add what needs their models in `worksadmin.jinja2`: `core` imports no app.
"""

import functools
import html
from datetime import datetime

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from jinja2 import ChainableUndefined, Environment, pass_context, pass_eval_context
from markupsafe import Markup

from . import i18n


@pass_eval_context
def _finalize(eval_context, value):
    """Every `{{ value }}`, as DTL renders it (`render_value_in_context`): Django's
    `conditional_escape()`, without the cost of its lazy-string wrapper on each value."""
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return Markup(value)  # noqa: S704 - digits: what localize() gives without grouping
    if not isinstance(value, str):  # a str (or Markup) is its own local form
        value = localize(template_localtime(value))
    if hasattr(value, "__html__") or not eval_context.autoescape:
        return value
    return Markup(html.escape(str(value)))  # noqa: S704 - escaped here, as Django escapes


def _translated(eval_context, message: str, variables: dict) -> str:
    """Django's translation tags: the message is trusted markup (a template's literal is safe
    in DTL, so are its translations) and its `%(name)s` values are rendered as `{{ value }}`.
    As in Jinja's newstyle gettext, a message is always %-formatted: a literal % is %%."""
    values = {name: _finalize(eval_context, value) for name, value in variables.items()}
    message = message % values
    return mark_safe(message) if eval_context.autoescape else message  # noqa: S308


@pass_eval_context
def gettext(eval_context, message: str, **variables) -> str:
    if not variables and eval_context.autoescape:  # most of a page's messages
        return _safe_translation(message)
    return _translated(eval_context, i18n.gettext(message), variables)


@i18n.per_language(maxsize=4096)
def _safe_translation(message: str) -> str:
    """`_(message)` on a page: the same trusted markup every time, per language."""
    return mark_safe(translation.gettext(message) % {})  # noqa: S308 - a template's literal


@pass_eval_context
def ngettext(eval_context, singular: str, plural: str, number: int, **variables) -> str:
    variables.setdefault("num", number)
    return _translated(eval_context, translation.ngettext(singular, plural, number), variables)


@pass_eval_context
def pgettext(eval_context, context: str, message: str, **variables) -> str:
    return _translated(eval_context, translation.pgettext(context, message), variables)


@pass_eval_context
def npgettext(eval_context, context: str, singular: str, plural: str, number: int, **variables):
    variables.setdefault("num", number)
    message = translation.npgettext(context, singular, plural, number)
    return _translated(eval_context, message, variables)


def url(name: str, *args, **kwargs) -> str:
    """`{% url %}`: `url("partners:contract")`, `url("api:app-key", app.pk)`.

    Remembered per process by everything a URL depends on (the URLconf, the script prefix,
    the language, the arguments): the shell alone reverses seven names on every page, at
    ~20 µs each."""
    if not kwargs:
        try:
            language = translation.get_language()
            return _reversed(get_urlconf(), get_script_prefix(), language, name, args)
        except TypeError:  # an argument that cannot be a key: not remembered
            pass
    return reverse(name, args=args, kwargs=kwargs)


@functools.lru_cache(maxsize=1024)
def _reversed(urlconf, prefix: str, language: str, name: str, args: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args)


@functools.lru_cache(maxsize=256)
def static(path: str) -> str:
    """`{% static %}`, remembered per process: the storage's answer for a path does not
    change while it runs (the manifest of hashed names is read once, at start)."""
    return django_static(path)


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs) -> None:
    """Tests that change where URLs or static files point start afresh."""
    if setting in ("ROOT_URLCONF", "STATIC_URL", "STORAGES", "STATICFILES_STORAGE"):
        _reversed.cache_clear()
        static.cache_clear()


@i18n.per_language(maxsize=16)
def languages() -> tuple[dict, ...]:
    """The site's languages for the language menu (`{% get_language_info_list %}`)."""
    return tuple(translation.get_language_info(code) for code, _name in settings.LANGUAGES)


@pass_context
def page_url(context, number: int) -> str:
    """The current URL's query with another page number, keeping filters and search."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"


@pass_context
def current_menu_item(context, *urls: str) -> str:
    """Of a menu's item `urls`, the one this page belongs to: the longest that its path starts
    with (/console/partner/contract/company/ belongs to /console/partner/contract/)."""
    path = context["request"].path
    return max((url for url in urls if path.startswith(url)), key=len, default="")


# Rendered fragments that depend on nothing but the language, the page's path and the values
# given, by (template, language, path, values); bounded, so that no path pattern can grow it
# without end.
_FRAGMENTS: dict[tuple, Markup] = {}
FRAGMENTS_MAX = 256


@pass_context
def fragment(context, template_name: str, **values) -> Markup:
    """`{{ fragment("console/_menu.html") }}`: the template rendered once per language and
    path in this process, for parts of the shell that show no data (the consoles' menus).
    `values` (hashable: a flag from the settings, say) are part of the key and of the
    template's context.

    Such a template must use nothing of the request but its path (and the active language),
    and no value that belongs to a user or tenant: one tenant's data can therefore never
    reach another's page, and a log-out, a role change or a language change leaves nothing
    stale (tests/perf/test_fragments.py).
    """
    request = context["request"]
    key = (template_name, translation.get_language(), request.path, *sorted(values.items()))
    rendered = None if settings.DEBUG else _FRAGMENTS.get(key)  # DEBUG: template edits show
    if rendered is None:
        template = context.environment.get_template(template_name)
        rendered = Markup(template.render({"request": request, **values}))  # noqa: S704
        if len(_FRAGMENTS) >= FRAGMENTS_MAX:
            _FRAGMENTS.clear()
        _FRAGMENTS[key] = rendered
    return rendered


def date(value, format_string: str | None = None) -> str:
    """`|date("Y-m-d H:i")`, Django's, in the active time zone."""
    return defaultfilters.date(template_localtime(value), format_string)


@pass_eval_context
def strftime(eval_context, value, format_string: str) -> str:
    """`|date` for long lists: `{{ event.created_at|strftime("%Y-%m-%d %H:%M:%S") }}`.

    The value is shown in the active time zone, as with `|date`; Python's strftime is about
    ten times faster than Django's date formatting, which was a third of 監査's rendering.
    Numeric fields only: names of months or days would not be translated. The time zone is
    looked up once per rendering (it cannot change during one), and the two formats the
    lists use are cut from `isoformat()`, a fifth of strftime's cost.
    """
    if not value:
        return ""
    if not isinstance(value, datetime):  # a date: no zone, no time
        return value.strftime(format_string)
    if value.utcoffset() is not None:
        try:
            zone = eval_context.time_zone
        except AttributeError:
            zone = eval_context.time_zone = timezone.get_current_timezone()
        value = value.astimezone(zone)
    cut = _ISO_CUTS.get(format_string)
    if cut is None:
        return value.strftime(format_string)
    return Markup(value.isoformat(" ", cut[0])[: cut[1]])  # noqa: S704 - digits, -, : only


# strftime formats that are a prefix of isoformat(" ", timespec): (timespec, length).
_ISO_CUTS = {"%Y-%m-%d %H:%M:%S": ("seconds", 19), "%Y-%m-%d %H:%M": ("minutes", 16)}


@pass_eval_context
def join(eval_context, value, separator: str = "") -> str:
    """Django's `|join`: each item escaped with Django's escaping."""
    return defaultfilters.join(value, separator, autoescape=eval_context.autoescape)


def environment(**options) -> Environment:
    # Everything is escaped, as DTL does (the e-mail subjects, .txt, too); the text bodies
    # turn it off with {% autoescape false %}. A missing value renders as "" in any
    # position (DTL's silent variable failures), never an error; a file's last newline is
    # kept, as DTL keeps it (the e-mails' text ends with it).
    options.pop("autoescape", None)
    options.update(undefined=ChainableUndefined, finalize=_finalize, keep_trailing_newline=True)
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.i18n"]
    env = Environment(autoescape=True, **options)
    # The newstyle calls of Jinja's install_gettext_translations(), but with the values
    # rendered as DTL's {% blocktranslate %} renders them (Jinja's escape them with
    # markupsafe, &#39; for ', and skip the time zone and formats: pages would change).
    # `_()` calls ours directly (the extension's `_` is an alias that looks `gettext` up and
    # calls it again: a tenth of the wizard's rendering).
    env.globals.update(gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext)
    env.globals["_"] = gettext
    env.newstyle_gettext = True
    env.globals.update(
        url=url,
        static=static,
        get_current_language=translation.get_language,
        languages=languages,
        page_url=page_url,
        current_menu_item=current_menu_item,
        fragment=fragment,
    )
    env.filters.update(date=date, strftime=strftime, join=join, intcomma=intcomma)
    return env
