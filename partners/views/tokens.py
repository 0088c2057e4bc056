"""The partner console's API tokens: list, create (the secret is shown once), revoke."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import partner_staff_required
from core.pagination import CountlessPaginator

from .. import errors
from ..forms import ApiTokenForm
from ..models import ApiToken
from ..tokens import api_token_create, api_token_revoke

TOKENS_PAGE_SIZE = 20


@partner_staff_required
@never_cache
def token_list(request):
    """A POST creates a token; its secret is on this response only and is never stored."""
    form = ApiTokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = api_token_create(staff=request.user, name=form.cleaned_data["name"])
        except errors.FlowError as exc:
            form.add_error(None, exc.message)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(partner=request.user.partner).select_related("created_by")
    page = CountlessPaginator(tokens, TOKENS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/partner/tokens.html",
        {"form": form, "page": page, "created": created, "secret": secret},
    )


@partner_staff_required
@require_POST
def token_revoke(request, pk):
    # Another partner's token is a 404 here, as every other tenant's object is.
    token = get_object_or_404(ApiToken, pk=pk, partner=request.user.partner)
    try:
        api_token_revoke(token=token, by=request.user)
    except errors.FlowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("APIトークン「%(name)s」を無効にしました。") % {"name": token.name}
        )
    return redirect("partners:tokens")
