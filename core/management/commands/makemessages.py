"""Django's `makemessages`, reading the project's templates as Jinja2.

Django turns every template into Python for xgettext with `templatize()`, which parses DTL
and would miss `_("…%(name)s…", name=…)`. Here Jinja2's own extractor finds every gettext
call of a Jinja2 template (`_`, `gettext`, `ngettext`, `pgettext`, `npgettext`, `{% trans %}`),
and each is written as a Python call on its template's line, so the catalogs' references stay
`templates/…html:line`. The DTL templates that override Django's admin's (`admin/`) and any
other template go through `templatize()` as before.
"""

from pathlib import Path

from django.core.management.commands import makemessages
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.utils.translation.template import templatize
from jinja2.ext import GETTEXT_FUNCTIONS, extract_from_ast

# Our templates that extend Django's admin, whose templates are DTL.
DTL_FOLDERS = {"admin"}
# How many of a call's first arguments are its message (context, singular, plural).
LITERAL_ARGUMENTS = {"_": 1, "gettext": 1, "ngettext": 2, "pgettext": 2, "npgettext": 3}


def _jinja2_engine() -> Jinja2:
    return next(engine for engine in engines.all() if isinstance(engine, Jinja2))


def is_jinja2_template(path: Path, engine: Jinja2) -> bool:
    path = path.resolve()
    for directory in engine.template_dirs:
        if path.is_relative_to(directory):
            return path.relative_to(directory).parts[0] not in DTL_FOLDERS
    return False


def jinja2_messages_as_python(source: str, engine: Jinja2) -> str:
    """The template's gettext calls as Python, each on the template's line, the rest blank."""
    lines = [""] * (source.count("\n") + 1)
    for lineno, function, message in extract_from_ast(engine.env.parse(source), GETTEXT_FUNCTIONS):
        arguments = message if isinstance(message, tuple) else (message,)
        literals = arguments[: LITERAL_ARGUMENTS[function]]
        if None in literals:
            continue  # a variable: no message to extract
        name = "gettext" if function == "_" else function
        count = ", n" if function in ("ngettext", "npgettext") else ""
        lines[lineno - 1] += f"{name}({', '.join(map(repr, literals))}{count}); "
    return "\n".join(lines)


class BuildFile(makemessages.BuildFile):
    def preprocess(self):
        if not self.is_templatized:
            return
        source = Path(self.path).read_text(encoding="utf-8")
        engine = _jinja2_engine()
        if is_jinja2_template(Path(self.path), engine):
            content = jinja2_messages_as_python(source, engine)
        else:
            content = templatize(source, origin=self.path[2:])
        Path(self.work_path).write_text(content, encoding="utf-8")


class Command(makemessages.Command):
    build_file_class = BuildFile
