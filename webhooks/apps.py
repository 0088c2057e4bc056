from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import signing  # noqa: F401 - registers the check of WEBHOOK_SECRET_KEYS


class WebhooksConfig(AppConfig):
    """Webhooks: partner systems hear about their customers' events without polling."""

    name = "webhooks"
    verbose_name = _("Webhook")
