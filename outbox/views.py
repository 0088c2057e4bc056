"""/dev/mailbox/: the e-mails the app has queued, for development (DEBUG only).

Signed-in users only: each sees the e-mails addressed to them, operators every e-mail.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

from .models import OutboundEmail


def debug_only(view):
    """Not found at all unless DEBUG is on, whoever asks."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _visible_to(user):
    emails = OutboundEmail.objects.all()
    if user.role == user.Role.OPERATOR:
        return emails
    # `to` is a JSON list of addresses: the address in quotes is one whole element.
    return emails.filter(to__icontains=f'"{user.email}"')


@debug_only
@login_required
def mailbox(request):
    """The e-mails the signed-in user may read, newest first."""
    page = Paginator(_visible_to(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "dev/mailbox.html", {"page": page})


@csp_override({"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "img-src": ["data:"]})
@debug_only
@login_required
def mailbox_html(request, pk: int):
    """The HTML part of one e-mail, as a mail client would show it (no scripts at all)."""
    email = get_object_or_404(_visible_to(request.user), pk=pk)
    return HttpResponse(email.body_html)
