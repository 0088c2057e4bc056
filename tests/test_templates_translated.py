"""Every word a person reads in a template is marked for translation.

The heuristic: the source strings are Japanese, so Japanese text (kana, kanji, Japanese
punctuation and full-width forms) left in a template once the messages of `_("…")` (and the
other gettext calls), `{% trans %}` blocks and comments are taken out is text that no catalog
can translate. Text that is the same in every language needs no mark and has no Japanese: the
brand (LINE WORKS, © WORKS MOBILE Corp.), OK, the e-mail layout's colours and sizes, the
dev-only mailbox in English.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
MARKED_OR_UNSEEN = [
    re.compile(r"{#.*?#}", re.S),
    # Jinja2's {% trans %} blocks, and the literal messages of _(), gettext(), ngettext(),
    # pgettext() and npgettext() (their variables and the rest of the call are checked).
    re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S),
    re.compile(r"""\b(?:_|n?p?gettext)\((?:\s*(?:"[^"]*"|'[^']*')\s*,?)+"""),
    # DTL's, in the templates that extend Django's admin (templates/admin/).
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}", re.S),
    re.compile(r"{%\s*trans(?:late)?\s.*?%}", re.S),
]


def unmarked_japanese(source: str) -> list[tuple[int, str]]:
    """(line, text) of the Japanese in `source` outside what translation tags mark."""
    for pattern in MARKED_OR_UNSEEN:
        # Keep the newlines so that line numbers still point at the source.
        source = pattern.sub(lambda match: "\n" * match.group().count("\n"), source)
    return [
        (number, found)
        for number, line in enumerate(source.splitlines(), start=1)
        for found in JAPANESE.findall(line)
    ]


TEMPLATE_FILES = sorted(path for path in TEMPLATES.rglob("*") if path.suffix in (".html", ".txt"))


def test_the_check_sees_unmarked_text_and_ignores_marked_text():
    source = (
        '<p>{{ _("保存") }}</p>{# メモ #}\n'
        '{{ _("%(n)s件", n=1) }} {{ ngettext("%(num)s件", "%(num)s件", 2) }}\n'
        '{{ value|default(_("未設定"), true) }} {{ pgettext("月", "1月") }}\n'
        '{% trans %}保存{% endtrans %} {{ _("%(d)s日", d=x|default("なし")) }}\n'
        "<p>{{ region }}：東京</p>\n"
    )

    assert unmarked_japanese(source) == [(4, "なし"), (5, "：東京")]


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_template_has_no_text_left_unmarked(path):
    assert unmarked_japanese(path.read_text()) == []
