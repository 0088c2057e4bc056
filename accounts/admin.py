from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.admin import SecretLookupsRefused

from .forms import OpsAuthenticationForm
from .models import AuditEvent, CompanyInfo, Partner, User, WorksGroup

# /ops/login/ checks passwords under the log-in limits (accounts.views.ops_login).
admin.site.login_form = OpsAuthenticationForm


class CompanyInfoInlineForm(forms.ModelForm):
    def has_changed(self) -> bool:
        # Every works group has its 会社情報: save it even when left at its defaults.
        return self.instance.pk is None or super().has_changed()


class CompanyInfoInline(admin.StackedInline):
    model = CompanyInfo
    form = CompanyInfoInlineForm
    can_delete = False


@admin.register(WorksGroup)
class WorksGroupAdmin(SecretLookupsRefused):
    list_display = ["domain", "plan", "seats", "channel", "partner", "is_sandbox", "created_at"]
    list_filter = ["is_sandbox", "plan", "channel", "partner"]
    search_fields = ["domain", "company_info__company_name", "company_info__group_name"]
    list_select_related = ["partner"]
    inlines = [CompanyInfoInline]

    def get_readonly_fields(self, request, obj=None):
        return ["domain"] if obj else []


@admin.register(CompanyInfo)
class CompanyInfoAdmin(SecretLookupsRefused):
    list_display = ["works_group", "group_name", "company_name", "phone", "language", "time_zone"]
    list_filter = ["language", "time_zone", "receive_notices", "notice_recipients"]
    search_fields = ["works_group__domain", "group_name", "company_name", "phone"]
    list_select_related = ["works_group"]


@admin.register(Partner)
class PartnerAdmin(SecretLookupsRefused):
    list_display = ["name", "region", "is_active", "created_at"]
    list_filter = ["is_active", "region"]
    search_fields = ["name", "region", "description"]


@admin.register(User)
class UserAdmin(SecretLookupsRefused, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "role", "works_group", "partner", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "works_group", "partner"]
    search_fields = ["email", "name", "works_group__domain", "partner__name"]
    list_select_related = ["works_group", "partner"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        ("Tenant", {"fields": ["role", "works_group", "partner", "language"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "password1", "password2", "role", "works_group", "partner"]}),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(SecretLookupsRefused):
    """Append-only: operators read it, nobody edits it."""

    list_display = ["created_at", "action", "actor_label", "works_group", "partner"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_label", "works_group__domain", "partner__name"]
    list_select_related = ["works_group", "partner"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
