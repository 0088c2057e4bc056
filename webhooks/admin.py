"""Read-only views of the webhooks for operators in /ops/ (secrets are never shown)."""

from django.contrib import admin

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

SECRET_FIELDS = {"secret_encrypted", "previous_secret_encrypted"}


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in SECRET_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = [
        "url",
        "partner",
        "is_active",
        "disabled_reason",
        "failure_streak",
        "created_at",
    ]
    list_filter = ["is_active", "disabled_reason"]
    search_fields = ["url", "partner__name"]
    list_select_related = ["partner"]


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = [
        "number",
        "attempted_at",
        "outcome",
        "status_code",
        "duration_ms",
        "response_excerpt",
        "error",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "endpoint", "status", "attempts", "last_status_code"]
    list_filter = ["status", "event__type"]
    search_fields = ["endpoint__url", "event__id"]
    list_select_related = ["event", "endpoint"]
    inlines = [AttemptInline]
