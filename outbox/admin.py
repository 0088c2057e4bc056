from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import SecretLookupsRefused

from .models import OutboundEmail
from .services import email_retry


@admin.register(OutboundEmail)
class OutboundEmailAdmin(SecretLookupsRefused):
    list_display = ["created_at", "subject", "status", "attempts", "sent_at", "works_group"]
    list_filter = ["status", "template", "language"]
    search_fields = ["subject", "works_group__domain", "last_error"]
    list_select_related = ["works_group"]
    actions = ["retry"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("選択したメールを再送する"))
    def retry(self, request, queryset):
        count = email_retry(email_ids=list(queryset.values_list("pk", flat=True)))
        message = _("%(count)s件のメールを再送します。") % {"count": count}
        self.message_user(request, message, messages.SUCCESS)
