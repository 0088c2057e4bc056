import csv
import json

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_POST

from core.errors import FlowError
from core.pagination import CountlessPaginator

from . import services
from .decorators import customer_required
from .forms import AuditFilterForm, CompanyInfoForm, EmailAuthenticationForm
from .languages import cookie_language, supported_language
from .models import AuditEvent

AUDIT_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        chosen = cookie_language(self.request)
        if chosen and user.chooses_language and chosen != user.language:
            # The language they signed in with, chosen on the log-in page, becomes theirs.
            services.user_language_update(user=user, language=chosen)
        services.audit_record(
            action=AuditEvent.Action.LOGIN,
            actor=user,
            works_group=user.works_group,
            partner=user.partner,
        )
        return response


class LogoutView(auth_views.LogoutView):
    """POST logs out (CSRF-protected); GET, for a bookmarked or typed /logout/, shows a page
    with the 「ログアウト」 button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        return render(request, "accounts/logout.html")


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


def _audit_events(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.filter(works_group=request.user.works_group)
    if form.is_valid() and form.cleaned_data["action"]:
        events = events.filter(action=form.cleaned_data["action"])
    return form, events


def _action_labels() -> dict[str, str]:
    """{action: label} in the active language, translated once per request.

    `get_action_display()` rebuilds and hashes every lazy label on each call: a third of
    the 監査 page's time with 50 rows, far more for a CSV of thousands.
    """
    return {action: str(label) for action, label in AuditEvent.Action.choices}


@customer_required
def audit(request):
    """監査: newest first, filterable by action, paginated."""
    form, events = _audit_events(request)
    page = CountlessPaginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = _action_labels()
    for event in page:
        event.action_label = labels.get(event.action, event.action)
    return render(request, "accounts/audit.html", {"form": form, "page": page})


class _Echo:
    def write(self, value):
        return value


@customer_required
def audit_csv(request):
    """The same filter as 監査, every row, streamed."""
    _form, events = _audit_events(request)
    writer = csv.writer(_Echo())
    header = [_("日時"), _("操作者"), _("操作"), _("詳細")]
    tz = request.user.works_group.company_info.tz
    labels = _action_labels()

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(event.created_at, tz).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_label,
                    labels.get(event.action, event.action),
                    json.dumps(event.details, ensure_ascii=False),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return response
