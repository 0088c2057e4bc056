"""Reads of the API app shared by its pages."""

from django.db.models import QuerySet

from accounts.models import Partner

from .models import ApiApp


def api_app_list(*, partner: Partner) -> QuerySet[ApiApp]:
    """The partner's apps, newest first, revoked ones included (they say so)."""
    return (
        ApiApp.objects.filter(partner=partner)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )
