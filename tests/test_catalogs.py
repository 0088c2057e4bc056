"""The catalogs (locale/*/LC_MESSAGES/django.po): every string the code marks is there, in
every language, translated, not fuzzy, with the msgid's placeholders and markup, and compiled.

The source strings are the seed's Japanese; `make messages` updates the catalogs and compiles
them. A string added without a translation fails here, not in front of a customer.
"""

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.utils.translation import to_locale
from django.utils.translation.template import templatize
from jinja2.ext import extract_from_ast

BASE_DIR = Path(settings.BASE_DIR)
LOCALE = BASE_DIR / "locale"
TRANSLATED_LANGUAGES = [
    code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
]
CATALOGS = [LOCALE / to_locale(code) / "LC_MESSAGES" / "django.po" for code in TRANSLATED_LANGUAGES]
# Every app of the project (a folder with an apps.py), the project package and the benchmark.
APPS = sorted({path.parent.name for path in BASE_DIR.glob("*/apps.py")} | {"worksadmin", "bench"})
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# What templatize() turns DTL's {% translate %} and {% blocktranslate %} into.
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\((u'(?:[^'\\]|\\.)*'(?:, ?u'(?:[^'\\]|\\.)*')*)")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _key(function: str, args: list[str]) -> tuple[str | None, str]:
    """(msgctxt, msgid) of a gettext call's literal arguments."""
    return (args[0], args[1]) if function.startswith(("p", "np")) else (None, args[0])


def _python_strings() -> set[tuple[str | None, str]]:
    found = set()
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                if node.func.id not in GETTEXT:
                    continue
                args = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
                if args and all(isinstance(arg, str) for arg in args):
                    found.add(_key(node.func.id, args))
    return found


def _template_strings() -> set[tuple[str | None, str]]:
    """The messages of the templates: Jinja2's (extracted from the parsed template, as
    `makemessages` does) and the DTL ones that extend Django's admin (templates/admin/)."""
    found = set()
    jinja2 = engines["jinja2"].env
    for path in (BASE_DIR / "templates").rglob("*"):
        if path.suffix not in (".html", ".txt"):
            continue
        if "admin" in path.relative_to(BASE_DIR / "templates").parts[:1]:
            source = templatize(path.read_text(), origin=str(path))
            for function, arguments in TEMPLATE_CALL.findall(source):
                args = ast.literal_eval(f"({arguments},)")
                found.add(_key(function, list(args)))
            continue
        for _line, function, message in extract_from_ast(jinja2.parse(path.read_text())):
            args = message if isinstance(message, tuple) else (message,)
            if args[0] is not None:
                found.add(_key(function, list(args)))
    return found


@pytest.fixture(scope="module")
def marked_strings() -> set[tuple[str | None, str]]:
    return _python_strings() | _template_strings()


def _entries(path: Path) -> polib.POFile:
    return polib.pofile(str(path))


def _catalog_id(path: Path) -> str:
    return path.parts[-3]


def test_every_language_of_the_site_but_japanese_has_a_catalog():
    assert [_catalog_id(path) for path in CATALOGS] == ["en", "ko", "zh_Hant", "zh_Hans"]
    for path in CATALOGS:
        assert path.exists(), path


def test_the_walk_finds_the_strings_of_python_and_templates(marked_strings):
    assert (None, "この操作は最高管理者のみ行えます。") in marked_strings  # _() in a service
    assert (None, "コード発行") in marked_strings  # _("…")
    assert (
        None,
        "“%(partner)s”によるコード認証が完了しました。",
    ) in marked_strings  # _("…", partner=…)
    assert ("list separator", "、") in marked_strings  # pgettext
    assert (None, "未設定") in marked_strings  # _("…") in a filter's argument


@pytest.mark.parametrize("path", CATALOGS, ids=_catalog_id)
def test_every_marked_string_is_in_the_catalog(path, marked_strings):
    """A string marked since the last `make messages` is missing here."""
    in_catalog = {(entry.msgctxt, entry.msgid) for entry in _entries(path)}

    assert sorted(marked_strings - in_catalog, key=str) == []


@pytest.mark.parametrize("path", CATALOGS, ids=_catalog_id)
def test_catalog_has_no_untranslated_fuzzy_or_obsolete_entry(path):
    catalog = _entries(path)

    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []


@pytest.mark.parametrize("path", CATALOGS, ids=_catalog_id)
def test_translations_keep_the_placeholders_and_markup_of_their_msgid(path):
    different = [
        (entry.msgid, entry.msgstr)
        for entry in _entries(path).translated_entries()
        if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
        or sorted(TAG.findall(entry.msgid)) != sorted(TAG.findall(entry.msgstr))
    ]

    assert different == []


@pytest.mark.parametrize("path", CATALOGS, ids=_catalog_id)
def test_compiled_catalog_matches_its_source(path):
    """The .mo files are committed: each must say what its .po says."""
    compiled = polib.mofile(str(path.with_suffix(".mo")))
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in _entries(path).translated_entries()
        if not entry.fuzzy
    }

    assert {(entry.msgctxt, entry.msgid): entry.msgstr for entry in compiled} == source
