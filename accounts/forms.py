import functools
import zoneinfo

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.i18n import per_language
from core.ratelimit import client_ip
from core.renderers import select_tag

from .auditing import action_labels
from .models import AuditEvent, CompanyInfo
from .throttle import LoginThrottled, known_device, password_attempt


class ThrottledLoginMixin:
    """A log-in form whose password check goes through the log-in limits (accounts.throttle).

    A refused attempt is a form error whose `throttled` says how long to wait; its password
    is never checked.
    """

    throttled: LoginThrottled | None = None

    def clean(self):
        email = self.cleaned_data.get("username")
        if email is None or not self.cleaned_data.get("password"):
            return super().clean()
        ip = client_ip(self.request) if self.request is not None else None
        try:
            with password_attempt(
                email=email, client_ip=ip, device=known_device(self.request, email)
            ) as attempt:
                try:
                    return super().clean()
                except ValidationError as exc:
                    attempt.fail(exc.code or "invalid_login")
                    raise
        except LoginThrottled as exc:
            self.throttled = exc
            raise ValidationError(exc.message, code="throttled") from exc


class EmailAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("メールアドレス"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("メールアドレスまたはパスワードが正しくありません。"),
        "inactive": _("このアカウントは無効です。"),
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class OpsAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """/ops/login/: Django admin's log-in form under the same limits."""


TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class LeanSelect(forms.Select):
    """A <select> of flat choices, its options joined in one pass.

    Django renders every <option> through a template of its own: ~600 of them were nine
    tenths of the 会社情報 page's time, and the 15 actions of 監査's filter a tenth of that
    page's. Same markup as forms.Select.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        options = self.options_html("" if value is None else str(value))
        return mark_safe(select_tag(name, attrs, f"\n{options}"))  # noqa: S308 - escaped there

    def options_html(self, selected: str) -> str:
        return _options_html(self.choices, selected)


class ActionSelect(LeanSelect):
    """監査's action filters: their options built once per language, set of actions and
    selection (`str()` of ~40 lazy labels was a tenth of the page)."""

    def options_html(self, selected: str) -> str:
        return _action_options(tuple(value for value, _label in self.choices), selected)


@per_language()
def _action_options(actions: tuple[str, ...], selected: str) -> str:
    labels = action_labels()
    return _options_html([(a, labels[a] if a else _("すべて")) for a in actions], selected)


def _options_html(choices, selected: str) -> str:
    return format_html_join(
        "\n",
        '  <option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) == selected else "", label) for value, label in choices),
    )


class TimeZoneSelect(LeanSelect):
    """The ~600 IANA zones; their names need no translation, so each selection's options are
    built once."""

    def options_html(self, selected: str) -> str:
        return _time_zone_options(selected)

    def use_required_attribute(self, initial) -> bool:
        # What Select decides, without walking the ~600 choices to find the first: HTML
        # allows `required` only when the first option is an empty placeholder, and the
        # first option here is a zone.
        return False


@functools.lru_cache(maxsize=64)
def _time_zone_options(selected: str) -> str:
    return _options_html(TIME_ZONE_CHOICES, selected)


class CompanyInfoForm(forms.ModelForm):
    """基本設定 > 会社情報."""

    time_zone = forms.ChoiceField(
        # A callable, so that each new form does not deep-copy ~600 choices.
        label=_("利用地域"),
        choices=lambda: TIME_ZONE_CHOICES,
        widget=TimeZoneSelect,
    )
    receive_notices = forms.TypedChoiceField(
        label=_("お知らせ"),
        choices=[(True, _("受け取る")), (False, _("受け取らない"))],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CompanyInfo
        fields = CompanyInfo.SETTINGS_FIELDS
        widgets = {"notice_recipients": forms.RadioSelect}


# 監査's and its export's action filters. Callables, as the time zones above: a form's new
# copy then holds the function, not a deep copy of ~30 choices.
_CUSTOMER_ACTION_CHOICES = (
    ("", _("すべて")),
    *(
        (action, label)
        for action, label in AuditEvent.Action.choices
        if action not in AuditEvent.PARTNER_ACCOUNT_ACTIONS
    ),
)
_ACTION_CHOICES = (("", _("すべて")), *AuditEvent.Action.choices)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=lambda: _CUSTOMER_ACTION_CHOICES,
        widget=ActionSelect,
    )


class AuditExportForm(forms.Form):
    """監査 > CSVエクスポート: the action filter of 監査, and an optional period."""

    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=lambda: _ACTION_CHOICES,
        widget=ActionSelect,
    )
    date_from = forms.DateField(
        label=_("開始日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("終了日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("終了日は開始日以降の日付を入力してください。"))
        return cleaned
