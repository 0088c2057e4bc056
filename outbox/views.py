"""/dev/mailbox/: the e-mails the app has queued, for development (DEBUG only)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

from .models import OutboundEmail


def _debug_only():
    if not settings.DEBUG:
        raise Http404


def mailbox(request):
    """Every e-mail the app has queued, newest first (development only)."""
    _debug_only()
    page = Paginator(OutboundEmail.objects.all(), 20).get_page(request.GET.get("page"))
    return render(request, "dev/mailbox.html", {"page": page})


@csp_override({"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "img-src": ["data:"]})
def mailbox_html(request, pk: int):
    """The HTML part of one e-mail, as a mail client would show it (no scripts at all)."""
    _debug_only()
    email = get_object_or_404(OutboundEmail, pk=pk)
    return HttpResponse(email.body_html)
