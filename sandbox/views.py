"""The sandbox's pages: the partner console's テスト顧客 (create, list, reset, delete) and the
reset a sandbox tenant's super admin starts from the wizard. Each confirmation is a modal
(static/js/console.js) whose no-JavaScript fallback is the GET of the same URL."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import customer_required, partner_staff_required
from core.pagination import CountlessPaginator

from . import errors, selectors, services
from .decorators import sandbox_required
from .forms import SandboxCustomerForm
from .services import Via

CUSTOMERS_PAGE_SIZE = 25


@sandbox_required
@partner_staff_required
@never_cache
def customers(request):
    """The partner's テスト顧客; a POST makes one, whose password is on this response only."""
    form = SandboxCustomerForm(request.POST or None)
    created, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            created = services.sandbox_customer_create(
                partner=request.user.partner,
                by=request.user,
                via=Via.PARTNER_CONSOLE,
                **form.cleaned_data,
            )
        except errors.FlowError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            form = SandboxCustomerForm()
    return _render_list(request, form, created=created, status=status)


@sandbox_required
@partner_staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def customer_reset(request, domain):
    customer = _own_customer(request, domain)
    if request.method == "GET":
        return _confirm(request, customer, "reset")
    try:
        code = services.sandbox_tenant_reset(
            works_group=customer.works_group, by=request.user, via=Via.PARTNER_CONSOLE
        )
    except errors.CustomerNotFound as exc:
        raise Http404 from exc
    except errors.FlowError as exc:
        messages.error(request, exc.message)
        return redirect("sandbox:customers")
    # The fresh code is shown here, once, as at creation; never in a list or a cookie.
    return render(request, "sandbox/partner/reset_done.html", {"customer": customer, "code": code})


@sandbox_required
@partner_staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def customer_delete(request, domain):
    customer = _own_customer(request, domain)
    if request.method == "GET":
        return _confirm(request, customer, "delete")
    try:
        services.sandbox_customer_delete(
            works_group=customer.works_group, by=request.user, via=Via.PARTNER_CONSOLE
        )
    except errors.CustomerNotFound as exc:
        raise Http404 from exc
    except errors.FlowError as exc:
        messages.error(request, exc.message)
    else:
        done = _("テスト顧客「%(domain)s」を削除しました。")
        messages.success(request, done % {"domain": customer.works_group.domain})
    return redirect("sandbox:customers")


@sandbox_required
@customer_required
@never_cache
@require_http_methods(["GET", "POST"])
def tenant_reset(request):
    """The wizard's リセット, for the super admin of a sandbox tenant: GET is the confirmation
    (the modal's fallback), POST resets. A tenant that is not a sandbox has no such page, and
    its POST is refused by the service with its reason."""
    group = request.user.works_group
    if not request.user.is_super_admin:
        raise PermissionDenied
    if request.method == "GET":
        if not group.is_sandbox:
            raise Http404
        return render(request, "sandbox/tenant_reset_confirm.html")
    try:
        services.sandbox_tenant_reset(works_group=group, by=request.user, via=Via.CONSOLE)
    except errors.NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.FlowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("ワークスグループを最初の状態に戻しました。"))
    return redirect("partners:contract")


def _own_customer(request, domain):
    """The signed-in partner's sandbox customer; another partner's is a 404, like any
    other tenant's object."""
    try:
        return selectors.sandbox_customer_get(partner=request.user.partner, domain=domain)
    except errors.CustomerNotFound as exc:
        raise Http404 from exc


def _confirm(request, customer, action: str):
    return render(
        request,
        "sandbox/partner/confirm.html",
        {"customer": customer, "action": action},
    )


def _render_list(request, form, *, created=None, status=200):
    customers = selectors.sandbox_customer_list(partner=request.user.partner)
    page = CountlessPaginator(customers, CUSTOMERS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": selectors.sandbox_customer_rows(page, now=timezone.now()),
        "created": created,
        "limit": settings.SANDBOX_CUSTOMER_LIMIT,
    }
    return render(request, "sandbox/partner/customers.html", context, status=status)
