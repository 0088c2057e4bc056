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
    days_in_month: int
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


def settlement_until_yesterday(
    *, plan: str, seats: int, billing_anchor: date, today: date
) -> Settlement:
    """Pro rata for the days of the current month already used, floored, plus floored tax.

    The period starts on the first of the month, or on the billing anchor if the group
    started paying later this month; it ends yesterday. On the 1st nothing is owed yet.
    """
    month_start = today.replace(day=1)
    period_start = max(month_start, billing_anchor)
    period_end = today - timedelta(days=1)
    days_elapsed = max((period_end - period_start).days + 1, 0)
    days_in_month = calendar.monthrange(today.year, today.month)[1]
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
