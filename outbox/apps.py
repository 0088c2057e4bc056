from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """The e-mail outbox: every e-mail is a row written with the change that causes it."""

    name = "outbox"
    verbose_name = _("送信メール")
