"""前日までの料金精算: floor(seats × unit price × days used / days in the billing month) plus
floored 10% tax. The billing month starts on the group's billing day: its anchor's day of the
month, clamped at month ends."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import translation

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


def test_anchor_on_the_first_bills_calendar_months():
    settlement = settle(today=date(2023, 3, 14), billing_anchor=date(2022, 11, 1))

    assert (settlement.period_start, settlement.period_end) == (
        date(2023, 3, 1),
        date(2023, 3, 13),
    )
    assert (settlement.days_elapsed, settlement.days_in_month) == (13, 31)


def test_period_starts_on_the_billing_day_of_an_anchor_mid_month():
    # 10th–13th of a billing month from 10 March to 9 April (31 days):
    # 25 × 540 × 4 / 31 = 1741.93… → 1741; tax 174.
    settlement = settle(today=date(2023, 3, 14), billing_anchor=date(2023, 3, 10))

    assert (settlement.period_start, settlement.period_end) == (
        date(2023, 3, 10),
        date(2023, 3, 13),
    )
    assert (settlement.days_elapsed, settlement.days_in_month) == (4, 31)
    assert (settlement.subtotal, settlement.tax) == (1741, 174)


def test_anchor_on_the_fifteenth_bills_from_last_months_fifteenth_before_this_months():
    # 15 February to 13 March of a billing month from 15 February to 14 March (28 days):
    # 25 × 540 × 27 / 28 = 13017.85… → 13017; tax 1301.
    settlement = settle(today=date(2023, 3, 14), billing_anchor=date(2022, 8, 15))

    assert (settlement.period_start, settlement.period_end) == (
        date(2023, 2, 15),
        date(2023, 3, 13),
    )
    assert (settlement.days_elapsed, settlement.days_in_month) == (27, 28)
    assert (settlement.subtotal, settlement.tax, settlement.total) == (13017, 1301, 14318)


def test_anchor_on_the_fifteenth_bills_from_this_months_fifteenth_after_it():
    # 15 to 19 March of a billing month from 15 March to 14 April (31 days).
    settlement = settle(today=date(2023, 3, 20), billing_anchor=date(2022, 8, 15))

    assert (settlement.period_start, settlement.period_end) == (
        date(2023, 3, 15),
        date(2023, 3, 19),
    )
    assert (settlement.days_elapsed, settlement.days_in_month) == (5, 31)


@pytest.mark.parametrize(
    ("anchor", "today", "period_start", "days_elapsed", "days_in_month"),
    [
        # February has no 29th to 31st: those anchors bill on the 28th, and the billing
        # month then runs to the day before the next billing day in March.
        (date(2022, 10, 29), date(2023, 3, 1), date(2023, 2, 28), 1, 29),
        (date(2022, 10, 30), date(2023, 3, 1), date(2023, 2, 28), 1, 30),
        (date(2022, 10, 31), date(2023, 3, 1), date(2023, 2, 28), 1, 31),
        # Before February's billing day the month started on January's.
        (date(2022, 10, 29), date(2023, 2, 27), date(2023, 1, 29), 29, 30),
        (date(2022, 10, 30), date(2023, 2, 27), date(2023, 1, 30), 28, 29),
        (date(2022, 10, 31), date(2023, 2, 27), date(2023, 1, 31), 27, 28),
        # A 31st anchor bills on the 30th of a 30-day month.
        (date(2022, 10, 31), date(2023, 5, 1), date(2023, 4, 30), 1, 31),
        (date(2022, 10, 31), date(2023, 4, 29), date(2023, 3, 31), 29, 30),
    ],
)
def test_anchors_late_in_the_month_are_clamped_at_month_ends(
    anchor, today, period_start, days_elapsed, days_in_month
):
    settlement = settle(today=today, billing_anchor=anchor)

    assert settlement.period_start == period_start
    assert settlement.period_end == today - timedelta(days=1)
    assert (settlement.days_elapsed, settlement.days_in_month) == (days_elapsed, days_in_month)


@pytest.mark.parametrize(
    ("anchor", "today", "period_start", "days_in_month"),
    [
        # 2024 is a leap year: the 29th is February's billing day, and so is the 30th's.
        (date(2023, 11, 29), date(2024, 3, 10), date(2024, 2, 29), 29),
        (date(2023, 11, 30), date(2024, 3, 10), date(2024, 2, 29), 30),
        (date(2023, 11, 15), date(2024, 3, 10), date(2024, 2, 15), 29),
        # 2023 is not: the same anchors bill on the 28th.
        (date(2022, 11, 29), date(2023, 3, 10), date(2023, 2, 28), 29),
        (date(2022, 11, 15), date(2023, 3, 10), date(2023, 2, 15), 28),
    ],
)
def test_february_of_a_leap_year_has_a_29th_billing_day(anchor, today, period_start, days_in_month):
    settlement = settle(today=today, billing_anchor=anchor)

    assert settlement.period_start == period_start
    assert settlement.days_in_month == days_in_month


@pytest.mark.parametrize(
    ("anchor", "today"),
    [
        (date(2023, 1, 1), date(2023, 3, 1)),
        (date(2022, 8, 15), date(2023, 3, 15)),
        (date(2022, 10, 29), date(2023, 2, 28)),  # clamped to February's last day
        (date(2022, 10, 30), date(2023, 2, 28)),
        (date(2022, 10, 31), date(2023, 2, 28)),
        (date(2022, 10, 31), date(2023, 4, 30)),
        (date(2023, 11, 30), date(2024, 2, 29)),  # leap year
    ],
)
def test_nothing_is_owed_on_the_billing_day(anchor, today):
    settlement = settle(today=today, billing_anchor=anchor)

    assert settlement.period_start == today
    assert settlement.days_elapsed == 0
    assert settlement.days_in_month > 0
    assert (settlement.subtotal, settlement.tax, settlement.total) == (0, 0, 0)


def test_an_anchor_years_ago_still_bills_from_this_months_billing_day():
    settlement = settle(today=date(2023, 3, 20), billing_anchor=date(2019, 6, 15))

    assert settlement.period_start == date(2023, 3, 15)
    assert settlement.days_elapsed == 5


def test_an_anchor_in_the_future_owes_nothing_yet():
    settlement = settle(today=date(2023, 3, 14), billing_anchor=date(2023, 3, 20))

    assert settlement.days_elapsed == 0
    assert settlement.total == 0


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


@pytest.mark.parametrize(
    ("language", "total"),
    [("ja", "14,318円"), ("en", "14,318 yen"), ("ko", "14,318엔"), ("zh-hant", "14,318 日圓")],
)
def test_amounts_are_grouped_by_thousands_in_every_language(language, total):
    settlement = settle(today=date(2023, 3, 14), billing_anchor=date(2022, 8, 15))

    with translation.override(language):
        html = render_to_string("partners/_settlement.html", {"settlement": settlement})

    assert total in html
