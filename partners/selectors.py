"""Reads shared by the wizard, the partner console and the API."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet

from accounts.models import Partner, WorksGroup

from .models import PartnerCode, PartnerContract


@dataclass(frozen=True)
class WizardState:
    step: int
    code: PartnerCode | None = None
    contract: PartnerContract | None = None
    last_code: PartnerCode | None = None  # the most recent closed code, to explain step 1


def wizard_state(*, works_group: WorksGroup, now: datetime) -> WizardState:
    """Which of the four steps the group is at, as of `now` (expiry and lapse included).

    One query: the group's codes, the one its contract used (if any) first, else the latest.
    """
    latest = (
        PartnerCode.objects.filter(works_group=works_group)
        .select_related(
            "verified_partner", "intended_partner", "works_group__company_info", "contract__partner"
        )
        .order_by(F("contract__id").desc(nulls_last=True), "-issued_at", "-id")
        .first()
    )
    if latest is None:
        return WizardState(step=1)
    contract = getattr(latest, "contract", None)
    if contract is not None:
        return WizardState(step=4, contract=contract)
    status = latest.status_at(now)
    if status == PartnerCode.Status.ISSUED:
        return WizardState(step=2, code=latest)
    if status == PartnerCode.Status.VERIFIED:
        return WizardState(step=3, code=latest)
    return WizardState(step=1, last_code=latest)


def partner_customer_codes(*, partner: Partner, query: str = "") -> QuerySet[PartnerCode]:
    """The codes this partner verified: pending approval, completed, declined, lapsed."""
    codes = (
        PartnerCode.objects.filter(verified_partner=partner)
        .select_related("works_group__company_info", "verified_by")
        # What the list shows, no more: the row objects cost less to build (tests/perf
        # would catch a template reaching for a deferred field row by row).
        .only(
            "status",
            "expires_at",
            "approve_by",
            "verified_at",
            "works_group__domain",
            "works_group__company_info__company_name",
            "verified_by__email",
        )
    )
    if query:
        codes = codes.filter(
            Q(works_group__domain__icontains=query)
            | Q(works_group__company_info__company_name__icontains=query)
            | Q(works_group__company_info__group_name__icontains=query)
        )
    return codes.order_by("-verified_at", "-id")


def active_partners(*, query: str = "") -> QuerySet[Partner]:
    partners = Partner.objects.filter(is_active=True)
    if query:
        partners = partners.filter(
            Q(name__icontains=query) | Q(region__icontains=query) | Q(description__icontains=query)
        )
    return partners.order_by("name")
