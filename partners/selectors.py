"""Reads shared by the wizard, the partner console and the API."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, WorksGroup
from core.i18n import per_language
from core.prepared import BoundList, PreparedGet, PreparedList

from .models import PartnerCode, PartnerContract, code_status_at
from .settlement import Settlement, settlement_until_yesterday

# The wizard's four steps, as the seed names them.
STEP_LABELS = (
    _("パートナーコード発行"),
    _("パートナーコードの認証待ち"),
    _("前日までの料金精算とパートナー確認"),
    _("パートナー契約への切り替え完了"),
)
# Why step 1 is back: how the group's most recent code ended.
LAST_CODE_NOTICES = {
    PartnerCode.Status.EXPIRED: _("前回のパートナーコード（%(code)s）は有効期間が過ぎました。"),
    PartnerCode.Status.LAPSED: _(
        "前回のパートナーコード（%(code)s）は承認期限が過ぎたため無効になりました。"
    ),
    PartnerCode.CancelReason.DECLINED: _(
        "“%(partner)s”によるコード認証を拒否しました（%(code)s）。"
    ),
    PartnerCode.Status.CANCELLED: _("前回のパートナーコード（%(code)s）は取り消されました。"),
}
# What a partner's customer list says of each code it verified.
CUSTOMER_STATUS_LABELS = {
    PartnerCode.Status.VERIFIED: _("承認待ち"),
    PartnerCode.Status.USED: _("契約完了"),
    PartnerCode.Status.LAPSED: _("承認期限切れ"),
    PartnerCode.Status.CANCELLED: _("お客様が拒否"),
}


@dataclass(frozen=True)
class Step:
    number: int
    label: Promise
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class WizardState:
    step: int
    code: PartnerCode | None = None
    contract: PartnerContract | None = None
    last_code_notice: str = ""  # why step 1 is back, if a code was issued before
    steps: list[Step] = field(init=False)

    def __post_init__(self):
        steps = [
            Step(number, label, _step_state(number, self.step))
            for number, label in enumerate(STEP_LABELS, start=1)
        ]
        object.__setattr__(self, "steps", steps)


def _step_state(number: int, current: int) -> str:
    if number == current:
        return "current"
    return "done" if number < current else "todo"


# On every wizard page, so its SQL is built once per process (core/prepared.py).
_WIZARD_CODE = PreparedGet(
    PartnerCode.objects.select_related(
        "verified_partner", "intended_partner", "works_group__company_info", "contract__partner"
    ).order_by(F("contract__id").desc(nulls_last=True), "-issued_at", "-id"),
    key="works_group",
)


def wizard_state_get(*, works_group: WorksGroup, now: datetime) -> WizardState:
    """Which of the four steps the group is at, as of `now` (expiry and lapse included).

    One query: the group's codes, the one its contract used (if any) first, else the latest.
    """
    latest = _WIZARD_CODE.get(works_group.pk)
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
    return WizardState(step=1, last_code_notice=_last_code_notice(latest, status))


def _last_code_notice(code: PartnerCode, status: str) -> str:
    outcome = status
    if code.cancel_reason == PartnerCode.CancelReason.DECLINED:
        outcome = PartnerCode.CancelReason.DECLINED
    partner = code.verified_partner
    return LAST_CODE_NOTICES[outcome] % {
        "code": code.masked,
        "partner": partner.name if partner else "",
    }


def settlement_get(*, works_group: WorksGroup, now: datetime) -> Settlement:
    """前日までの料金精算 for the group as of `now`, in the group's time zone."""
    return settlement_until_yesterday(
        plan=works_group.plan,
        seats=works_group.seats,
        billing_anchor=works_group.billing_anchor,
        today=now.astimezone(works_group.company_info.tz).date(),
    )


def _customer_codes(verified_partner: int, query: str = "") -> QuerySet[dict]:
    codes = PartnerCode.objects.filter(verified_partner=verified_partner)
    if query:
        codes = codes.filter(
            Q(works_group__domain__icontains=query)
            | Q(works_group__company_info__company_name__icontains=query)
            | Q(works_group__company_info__group_name__icontains=query)
        )
    return codes.order_by("-verified_at", "-id").values(
        "status",
        "expires_at",
        "approve_by",
        "verified_at",
        domain=F("works_group__domain"),
        company_name=F("works_group__company_info__company_name"),
        verified_by_email=F("verified_by__email"),
    )


_CUSTOMER_CODES = PreparedList(_customer_codes)


def customer_code_list(*, partner: Partner, query: str = "") -> BoundList:
    """The codes this partner verified: pending approval, completed, declined, lapsed; one
    dict per code of what the list shows (no model instances: a page of 25 rows cost as much
    to build as the rest of the page), its SQL built once with a search and once without.
    `customer_row()` adds the status as of now."""
    search = {"query": query} if query else {}
    return _CUSTOMER_CODES.bind(verified_partner=partner.pk, **search)


@per_language()
def customer_status_labels() -> Mapping[str, str]:
    """`CUSTOMER_STATUS_LABELS` in the active language, translated once per language: a lazy
    label translated again in each of a page's 25 rows was a tenth of the list's time."""
    return MappingProxyType({status: str(text) for status, text in CUSTOMER_STATUS_LABELS.items()})


def customer_row(code: dict, now: datetime, labels: Mapping[str, str]) -> dict:
    """A row of `customer_code_list()` with its status as of `now` and its label from `labels`
    (`customer_status_labels()`)."""
    status = code_status_at(code["status"], code["expires_at"], code["approve_by"], now)
    return {**code, "status": status, "status_label": labels.get(status, status)}


def partner_list(*, query: str = "") -> QuerySet[Partner]:
    """Active partners and their public profiles (パートナー検索)."""
    partners = Partner.objects.filter(is_active=True)
    if query:
        partners = partners.filter(
            Q(name__icontains=query) | Q(region__icontains=query) | Q(description__icontains=query)
        )
    return partners.order_by("name")
