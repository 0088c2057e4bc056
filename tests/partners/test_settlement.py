"""前日までの料金精算: floor(seats × unit price × days used / days in month) + floored 10% tax."""

from datetime import UTC, date, datetime

import pytest
from django.template.loader import render_to_string

from accounts.models import Plan
from partners.selectors import settlement_get
from partners.services import contract_complete
from partners.settlement import settlement_until_yesterday
from tests.factories import (
    PartnerCodeFactory,
    PartnerFactory,
    UserFactory,
    WorksGroupFactory,
)


def settle(*, plan=Plan.STANDARD, seats=25, today, billing_anchor=date(2023, 1, 1)):
    return settlement_until_yesterday(
        plan=plan, seats=seats, billing_anchor=billing_anchor, today=today
    )


def test_standard_plan_owes_the_days_used_before_today_floored():
    # 25 × 540 × 13 / 31 = 5661.29… → 5661; tax 566.1 → 566.
    settlement = settle(today=date(2023, 3, 14))

    assert settlement.period_start == date(2023, 3, 1)
    assert settlement.period_end == date(2023, 3, 13)
    assert (settlement.days_elapsed, settlement.days_in_month) == (13, 31)
    assert settlement.unit_price == 540
    assert (settlement.subtotal, settlement.tax, settlement.total) == (5661, 566, 6227)


def test_free_plan_owes_nothing():
    settlement = settle(plan=Plan.FREE, seats=300, today=date(2023, 3, 14))

    assert settlement.is_free
    assert (settlement.subtotal, settlement.tax, settlement.total) == (0, 0, 0)


def test_first_day_of_the_month_owes_nothing_yet():
    settlement = settle(plan=Plan.ADVANCED, today=date(2023, 3, 1))

    assert settlement.days_elapsed == 0
    assert (settlement.subtotal, settlement.tax, settlement.total) == (0, 0, 0)


def test_last_day_of_the_month_owes_all_days_but_today():
    # 10 × 1150 × 30 / 31 = 11129.03… → 11129; tax 1112.9 → 1112.
    settlement = settle(plan=Plan.ADVANCED, seats=10, today=date(2023, 3, 31))

    assert (settlement.days_elapsed, settlement.days_in_month) == (30, 31)
    assert (settlement.subtotal, settlement.tax, settlement.total) == (11129, 1112, 12241)


def test_leap_february_divides_by_twenty_nine_days():
    # 1 × 540 × 28 / 29 = 521.37… → 521; tax 52.1 → 52.
    settlement = settle(seats=1, today=date(2024, 2, 29))

    assert (settlement.days_elapsed, settlement.days_in_month) == (28, 29)
    assert (settlement.subtotal, settlement.tax) == (521, 52)


@pytest.mark.parametrize(
    ("today", "subtotal", "tax"),
    [
        (date(2023, 3, 2), 17, 1),  # 540 / 31 = 17.41…; tax 1.7 rounds up but is floored
        (date(2023, 3, 3), 34, 3),  # 1080 / 31 = 34.83… rounds up but is floored; tax 3.4
    ],
)
def test_subtotal_and_tax_are_floored_not_rounded(today, subtotal, tax):
    settlement = settle(seats=1, today=today)

    assert (settlement.subtotal, settlement.tax, settlement.total) == (
        subtotal,
        tax,
        subtotal + tax,
    )


def test_billing_anchor_later_in_the_month_shortens_the_period():
    # 10th–13th: 25 × 540 × 4 / 31 = 1741.93… → 1741; tax 174.
    settlement = settle(today=date(2023, 3, 14), billing_anchor=date(2023, 3, 10))

    assert (settlement.period_start, settlement.period_end) == (
        date(2023, 3, 10),
        date(2023, 3, 13),
    )
    assert settlement.days_elapsed == 4
    assert (settlement.subtotal, settlement.tax) == (1741, 174)


def test_group_that_started_paying_today_owes_nothing():
    settlement = settle(today=date(2023, 3, 14), billing_anchor=date(2023, 3, 14))

    assert settlement.days_elapsed == 0
    assert settlement.total == 0


def test_unit_prices_and_tax_rate_come_from_settings(settings):
    settings.PLAN_UNIT_PRICES = {**settings.PLAN_UNIT_PRICES, "STANDARD": 1000}
    settings.CONSUMPTION_TAX_PERCENT = 8

    settlement = settle(today=date(2023, 3, 14))

    # 25 × 1000 × 13 / 31 = 10483.87… → 10483; 8% = 838.64 → 838.
    assert settlement.unit_price == 1000
    assert (settlement.subtotal, settlement.tax) == (10483, 838)


@pytest.mark.django_db
def test_yesterday_is_taken_in_the_group_time_zone():
    group = WorksGroupFactory(seats=25, billing_anchor=date(2023, 1, 1))
    # 16:00 UTC on 31 March is already 1 April in Tokyo: a new month, nothing owed.
    settlement = settlement_get(works_group=group, now=datetime(2023, 3, 31, 16, 0, tzinfo=UTC))

    assert settlement.period_start == date(2023, 4, 1)
    assert settlement.total == 0


@pytest.mark.django_db
def test_yesterday_in_los_angeles_lags_behind_utc():
    group = WorksGroupFactory(
        seats=25,
        billing_anchor=date(2023, 1, 1),
        company_info__time_zone="America/Los_Angeles",
    )
    # 03:00 UTC on 15 March is still the 14th in Los Angeles: 13 days used.
    settlement = settlement_get(works_group=group, now=datetime(2023, 3, 15, 3, 0, tzinfo=UTC))

    assert settlement.period_end == date(2023, 3, 13)
    assert settlement.subtotal == 5661


def test_statement_shows_period_plan_seats_subtotal_tax_and_total():
    html = render_to_string(
        "partners/_settlement.html", {"settlement": settle(today=date(2023, 3, 14))}
    )

    for shown in (
        "前日までの料金精算",
        "2023.03.01〜2023.03.13（13日間）",
        "スタンダード",
        "25",
        "5,661円",
        "566円",
        "6,227円",
        "1メンバーあたり月額540円",
    ):
        assert shown in html


def test_statement_for_the_free_plan_says_zero_yen():
    html = render_to_string(
        "partners/_settlement.html",
        {"settlement": settle(plan=Plan.FREE, today=date(2023, 3, 14))},
    )

    assert "フリープランのため、精算する料金はありません（0円）。" in html


@pytest.mark.django_db
def test_step_3_and_step_4_show_the_same_month_length_on_the_first():
    """A switch completed on the 1st: the statement stored with the contract (step 4) says
    the same month length as the one shown before 承認 (step 3)."""
    group = WorksGroupFactory(seats=25, billing_anchor=date(2023, 1, 1))
    admin = UserFactory(works_group=group)
    staff = UserFactory(staff=True, partner=PartnerFactory())
    code = PartnerCodeFactory(
        works_group=group,
        issued_by=admin,
        issued_at=datetime(2023, 3, 31, 1, 0, tzinfo=UTC),
        verified=True,
        verified_partner=staff.partner,
        verified_by=staff,
        verified_at=datetime(2023, 3, 31, 2, 0, tzinfo=UTC),
    )
    first_of_april = datetime(2023, 3, 31, 16, 30, tzinfo=UTC)  # 01:30 on 1 April in Tokyo

    shown = settlement_get(works_group=group, now=first_of_april)
    contract = contract_complete(works_group=group, by=admin, now=first_of_april)
    stored = contract.settlement

    assert stored.days_in_month == shown.days_in_month == 30
    step_3 = render_to_string("partners/_settlement.html", {"settlement": shown})
    step_4 = render_to_string("partners/_settlement.html", {"settlement": stored})
    assert "当月30日" in step_3
    assert "当月30日" in step_4
    assert code.pk == contract.code_id
