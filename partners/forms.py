from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import CompanyInfo, Partner, User
from core.validators import validate_single_line

from . import errors
from .codes import MalformedCode, normalize_code

PASSWORD_NEEDED = _("管理者のメールアドレスを変更するには、現在のパスワードを入力してください。")


class IssueCodeForm(forms.Form):
    """コード発行, optionally for the partner picked in パートナー検索."""

    partner = forms.ModelChoiceField(
        queryset=Partner.objects.filter(is_active=True), required=False, widget=forms.HiddenInput
    )


class CompanyGateForm(forms.ModelForm):
    """「パートナー連携を行うには、会社情報の入力が必要です。」 The three 会社情報 fields as the
    model defines them (here all required), and the super admin's e-mail, which is their
    log-in: changing it asks for the current password (checked by the service)."""

    admin_email = forms.EmailField(
        label=_("管理者のメールアドレス"), max_length=User._meta.get_field("email").max_length
    )
    current_password = forms.CharField(
        label=_("現在のパスワード"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("管理者のメールアドレスを変更する場合のみ入力してください。"),
    )

    class Meta:
        model = CompanyInfo
        fields = ["group_name", "company_name", "phone"]

    def __init__(self, *args, admin: User, **kwargs):
        self.admin = admin
        super().__init__(*args, **kwargs)
        for name in self.Meta.fields:
            self.fields[name].required = True

    def clean_admin_email(self):
        return self.cleaned_data["admin_email"].lower()

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("admin_email")
        if email and email != self.admin.email and not cleaned.get("current_password"):
            self.add_error("current_password", PASSWORD_NEEDED)
        return cleaned


class CustomerImportForm(forms.Form):
    """顧客の取り込み: the pair that identifies a customer's code."""

    domain = forms.CharField(
        label=_("ドメイン又はグループ名"), max_length=64, validators=[validate_single_line]
    )
    code = forms.CharField(label=_("パートナーコード"), max_length=64)
    show_profile = forms.BooleanField(
        label=_("お客様にパートナーのプロフィールを表示する"), required=False, initial=True
    )

    def clean_domain(self):
        return self.cleaned_data["domain"].strip().lower()

    def clean_code(self):
        try:
            return normalize_code(self.cleaned_data["code"])
        except MalformedCode as exc:
            raise forms.ValidationError(errors.MALFORMED_CODE, code="malformed") from exc


class SearchForm(forms.Form):
    q = forms.CharField(label=_("検索"), required=False, max_length=100)


class ApiTokenForm(forms.Form):
    """APIトークンの作成: a name that says which system will use the token."""

    name = forms.CharField(
        label=_("名前"),
        max_length=100,
        validators=[validate_single_line],
        help_text=_("どのシステムで使うトークンか分かる名前を付けてください。"),
    )
