"""The partner console's form for registering an app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .scopes import Scope


class ApiAppForm(forms.Form):
    """アプリの登録: a name, and the scopes its tokens may ask for."""

    name = forms.CharField(
        label=_("アプリ名"),
        max_length=100,
        help_text=_("どのシステムのアプリか分かる名前を付けてください。"),
    )
    scopes = forms.MultipleChoiceField(
        label="OAuth Scopes",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.PARTNER_READ],
        error_messages={"required": _("OAuth Scopes を1つ以上選択してください。")},
        help_text=_(
            "partner.read は顧客情報の参照のみ、partner はコード認証などの更新も行えます。"
        ),
    )
