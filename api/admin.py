from django.contrib import admin

from .models import ApiApp


@admin.register(ApiApp)
class ApiAppAdmin(admin.ModelAdmin):
    """Operators read apps; partners manage them (secrets are never stored, so never shown)."""

    list_display = ["name", "partner", "client_id", "service_account", "created_at", "revoked_at"]
    list_filter = ["partner"]
    search_fields = ["name", "client_id", "service_account"]
    fields = list_display + ["created_by", "scopes", "secret_issued_at", "key_issued_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
