"""前日までの料金精算: what a group owes directly for this billing month, up to yesterday."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from accounts.models import Plan


@dataclass(frozen=True)
class Settlement:
    plan: str
    seats: int
    period_start: date
    period_end: date
    days_elapsed: int
    days_in_month: int  # of the billing month, from one billing day to the day before the next
    unit_price: int
    subtotal: int
    tax: int

    @property
    def total(self) -> int:
        return self.subtotal + self.tax

    @property
    def is_free(self) -> bool:
        return self.plan == Plan.FREE

    def plan_label(self) -> str:
        return Plan(self.plan).label


def billing_day(anchor: date, year: int, month: int) -> date:
    """The group's billing day in that month: its anchor's day of the month, or the month's
    last day when the month is shorter (an anchor on the 31st bills on 28 February)."""
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def _month_after(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def billing_month(*, billing_anchor: date, today: date) -> tuple[date, date]:
    """(first day, first day of the next) of the billing month `today` falls in.

    It starts on the last billing day on or before `today` and ends the day before the next
    billing day, so its length is that of the month it mostly covers (an anchor on the 15th
    bills 15 February to 14 March as 28 days).
    """
    start = billing_day(billing_anchor, today.year, today.month)
    if start > today:
        start = billing_day(billing_anchor, *_month_after(today, -1))
    return start, billing_day(billing_anchor, *_month_after(start, 1))


def settlement_until_yesterday(
    *, plan: str, seats: int, billing_anchor: date, today: date
) -> Settlement:
    """Pro rata for the days of the current billing month already used, floored, plus floored tax.

    SPEC: `billing_anchor` is the day a billing period started; the group is billed again on
    that day of every month. The period runs from the last billing day to yesterday; on the
    billing day itself nothing is owed yet. An anchor still in the future owes nothing.
    """
    month_start, next_month_start = billing_month(billing_anchor=billing_anchor, today=today)
    period_start = max(month_start, billing_anchor)
    period_end = today - timedelta(days=1)
    days_elapsed = max((period_end - period_start).days + 1, 0)
    days_in_month = (next_month_start - month_start).days
    unit_price = settings.PLAN_UNIT_PRICES[plan]
    subtotal = seats * unit_price * days_elapsed // days_in_month
    tax = subtotal * settings.CONSUMPTION_TAX_PERCENT // 100
    return Settlement(
        plan=plan,
        seats=seats,
        period_start=period_start,
        period_end=period_end,
        days_elapsed=days_elapsed,
        days_in_month=days_in_month,
        unit_price=unit_price,
        subtotal=subtotal,
        tax=tax,
    )
