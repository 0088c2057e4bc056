from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Plan

from .services import MAX_SEATS


class SandboxCustomerForm(forms.Form):
    """「テスト顧客を作成」: the plan and seats to start on, and whether a code is issued."""

    plan = forms.ChoiceField(label=_("プラン"), choices=Plan.choices, initial=Plan.FREE)
    seats = forms.IntegerField(label=_("メンバー数"), min_value=1, max_value=MAX_SEATS, initial=10)
    issue_code = forms.BooleanField(
        label=_("パートナーコードを発行しておく"),
        required=False,
        initial=True,
        help_text=_("発行しておくと、すぐに顧客の取り込み（コード認証）を試せます。"),
    )
