"""Validators every app shares."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NOT_SINGLE_LINE = _("改行や制御文字、見えない文字（ゼロ幅文字・書字方向の制御文字）は使えません。")

# Unicode categories a one-line value never needs: control characters (CR, LF, tab, …),
# format characters (zero-width space and joiners, BOM, bidi marks, overrides and
# isolates) and the line and paragraph separators. They break CSV and e-mail headers or
# make a name read differently from what it is (「ABC‮ 株式会社」).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def validate_single_line(value) -> None:
    if any(unicodedata.category(char) in REFUSED_CATEGORIES for char in str(value)):
        raise ValidationError(NOT_SINGLE_LINE, code="not_single_line")
