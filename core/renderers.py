"""The form renderer (`FORM_RENDERER`): Django's widget templates, written out in Python.

Django renders every widget through a template of its own, each input and each radio button
through three or four includes; on the forms of the console that was a third of a page's
time (docs/PERFORMANCE.md). This renderer builds the same bytes as those templates for the
widgets they are simple for (inputs, radio buttons and check boxes, selects, text areas) and
leaves every other template (the admin's widgets, files, dates in several parts) to Django's.
tests/core/test_renderers.py renders each widget both ways, with awkward values, and
compares them.

Each function returns what `{% include "django/forms/widgets/<name>.html" %}` gives, its
file's last newline included; `render()` strips the whole, as Django's renderer does.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime


def _value(value) -> str:
    """`{{ value }}`, as DTL renders it (`render_value_in_context`)."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the value's str(), escaped unless it was safe."""
    text = str(value) if isinstance(value, tuple) else "%s" % value  # noqa: UP031 - the filter's own
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: `True` is a bare name, `False` leaves it out."""
    return "".join(
        f" {_value(name)}" if value is True else f' {_value(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict, include) -> str:
    value = widget["value"]
    value = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_value(widget["type"])}" name="{_value(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict, include) -> str:
    tag = _input(widget, include)
    if not widget.get("wrap_label"):
        return f"{tag}\n"
    label_for = widget["attrs"].get("id")
    label_for = f' for="{_value(label_for)}"' if label_for else ""
    return f"<label{label_for}>{tag} {_value(widget['label'])}</label>\n"


def _multiple_input(widget: dict, include) -> str:
    attrs = widget["attrs"]
    parts = ["<div"]
    if attrs.get("id"):
        parts.append(f' id="{_value(attrs["id"])}"')
    if attrs.get("class"):
        parts.append(f' class="{_value(attrs["class"])}"')
    parts.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_value(group)}</label>")
        for option in options:
            parts.append(f"<div>\n    {include(option)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def select_tag(name: str, attrs: dict, inner: str) -> str:
    """The `<select>` of django/forms/widgets/select.html around `inner` (its options, each
    after a line break): shared with accounts.forms.LeanSelect, which builds its own options."""
    return f'<select name="{_value(name)}"{_attrs(attrs)}>{inner}\n</select>'


def _select(widget: dict, include) -> str:
    parts = []
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_value(group)}">')
        parts.extend(f"\n  {include(option)}" for option in options)
        if group:
            parts.append("\n  </optgroup>")
    return select_tag(widget["name"], widget["attrs"], "".join(parts)) + "\n"


def _select_option(widget: dict, include) -> str:
    return (
        f'<option value="{_formatted(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_value(widget['label'])}</option>\n"
    )


def _textarea(widget: dict, include) -> str:
    value = _value(widget["value"]) if widget["value"] else ""
    return (
        f'<textarea name="{_value(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'
    )


def _included(render):
    """A template that is only `{% include "<render's template>" %}` and its newline."""
    return lambda widget, include: f"{render(widget, include)}\n"


_WIDGETS = "django/forms/widgets/"
_BUILT = {
    f"{_WIDGETS}input.html": _input,
    f"{_WIDGETS}input_option.html": _input_option,
    f"{_WIDGETS}multiple_input.html": _multiple_input,
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}select_option.html": _select_option,
    f"{_WIDGETS}textarea.html": _textarea,
    **{
        f"{_WIDGETS}{name}.html": _included(_input)
        for name in (
            "checkbox",
            "color",
            "date",
            "datetime",
            "email",
            "hidden",
            "number",
            "password",
            "search",
            "tel",
            "text",
            "time",
            "url",
        )
    },  # fmt: skip
    f"{_WIDGETS}checkbox_option.html": _included(_input_option),
    f"{_WIDGETS}radio_option.html": _included(_input_option),
    f"{_WIDGETS}checkbox_select.html": _included(_multiple_input),
    f"{_WIDGETS}radio.html": _included(_multiple_input),
}


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with the simple widget templates built in Python."""

    def render(self, template_name, context, request=None):
        build = _BUILT.get(template_name)
        if build is None:
            return super().render(template_name, context, request=request)
        return build(context["widget"], self._include).strip()

    def _include(self, widget: dict) -> str:
        """`{% include widget.template_name with widget=widget %}` of a choice's option."""
        build = _BUILT.get(widget["template_name"])
        if build is None:
            return self.get_template(widget["template_name"]).render({"widget": widget})
        return build(widget, self._include)
