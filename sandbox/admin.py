"""The sandbox in /ops/: reset, 有効期限切れにする and 承認期限切れにする on works groups (and
the last two on partner codes), on the lists and on each object's page; and the partners'
sandbox customers, read-only.

The actions are added to the accounts and partners admins from here, so neither of those apps
knows of the sandbox; with SANDBOX off they are not offered, and a request naming one anyway
is Django's "no action selected".
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import WorksGroupAdmin
from accounts.models import WorksGroup
from partners.admin import PartnerCodeAdmin
from partners.models import PartnerCode

from . import errors, services
from .models import SandboxCustomer
from .services import Via

SANDBOX_ACTIONS = ("sandbox_reset", "sandbox_code_expire", "sandbox_code_lapse")
# On the list (for the selected rows) and on each object's own page.
EVERYWHERE = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
NOT_OPEN = gettext_lazy("このパートナーコードは認証待ち・承認待ちではありません。")


class SandboxActionsMixin:
    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if not settings.SANDBOX:
            for name in SANDBOX_ACTIONS:
                actions.pop(name, None)
        return actions

    def sandbox_run(self, request, groups, verb, done: str) -> None:
        """`verb` on each group in turn, each in its own transaction; every refusal is
        reported with its group's domain and the reason."""
        succeeded = []
        for group in groups:
            try:
                verb(works_group=group, by=request.user, via=Via.OPS)
            except errors.FlowError as exc:
                self.message_user(request, f"{group.domain}: {exc.message}", messages.ERROR)
            else:
                succeeded.append(group.domain)
        if succeeded:
            self.message_user(request, done % {"domains": ", ".join(succeeded)}, messages.SUCCESS)


class SandboxWorksGroupAdmin(SandboxActionsMixin, WorksGroupAdmin):
    actions = [*WorksGroupAdmin.actions, *SANDBOX_ACTIONS]

    @admin.action(description=gettext_lazy("リセット（サンドボックス）"), location=EVERYWHERE)
    def sandbox_reset(self, request, queryset):
        done = _("最初の状態に戻しました：%(domains)s")
        self.sandbox_run(request, queryset, services.sandbox_tenant_reset, done)

    @admin.action(description=gettext_lazy("有効期限切れにする"), location=EVERYWHERE)
    def sandbox_code_expire(self, request, queryset):
        done = _("パートナーコードを有効期限切れにしました：%(domains)s")
        self.sandbox_run(request, queryset, services.sandbox_code_expire, done)

    @admin.action(description=gettext_lazy("承認期限切れにする"), location=EVERYWHERE)
    def sandbox_code_lapse(self, request, queryset):
        done = _("パートナーコードを承認期限切れにしました：%(domains)s")
        self.sandbox_run(request, queryset, services.sandbox_code_lapse, done)


class SandboxPartnerCodeAdmin(SandboxActionsMixin, PartnerCodeAdmin):
    actions = [*PartnerCodeAdmin.actions, "sandbox_code_expire", "sandbox_code_lapse"]

    def _groups_of_open_codes(self, request, queryset) -> list[WorksGroup]:
        groups = []
        for code in queryset.select_related("works_group"):
            if code.status in PartnerCode.OPEN_STATUSES:
                groups.append(code.works_group)
            else:
                self.message_user(request, f"{code.masked}: {NOT_OPEN}", messages.ERROR)
        return groups

    @admin.action(description=gettext_lazy("有効期限切れにする"), location=EVERYWHERE)
    def sandbox_code_expire(self, request, queryset):
        done = _("パートナーコードを有効期限切れにしました：%(domains)s")
        groups = self._groups_of_open_codes(request, queryset)
        self.sandbox_run(request, groups, services.sandbox_code_expire, done)

    @admin.action(description=gettext_lazy("承認期限切れにする"), location=EVERYWHERE)
    def sandbox_code_lapse(self, request, queryset):
        done = _("パートナーコードを承認期限切れにしました：%(domains)s")
        groups = self._groups_of_open_codes(request, queryset)
        self.sandbox_run(request, groups, services.sandbox_code_lapse, done)


@admin.register(SandboxCustomer)
class SandboxCustomerAdmin(admin.ModelAdmin):
    """Read-only: partners make and delete their sandbox customers; the hash is never shown."""

    list_display = ["works_group", "partner", "plan", "seats", "created_by", "created_at"]
    list_filter = ["partner", "plan", "issue_code"]
    search_fields = ["works_group__domain", "partner__name", "admin_email"]
    list_select_related = ["works_group", "partner", "created_by"]
    exclude = ["admin_password_hash"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "admin_password_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.unregister(WorksGroup)
admin.site.register(WorksGroup, SandboxWorksGroupAdmin)
admin.site.unregister(PartnerCode)
admin.site.register(PartnerCode, SandboxPartnerCodeAdmin)
