"""The lean <select>s render exactly what Django's Select renders, only faster."""

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.template import engines
from django.utils import timezone, translation

from accounts.forms import (
    TIME_ZONE_CHOICES,
    ActionSelect,
    AuditExportForm,
    AuditFilterForm,
    LeanSelect,
    TimeZoneSelect,
)

ATTRS = [{"id": "id_x"}, {"id": "id_x", "disabled": True, "required": True}]


def _same(html: str, reference: str) -> bool:
    return html.split() == reference.split()


@pytest.mark.parametrize("value", ["Asia/Tokyo", "Europe/Paris", None, "", "Not/AZone"])
@pytest.mark.parametrize("attrs", ATTRS)
def test_time_zone_select_renders_as_djangos_select(value, attrs):
    lean = TimeZoneSelect(choices=TIME_ZONE_CHOICES).render("time_zone", value, attrs)
    reference = forms.Select(choices=TIME_ZONE_CHOICES).render("time_zone", value, attrs)
    assert _same(lean, reference)


@pytest.mark.parametrize("value", ["LOGIN", "", None])
def test_audit_action_filter_renders_as_djangos_select(value):
    choices = AuditFilterForm.base_fields["action"].choices
    lean = LeanSelect(choices=choices).render("action", value, {"id": "id_action"})
    reference = forms.Select(choices=choices).render("action", value, {"id": "id_action"})
    assert _same(lean, reference)


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("form", [AuditFilterForm, AuditExportForm])
@pytest.mark.parametrize("value", ["LOGIN", "", None])
def test_the_action_filters_render_as_djangos_select_in_each_language(form, value, language):
    choices = form.base_fields["action"].choices
    with translation.override(language):
        lean = ActionSelect(choices=choices).render("action", value, {"id": "id_action"})
        reference = forms.Select(choices=choices).render("action", value, {"id": "id_action"})
    assert _same(lean, reference)


def test_lean_select_escapes_values_and_labels():
    html = LeanSelect(choices=[("<a>", "<b>&")]).render("x", "<a>")
    assert '<option value="&lt;a&gt;" selected>&lt;b&gt;&amp;</option>' in html


STRFTIME_CASES = [
    ('"%Y-%m-%d %H:%M:%S"', '"Y-m-d H:i:s"'),
    ('"%Y-%m-%d %H:%M"', '"Y-m-d H:i"'),
    ('"%H時%M分 %d/%m/%Y"', '"H時i分 d/m/Y"'),
]


@pytest.mark.parametrize(("strftime", "django_format"), STRFTIME_CASES)
@pytest.mark.parametrize(
    "value",
    [
        datetime(2023, 3, 14, 13, 22, 41, 123456, tzinfo=UTC),
        datetime(2023, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2023, 3, 14, 13, 22, 41),  # naive: shown as it is
    ],
)
def test_strftime_shows_what_date_shows_in_each_zone_of_one_template(
    strftime, django_format, value
):
    """One template rendered in turn in three zones: the zone is looked up per rendering."""
    template = engines["jinja2"].from_string(
        f"{{{{ t|date({django_format}) }}}}|{{{{ t|strftime({strftime}) }}}}"
    )
    for zone in ("Asia/Tokyo", "America/New_York", "UTC", "Asia/Tokyo"):
        with timezone.override(zone):
            dated, formatted = template.render({"t": value}).split("|")
        assert formatted == dated


def test_strftime_formats_a_date_too():
    template = engines["jinja2"].from_string('{{ d|strftime("%Y-%m-%d %H:%M") }}')
    assert template.render({"d": date(2023, 3, 14)}) == "2023-03-14 00:00"


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "UTC"])
def test_strftime_filter_shows_what_the_date_filter_shows(zone):
    template = engines["jinja2"].from_string(
        '{{ t|date("Y-m-d H:i:s") }}|{{ t|strftime("%Y-%m-%d %H:%M:%S") }}'
        '|{{ none|strftime("%Y") }}|'
    )
    with timezone.override(zone):
        dated, formatted, empty, _rest = template.render(
            {"t": datetime(2023, 3, 14, 13, 22, 41, tzinfo=UTC), "none": None}
        ).split("|")
    assert dated == formatted
    assert empty == ""
