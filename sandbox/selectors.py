"""Reads of the sandbox: a partner's sandbox customers, one at a time or as a list."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.functional import Promise

from accounts.models import Partner, WorksGroup
from partners.models import PartnerCode, PartnerContract
from partners.selectors import STEP_LABELS

from . import errors
from .models import SandboxCustomer


@dataclass(frozen=True)
class SandboxCustomerRow:
    customer: SandboxCustomer
    step: int
    step_label: Promise


def sandbox_customer_get(*, partner: Partner, domain: str) -> SandboxCustomer:
    """The partner's own sandbox customer `domain`; CustomerNotFound for anything else (an
    unknown domain, another partner's customer, a tenant that is not a sandbox customer)."""
    customer = (
        SandboxCustomer.objects.select_related("works_group__company_info", "partner")
        .filter(partner=partner, works_group__domain=domain.strip().lower()[:64])
        .first()
    )
    if customer is None:
        raise errors.CustomerNotFound
    return customer


def sandbox_group_get(*, domain: str) -> WorksGroup:
    """Any works group by domain (the command line's `--domain`); CustomerNotFound if none."""
    group = WorksGroup.objects.filter(domain=domain.strip().lower()[:64]).first()
    if group is None:
        raise errors.CustomerNotFound
    return group


def sandbox_customer_list(*, partner: Partner) -> QuerySet[SandboxCustomer]:
    """The partner's sandbox customers, newest first, each with what its wizard step needs
    (its latest code's dates and whether it has a contract) in the same query."""
    latest = PartnerCode.objects.filter(works_group=OuterRef("works_group")).order_by(
        "-issued_at", "-id"
    )
    return (
        SandboxCustomer.objects.filter(partner=partner)
        .select_related("works_group__company_info", "created_by")
        .annotate(
            code_status=Subquery(latest.values("status")[:1]),
            code_expires_at=Subquery(latest.values("expires_at")[:1]),
            code_approve_by=Subquery(latest.values("approve_by")[:1]),
            contracted=Exists(PartnerContract.objects.filter(works_group=OuterRef("works_group"))),
        )
        .order_by("-created_at", "-id")
    )


def sandbox_customer_rows(customers, *, now: datetime) -> list[SandboxCustomerRow]:
    """The wizard step each customer of `sandbox_customer_list` is at, as of `now` (expiry
    and lapse included, as the wizard itself reads them)."""
    rows = []
    for customer in customers:
        step = _step(customer, now)
        rows.append(SandboxCustomerRow(customer, step, STEP_LABELS[step - 1]))
    return rows


def _step(customer: SandboxCustomer, now: datetime) -> int:
    if customer.contracted:
        return 4
    if customer.code_status is None:
        return 1
    latest = PartnerCode(
        status=customer.code_status,
        expires_at=customer.code_expires_at,
        approve_by=customer.code_approve_by,
    )
    return {PartnerCode.Status.ISSUED: 2, PartnerCode.Status.VERIFIED: 3}.get(
        latest.status_at(now), 1
    )
