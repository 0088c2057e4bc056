import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, CompanyInfo


class EmailAuthenticationForm(AuthenticationForm):
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


TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class CompanyInfoForm(forms.ModelForm):
    """基本設定 > 会社情報."""

    time_zone = forms.ChoiceField(label=_("利用地域"), choices=TIME_ZONE_CHOICES)
    receive_notices = forms.TypedChoiceField(
        label=_("お知らせ"),
        choices=[(True, _("受け取る")), (False, _("受け取らない"))],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = CompanyInfo
        fields = [
            "group_name",
            "company_name",
            "phone",
            "language",
            "time_zone",
            "receive_notices",
            "notice_recipients",
        ]
        widgets = {"notice_recipients": forms.RadioSelect}


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=[("", _("すべて")), *AuditEvent.Action.choices],
    )
