from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EventType, WebhookEndpoint


class EndpointForm(forms.Form):
    """A webhook: where to send, which events, on or off. The URL's rules (https, a public
    address) are the service's; its refusal is shown on the field."""

    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("https:// で始まる、インターネットから届くURLを入力してください。"),
        widget=forms.URLInput,
    )
    description = forms.CharField(label=_("説明"), max_length=100, required=False)
    events = forms.MultipleChoiceField(
        label=_("イベント"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=EventType.values,
        error_messages={"required": _("通知するイベントを1つ以上選んでください。")},
    )
    is_active = forms.BooleanField(label=_("有効"), required=False, initial=True)

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, data=None) -> "EndpointForm":
        initial = {name: getattr(endpoint, name) for name in cls.base_fields}
        return cls(data, initial=initial)
