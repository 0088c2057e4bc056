from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import FlowError
from core.pagination import CountlessPaginator

from . import exports, selectors, services
from .auditing import action_labels
from .decorators import customer_required, super_admin_required
from .forms import AuditExportForm, AuditFilterForm, CompanyInfoForm, EmailAuthenticationForm
from .languages import cookie_language, supported_language
from .models import AuditEvent, AuditExport
from .throttle import remember_device

AUDIT_PAGE_SIZE = 50
EXPORT_STARTED = gettext_lazy("エクスポートを開始しました。完了するとダウンロードできます。")


class LoginView(auth_views.LoginView):
    """Log-in by e-mail, under the log-in limits (accounts.throttle)."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        _logged_in(self.request, response, form.get_user())
        return response

    def form_invalid(self, form):
        return _refused_when_throttled(super().form_invalid(form), form)


@require_POST
def ops_logout(request):
    """/ops/logout/: Django admin's log-out, ending every session of the user the same way."""
    if request.user.is_authenticated:
        services.user_sessions_end(user=request.user)
    return admin.site.logout(request)


def ops_login(request):
    """/ops/login/: Django admin's log-in page under the same limits, audited the same way."""
    response = admin.site.login(request)
    if request.method == "POST" and request.user.is_authenticated:
        _logged_in(request, response, request.user)
        return response
    form = (getattr(response, "context_data", None) or {}).get("form")
    return _refused_when_throttled(response, form)


def _logged_in(request, response, user) -> None:
    remember_device(request, response, user.email)
    chosen = cookie_language(request)
    if chosen and user.chooses_language and chosen != user.language:
        # The language they signed in with, chosen on the log-in page, becomes theirs.
        services.user_language_update(user=user, language=chosen)
    services.audit_record(
        action=AuditEvent.Action.LOGIN,
        actor=user,
        works_group=user.works_group,
        partner=user.partner,
    )


def _refused_when_throttled(response, form):
    """429 with Retry-After when the form refused the attempt under the log-in limits."""
    throttled = getattr(form, "throttled", None)
    if throttled is not None:
        response.status_code = 429
        response["Retry-After"] = str(throttled.retry_after)
    return response


class LogoutView(auth_views.LogoutView):
    """POST logs out (CSRF-protected) and ends every session of the user, not only this
    browser's (a signed-cookie session copied before log-out must not outlive it); GET, for a
    bookmarked or typed /logout/, shows a page with the 「ログアウト」 button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return render(request, "accounts/logout.html")

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.user_sessions_end(user=request.user)
        return super().post(request, *args, **kwargs)


@require_POST
def language_set(request):
    """Django's `set_language` (the language cookie, then back to `next`); a signed-in partner
    staff member or operator also keeps the choice on their user, for pages and e-mails."""
    response = i18n.set_language(request)
    user = request.user
    language = supported_language(request.POST.get("language"))
    if language and user.is_authenticated and user.chooses_language:
        services.user_language_update(user=user, language=language)
    return response


@login_required
def home(request):
    """Each role has its own console."""
    user = request.user
    if user.is_customer:
        return redirect("accounts:console")
    if user.is_partner_staff:
        return redirect("partners:customers")
    return redirect("admin:index")


@customer_required
def console(request):
    return render(request, "console/home.html")


@customer_required
def company_info(request):
    """基本設定 > 会社情報: editable by the super admin, read-only for an admin."""
    info = request.user.works_group.company_info
    read_only = not request.user.is_super_admin
    form = CompanyInfoForm(None if read_only else request.POST or None, instance=info)
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not read_only and form.is_valid():
        try:
            services.company_info_update(
                works_group=request.user.works_group, by=request.user, values=form.cleaned_data
            )
        except FlowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("会社情報を保存しました。"))
            return redirect("accounts:company-info")
    status = 403 if request.method == "POST" and read_only else 200
    return render(
        request,
        "accounts/company_info.html",
        {"form": form, "read_only": read_only, "domain": request.user.works_group.domain},
        status=status,
    )


@customer_required
def audit(request):
    """監査: newest first, filterable by action, paginated."""
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    events = selectors.audit_rows(works_group_id=request.user.works_group_id, action=action)
    page = CountlessPaginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = action_labels()
    for event in page:
        event["action_label"] = labels.get(event["action"], event["action"])
    return render(request, "accounts/audit.html", {"form": form, "page": page})


@super_admin_required
@never_cache
def audit_exports(request):
    """監査 > CSVエクスポート: start an export (POST), follow it, download it when ready."""
    group = request.user.works_group
    data = request.POST if request.method == "POST" else None  # an empty form is valid
    form = AuditExportForm(data, initial={"action": request.GET.get("action")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            exports.audit_export_start(works_group=group, by=request.user, **form.cleaned_data)
        except FlowError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, EXPORT_STARTED)
            return redirect("accounts:audit-exports")
    listed = exports.audit_export_list(works_group=group)
    labels = action_labels()
    for export in listed:
        export.action_label = labels.get(export.action, "")
    unfinished = (AuditExport.Status.QUEUED, AuditExport.Status.RUNNING)
    running = any(export.status in unfinished for export in listed)
    return render(
        request,
        "accounts/audit_exports.html",
        {
            "form": form,
            "exports": listed,
            "running": running,
            "max_rows": settings.AUDIT_EXPORT_MAX_ROWS,
        },
        status=status,
    )


@super_admin_required
@never_cache
def audit_export_download(request, pk: int):
    """A finished export of the signed-in super admin's group; 404 for anything else."""
    group = request.user.works_group
    found = exports.audit_export_file(works_group=group, export_id=pk)
    if found is None:
        raise Http404
    export, file = found
    created = timezone.localtime(export.created_at, group.company_info.tz)
    return FileResponse(
        file,
        as_attachment=True,
        filename=f"audit-{group.domain}-{created:%Y%m%d-%H%M%S}.csv",
        content_type="text/csv; charset=utf-8",
    )
