"""The form renderer builds the very bytes Django's widget templates render."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from core.renderers import _BUILT, FormRenderer

DJANGO = DjangoTemplates()
OURS = FormRenderer()

CHOICES = [
    ("a", "Alpha"),
    ("<b>", "B & \"b\" 'b'"),
    (3, gettext_lazy("保存")),
    ("", "---------"),
]
GROUPED = [
    ("Group <1>", [("x", "X"), ("y", "Y")]),
    ("z", "Z"),
    ("Group 2", [(4, "four")]),
]
ATTRS = [
    {},
    {"id": "id_f"},
    {"id": "id_f", "class": "wide <x>", "required": True, "disabled": False},
    {"aria-describedby": "id_f_helptext id_f_error", "aria-invalid": "true", "maxlength": 20},
    {
        "id": mark_safe("id_<safe>"),
        "data-x": mark_safe("<i>"),
        "data-n": 1234567,
        "data-none": None,
    },
]
INPUTS = [
    forms.TextInput(),
    forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    forms.PasswordInput(render_value=True),
    forms.URLInput(),
    forms.DateInput(attrs={"type": "date"}),
    forms.HiddenInput(),
    forms.NumberInput(),
    forms.CheckboxInput(),
    forms.Textarea(),
]
VALUES = [None, "", "plain", "<script>&'\"", mark_safe("<em>safe</em>"), 0, 1234567, True,
          datetime.date(2026, 12, 1), ("t", 1)]  # fmt: skip
CHOICE_WIDGETS = [
    forms.Select(choices=CHOICES),
    forms.Select(choices=GROUPED),
    forms.SelectMultiple(choices=CHOICES),
    forms.RadioSelect(choices=CHOICES),
    forms.RadioSelect(choices=GROUPED),
    forms.CheckboxSelectMultiple(choices=CHOICES),
    forms.CheckboxSelectMultiple(choices=GROUPED),
]
CHOICE_VALUES = [None, "", "a", "<b>", 3, ["a", 3], ["x", 4], "missing"]


def render_both(widget, value, attrs) -> tuple[str, str]:
    return (
        widget.render("f", value, attrs, renderer=OURS),
        widget.render("f", value, attrs, renderer=DJANGO),
    )


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("widget", INPUTS, ids=lambda widget: type(widget).__name__)
def test_inputs_render_as_djangos_templates(widget, value, attrs):
    ours, django = render_both(widget, value, attrs)
    assert ours == django


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", CHOICE_VALUES)
@pytest.mark.parametrize("widget", CHOICE_WIDGETS, ids=lambda widget: type(widget).__name__)
def test_choices_render_as_djangos_templates(widget, value, attrs):
    with override("en"):
        ours, django = render_both(widget, value, attrs)
    assert ours == django


@pytest.mark.parametrize("wrap_label", [True, False])
def test_a_single_radio_button_renders_as_djangos(wrap_label):
    """`{{ radio.tag() }}` and `{{ radio }}`, as templates/includes/radio_field.html uses them."""

    class Form(forms.Form):
        choice = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect)

    ours = [
        radio.tag(wrap_label=wrap_label)
        for radio in Form(data={"choice": "a"}, renderer=OURS)["choice"]
    ]
    django = [
        radio.tag(wrap_label=wrap_label)
        for radio in Form(data={"choice": "a"}, renderer=DJANGO)["choice"]
    ]
    assert ours == django
    assert "checked" in ours[0]


def test_an_option_template_of_its_own_is_left_to_django():
    class Fancy(forms.RadioSelect):
        option_template_name = "django/forms/widgets/checkbox_option.html"

    widget = Fancy(choices=CHOICES)
    assert widget.render("f", "a", {"id": "id_f"}, renderer=OURS) == widget.render(
        "f", "a", {"id": "id_f"}, renderer=DJANGO
    )


def test_every_other_template_is_djangos():
    widget = forms.SplitDateTimeWidget()
    value = datetime.datetime(2026, 12, 1, 9, 30)
    assert "django/forms/widgets/splitdatetime.html" not in _BUILT
    assert widget.render("f", value, renderer=OURS) == widget.render("f", value, renderer=DJANGO)


def test_it_is_the_projects_renderer(settings):
    assert settings.FORM_RENDERER == "core.renderers.FormRenderer"
