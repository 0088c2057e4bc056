"""有効期間: through the end of the same calendar day one month after issue, in the group's
time zone; expiry and lapse hold on read, before any job records them."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string

from partners.codes import code_expiry
from partners.models import PartnerCode
from tests.factories import PartnerCodeFactory, WorksGroupFactory

from .flow import ISSUED_AT, VERIFIED_AT

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
ONE_MICROSECOND = timedelta(microseconds=1)


def code_issued(issued_at: datetime, time_zone: str = "Asia/Tokyo") -> PartnerCode:
    group = WorksGroupFactory(company_info__time_zone=time_zone)
    return PartnerCodeFactory(works_group=group, issued_at=issued_at)


@pytest.mark.parametrize(
    ("issued_at", "time_zone", "last_day"),
    [
        (datetime(2023, 3, 14, 4, 0, tzinfo=UTC), "Asia/Tokyo", date(2023, 4, 14)),
        (datetime(2023, 1, 31, 3, 0, tzinfo=UTC), "Asia/Tokyo", date(2023, 2, 28)),
        (datetime(2024, 1, 31, 3, 0, tzinfo=UTC), "Asia/Tokyo", date(2024, 2, 29)),
        (datetime(2024, 2, 29, 3, 0, tzinfo=UTC), "Asia/Tokyo", date(2024, 3, 29)),
        (datetime(2023, 3, 31, 3, 0, tzinfo=UTC), "Asia/Tokyo", date(2023, 4, 30)),
        (datetime(2023, 12, 15, 3, 0, tzinfo=UTC), "Asia/Tokyo", date(2024, 1, 15)),
        (datetime(2023, 12, 31, 3, 0, tzinfo=UTC), "Asia/Tokyo", date(2024, 1, 31)),
        # 20:00 UTC on the 14th is already the 15th in Tokyo ...
        (datetime(2023, 3, 14, 20, 0, tzinfo=UTC), "Asia/Tokyo", date(2023, 4, 15)),
        # ... and 03:00 UTC on the 15th is still the 14th in Los Angeles.
        (datetime(2023, 3, 15, 3, 0, tzinfo=UTC), "America/Los_Angeles", date(2023, 4, 14)),
        (datetime(2023, 3, 14, 20, 0, tzinfo=UTC), "America/Los_Angeles", date(2023, 4, 14)),
    ],
    ids=[
        "seed",
        "jan-31-to-feb-28",
        "jan-31-to-feb-29-leap-year",
        "leap-day-to-mar-29",
        "mar-31-to-apr-30",
        "december-to-january",
        "dec-31-to-jan-31",
        "tokyo-date-ahead-of-utc",
        "los-angeles-date-behind-utc",
        "los-angeles-same-date",
    ],
)
def test_code_is_valid_through_same_day_next_month_in_group_time_zone(
    issued_at, time_zone, last_day
):
    code = code_issued(issued_at, time_zone)

    assert code.valid_until() == last_day


def test_code_expiry_is_local_midnight_after_the_last_day():
    expires_at = code_expiry(ISSUED_AT, TOKYO)

    assert expires_at == datetime(2023, 4, 15, 0, 0, tzinfo=TOKYO)
    assert expires_at == datetime(2023, 4, 14, 15, 0, tzinfo=UTC)


def test_code_expiry_follows_daylight_saving_time_in_los_angeles():
    # Issued in winter (PST, UTC-8); the last day falls in summer (PDT, UTC-7).
    expires_at = code_expiry(datetime(2023, 2, 14, 20, 0, tzinfo=UTC), LOS_ANGELES)

    assert expires_at == datetime(2023, 3, 15, 7, 0, tzinfo=UTC)


def test_code_is_open_until_the_end_of_its_last_local_day():
    code = code_issued(ISSUED_AT)
    last_instant = datetime(2023, 4, 14, 23, 59, 59, 999999, tzinfo=TOKYO)

    assert code.status_at(last_instant) == PartnerCode.Status.ISSUED
    assert code.status_at(last_instant + ONE_MICROSECOND) == PartnerCode.Status.EXPIRED


def test_code_expires_one_microsecond_after_its_last_day_in_los_angeles():
    code = code_issued(datetime(2023, 3, 15, 3, 0, tzinfo=UTC), "America/Los_Angeles")
    last_instant = datetime(2023, 4, 14, 23, 59, 59, 999999, tzinfo=LOS_ANGELES)

    assert code.status_at(last_instant) == PartnerCode.Status.ISSUED
    assert code.status_at(last_instant + ONE_MICROSECOND) == PartnerCode.Status.EXPIRED


def test_verified_code_lapses_when_the_approval_window_closes():
    code = PartnerCodeFactory(verified=True, verified_at=VERIFIED_AT)

    assert code.approve_by == VERIFIED_AT + timedelta(days=30)
    assert code.status_at(code.approve_by - ONE_MICROSECOND) == PartnerCode.Status.VERIFIED
    assert code.status_at(code.approve_by) == PartnerCode.Status.LAPSED


def test_verified_code_does_not_expire_with_its_validity():
    """「パートナーがコード番号の認証を行った時点で、有効期間に関わらず…」: verification
    stops the validity clock; only the approval window counts from then on."""
    code = PartnerCodeFactory(
        verified=True,
        issued_at=datetime(2023, 3, 1, tzinfo=UTC),
        verified_at=datetime(2023, 3, 31, tzinfo=UTC),
    )

    assert code.status_at(code.expires_at + timedelta(days=1)) == PartnerCode.Status.VERIFIED


@pytest.mark.parametrize(
    "status",
    [PartnerCode.Status.CANCELLED, PartnerCode.Status.EXPIRED],
)
def test_closed_code_keeps_its_recorded_status(status):
    code = PartnerCodeFactory(status=status, issued_at=ISSUED_AT)

    assert code.status_at(ISSUED_AT + timedelta(days=365)) == status


def test_used_code_never_expires_nor_lapses():
    code = PartnerCodeFactory(verified=True, status=PartnerCode.Status.USED, issued_at=ISSUED_AT)

    assert code.status_at(ISSUED_AT + timedelta(days=365)) == PartnerCode.Status.USED


def test_step_two_shows_validity_as_year_month_day_made():
    code = code_issued(ISSUED_AT)

    html = render_to_string("partners/_step2.html", {"code": code, "can_act": True})

    assert "<strong>2023.04.14</strong>まで" in html
