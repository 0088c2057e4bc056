from django.contrib import admin

from core.admin import SecretLookupsRefused

from .models import ApiToken, PartnerCode, PartnerContract


@admin.register(PartnerCode)
class PartnerCodeAdmin(SecretLookupsRefused):
    list_display = [
        "masked",
        "works_group",
        "status",
        "issued_at",
        "expires_at",
        "verified_partner",
    ]
    list_filter = ["status", "cancel_reason", "verified_partner"]
    search_fields = ["works_group__domain", "verified_partner__name"]
    list_select_related = ["works_group", "verified_partner"]
    exclude = ["code"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "code"] + ["masked"]

    def has_add_permission(self, request):
        return False


@admin.register(PartnerContract)
class PartnerContractAdmin(SecretLookupsRefused):
    list_display = ["works_group", "partner", "completed_at", "settlement_total"]
    list_filter = ["partner", "settlement_plan"]
    search_fields = ["works_group__domain", "company_name", "group_name", "partner__name"]
    list_select_related = ["works_group", "partner"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(SecretLookupsRefused):
    """Read-only: tokens are created and revoked by partner staff, secrets never shown."""

    list_display = [
        "prefix",
        "name",
        "partner",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["partner", "revoked_at"]
    search_fields = ["name", "prefix", "partner__name", "created_by__email"]
    list_select_related = ["partner", "created_by"]
    exclude = ["token_hash"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
