"""The partner console's API apps (as the Developer Console's): register, list, regenerate the
client secret or the key pair, revoke. A secret or a private key is on the one response that
creates it and nowhere else: it is never stored, so it cannot be shown again."""

import json
from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from accounts.decorators import partner_staff_required
from core.errors import FlowError

from ..forms import ApiAppForm
from ..models import ApiApp
from ..selectors import api_app_list
from ..services import (
    AppCredentials,
    api_app_create,
    api_app_key_regenerate,
    api_app_revoke,
    api_app_secret_regenerate,
)
from ..token_schemas import TOKEN_PATH

CREATED = gettext_lazy("APIアプリ「%(name)s」を登録しました")
SECRET_REGENERATED = gettext_lazy("「%(name)s」の Client Secret を再発行しました")
KEY_REGENERATED = gettext_lazy("「%(name)s」の Private Key を再発行しました")


@dataclass(frozen=True)
class Revealed:
    """Credentials to show once, under a heading saying what just happened."""

    heading: str
    credentials: AppCredentials

    @property
    def is_complete(self) -> bool:
        """Everything a client needs (a new app): worth offering as one JSON file."""
        return bool(self.credentials.client_secret and self.credentials.private_key)

    @property
    def json_text(self) -> str:
        return json.dumps(self.credentials.as_json(), indent=2)


def _page(request, *, form=None, revealed: Revealed | None = None):
    return render(
        request,
        "api/apps.html",
        {
            "form": form or ApiAppForm(),
            "apps": api_app_list(partner=request.user.partner),
            "revealed": revealed,
            "token_url": request.build_absolute_uri(TOKEN_PATH),
        },
    )


@partner_staff_required
@never_cache
@sensitive_variables("created")
def app_list(request):
    """A POST registers an app; its secret and private key are on this response only."""
    form = ApiAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = api_app_create(
                staff=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except FlowError as exc:
            form.add_error(None, exc.message)
        else:
            heading = CREATED % {"name": created.app.name}
            return _page(request, revealed=Revealed(heading, created))
    return _page(request, form=form)


def _own_app(request, pk) -> ApiApp:
    # Another partner's app is a 404 here, as every other tenant's object is.
    return get_object_or_404(ApiApp, pk=pk, partner=request.user.partner)


@sensitive_variables("renewed")
def _regenerate(request, pk, service, heading):
    app = _own_app(request, pk)
    try:
        renewed = service(app=app, by=request.user)
    except FlowError as exc:
        messages.error(request, exc.message)
        return redirect("api:apps")
    return _page(request, revealed=Revealed(heading % {"name": app.name}, renewed))


@partner_staff_required
@require_POST
@never_cache
def app_secret_regenerate(request, pk):
    return _regenerate(request, pk, api_app_secret_regenerate, SECRET_REGENERATED)


@partner_staff_required
@require_POST
@never_cache
def app_key_regenerate(request, pk):
    return _regenerate(request, pk, api_app_key_regenerate, KEY_REGENERATED)


@partner_staff_required
@require_POST
def app_revoke(request, pk):
    app = _own_app(request, pk)
    try:
        api_app_revoke(app=app, by=request.user)
    except FlowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("APIアプリ「%(name)s」を削除しました。") % {"name": app.name})
    return redirect("api:apps")
