"""Reads shared by the wizard, the partner console and the API."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Partner, WorksGroup
from core.cursors import cursor_decode, cursor_encode
from core.i18n import per_language
from core.prepared import BoundList, PreparedGet, PreparedList

from . import errors
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


# The partner API's customer list -----------------------------------------------------------

CUSTOMER_CURSOR_SALT = "partners.customer-contract-list"
# Both keys from 会社情報, so that its index (switched_to, company_name, works_group) gives a
# partner's customers in order and a page is read by walking it, whatever the partner's share
# of all groups (tests/perf/test_customer_list_plan.py).
CUSTOMER_SORT_NAME = "works_group__company_info__company_name"
CUSTOMER_SORT_TIEBREAK = "works_group__company_info__works_group_id"


@dataclass(frozen=True)
class CustomerPage:
    contracts: list[PartnerContract]
    next_cursor: str | None  # None on the last page


def _customer_contracts(partner: int) -> QuerySet[PartnerContract]:
    return PartnerContract.objects.filter(partner=partner).select_related(
        "works_group__company_info"
    )


def _customer_contracts_by_name(
    descending: bool,
    *,
    partner: int,
    domain: str | None = None,
    name: str | None = None,
    group: int | None = None,
) -> QuerySet[PartnerContract]:
    """The list's query: only `domain`'s if given, after (`name`, `group`) if given."""
    # 会社情報 notes the partner of the group's contract (switched_to), and the list walks
    # that; the contract's own partner is checked too, as the record.
    contracts = _customer_contracts(partner).filter(works_group__company_info__switched_to=partner)
    if domain is not None:
        contracts = contracts.filter(works_group__domain=domain)
    if name is not None:
        contracts = contracts.filter(_after(name, group, descending))
    sort = [CUSTOMER_SORT_NAME, CUSTOMER_SORT_TIEBREAK]
    return contracts.order_by(*(f"-{key}" if descending else key for key in sort))


# Compiled once per order and shape (domain or not, first page or not).
_CUSTOMERS_BY_NAME = {
    descending: PreparedList(functools.partial(_customer_contracts_by_name, descending))
    for descending in (False, True)
}


def _with_partner(contracts: list[PartnerContract], partner: Partner) -> list[PartnerContract]:
    """Every contract listed is `partner`'s: it is set on them rather than joined per row."""
    for contract in contracts:
        contract.partner = partner
    return contracts


def customer_contract_list(
    *,
    partner: Partner,
    domain: str | None = None,
    descending: bool = False,
    cursor: str | None = None,
    count: int = 10,
) -> CustomerPage:
    """One page of the customers that switched to `partner`, by company name (then domain ID),
    with the cursor of the next page.

    Keyset pagination: a page starts after the last row of the one before, so rows inserted
    meanwhile never shift a page and none is shown twice or skipped; no COUNT(*), one query
    per page whatever its position. A cursor is only good for the listing it came from (same
    partner, order and domain filter); any other is `InvalidCursor`.
    """
    listing = {"p": partner.pk, "desc": descending, "d": domain or ""}
    values = {"partner": partner.pk}
    if domain:
        values["domain"] = domain.strip().lower()
    if cursor:
        position = cursor_decode(cursor, salt=CUSTOMER_CURSOR_SALT)
        if position is None or position.get("listing") != listing:
            raise errors.InvalidCursor
        values.update(name=position["name"], group=position["id"])
    rows = _with_partner(_CUSTOMERS_BY_NAME[descending].rows(0, count + 1, **values), partner)
    if len(rows) <= count:
        return CustomerPage(contracts=rows, next_cursor=None)
    last = rows[count - 1]
    position = {
        "listing": listing,
        "name": last.works_group.company_info.company_name,
        "id": last.works_group_id,
    }
    return CustomerPage(
        contracts=rows[:count], next_cursor=cursor_encode(position, salt=CUSTOMER_CURSOR_SALT)
    )


def _after(name: str, group_id: int, descending: bool) -> Q:
    """The rows that sort after (name, group_id): a row comparison spelled out for the ORM."""
    beyond = "lt" if descending else "gt"
    return Q(**{f"{CUSTOMER_SORT_NAME}__{beyond}": name}) | Q(
        **{CUSTOMER_SORT_NAME: name, f"{CUSTOMER_SORT_TIEBREAK}__{beyond}": group_id}
    )


def customer_contract_get(*, partner: Partner, domain_id: int) -> PartnerContract | None:
    """The contract of the group `domain_id` if it switched to `partner`; None otherwise (a
    group that exists but is another partner's customer reads the same as none)."""
    contracts = list(_customer_contracts(partner.pk).filter(works_group_id=domain_id)[:1])
    return _with_partner(contracts, partner)[0] if contracts else None
