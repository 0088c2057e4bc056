"""The partner console's webhooks: endpoints (the secret shown once), each one's delivery log
with 「再送」; and /dev/webhooks/, the recent deliveries, while DEBUG is on."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import partner_staff_required, role_required
from core.pagination import CountlessPaginator

from . import errors, selectors, services
from .forms import EndpointForm
from .models import WebhookDelivery, WebhookEndpoint

DELIVERIES_PAGE_SIZE = 20
DEV_PAGE_SIZE = 50


def _own_endpoint(request, pk: int) -> WebhookEndpoint:
    """The staff member's partner's endpoint; another partner's is a 404, as every other
    tenant's object is."""
    return get_object_or_404(WebhookEndpoint, pk=pk, partner=request.user.partner)


def _form_refused(form, exc: errors.FlowError) -> None:
    form.add_error(getattr(exc, "field", None), exc.message)


@partner_staff_required
@never_cache
def endpoint_list(request):
    """The partner's endpoints; a POST registers one, and its secret is on this response only."""
    form = EndpointForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _created, secret = services.webhook_endpoint_create(
                staff=request.user, **form.cleaned_data
            )
        except errors.FlowError as exc:
            _form_refused(form, exc)
        else:
            form = EndpointForm()
    endpoints = list(selectors.webhook_endpoint_list(partner=request.user.partner))
    limit = settings.WEBHOOK_MAX_ENDPOINTS
    context = {
        "form": form,
        "endpoints": endpoints,
        "secret": secret,
        "limit": limit,
        "can_add": len(endpoints) < limit,
    }
    return render(request, "webhooks/partner/endpoints.html", context)


@partner_staff_required
@never_cache
def endpoint_detail(request, pk: int):
    """An endpoint's settings (a POST saves them) and its delivery log, newest first."""
    endpoint = _own_endpoint(request, pk)
    form = EndpointForm.for_endpoint(endpoint, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_endpoint_update(
                endpoint=endpoint, by=request.user, values=form.cleaned_data
            )
        except errors.FlowError as exc:
            _form_refused(form, exc)
        else:
            messages.success(request, _("Webhookの設定を保存しました。"))
            return redirect("webhooks:endpoint", pk=endpoint.pk)
    return _render_endpoint(request, endpoint, form)


@partner_staff_required
@require_POST
def endpoint_rotate(request, pk: int):
    """シークレットの再発行: the new secret is on this response only."""
    endpoint, secret = services.webhook_secret_rotate(
        endpoint=_own_endpoint(request, pk), by=request.user
    )
    return _render_endpoint(request, endpoint, EndpointForm.for_endpoint(endpoint), secret=secret)


@partner_staff_required
@require_POST
def endpoint_delete(request, pk: int):
    endpoint = _own_endpoint(request, pk)
    services.webhook_endpoint_delete(endpoint=endpoint, by=request.user)
    messages.success(request, _("Webhook「%(url)s」を削除しました。") % {"url": endpoint.url})
    return redirect("webhooks:endpoints")


@partner_staff_required
@require_POST
def delivery_redeliver(request, pk: int, delivery_pk: int):
    """「再送」: the same event, with the same id, once more."""
    endpoint = _own_endpoint(request, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, endpoint=endpoint)
    try:
        services.webhook_delivery_redeliver(delivery=delivery, by=request.user)
    except errors.FlowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("イベントを再送します。"))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


def _render_endpoint(request, endpoint, form, *, secret=None):
    deliveries = selectors.webhook_delivery_list(endpoint=endpoint)
    page = CountlessPaginator(deliveries, DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "form": form,
        "page": page,
        "secret": secret,
        "overlap_hours": settings.WEBHOOK_SECRET_OVERLAP_HOURS,
    }
    return render(request, "webhooks/partner/endpoint.html", context)


def _debug_only(view):
    """Not found at all unless DEBUG is on, before anything else is asked."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_debug_only
@role_required(lambda user: user.is_partner_staff or user.role == user.Role.OPERATOR)
@never_cache
def dev_deliveries(request):
    """/dev/webhooks/: the latest deliveries with their bodies and attempts (development
    only). Operators see every partner's; partner staff only their own partner's."""
    partner = request.user.partner if request.user.is_partner_staff else None
    deliveries = selectors.webhook_delivery_list(partner=partner)
    page = CountlessPaginator(deliveries, DEV_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dev/webhooks.html", {"page": page})
