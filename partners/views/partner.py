"""The partner console: customers list and 顧客の取り込み (code verification)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.decorators import partner_staff_required
from core.pagination import CountlessPaginator
from core.ratelimit import client_ip

from .. import errors, selectors, services
from ..forms import CustomerImportForm, SearchForm

CUSTOMERS_PAGE_SIZE = 25


@partner_staff_required
@never_cache
def customers(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    codes = selectors.customer_code_list(partner=request.user.partner, query=query)
    page = CountlessPaginator(codes, CUSTOMERS_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    labels = selectors.customer_status_labels()
    rows = [selectors.customer_row(code, now, labels) for code in page]
    return render(
        request,
        "partners/partner/customers.html",
        {"form": form, "page": page, "rows": rows, "query": query},
    )


@partner_staff_required
@never_cache
@sensitive_post_parameters("code")
def customer_import(request):
    """Two posts: 確認 shows the preview, 取り込む verifies. Both go through the rate limit."""
    form = CustomerImportForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return _render_import(request, form)
    attempt = {
        "partner": request.user.partner,
        "staff": request.user,
        "domain": form.cleaned_data["domain"],
        "raw_code": form.cleaned_data["code"],
        "client_ip": client_ip(request),
    }
    try:
        if "confirm" in request.POST:
            services.code_verify(**attempt, show_profile=form.cleaned_data["show_profile"])
            messages.success(request, _("コード認証が完了しました。お客様の承認をお待ちください。"))
            return redirect("partners:customers")
        preview = services.code_preview(**attempt)
    except errors.RateLimited as exc:
        form.add_error(None, exc.message)
        response = _render_import(request, form, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except errors.FlowError as exc:
        form.add_error(None, exc.message)
        return _render_import(request, form, status=exc.status if exc.status == 403 else 200)
    # The checkbox appears for the first time with the preview: offer it at its default.
    form = CustomerImportForm(initial={"domain": attempt["domain"], "code": attempt["raw_code"]})
    return _render_import(request, form, preview=preview)


def _render_import(request, form, *, preview=None, status=200):
    return render(
        request,
        "partners/partner/import.html",
        {"form": form, "preview": preview},
        status=status,
    )
