"""`manage.py seed_demo` creates exactly the spec's demo data, and only once."""

import io
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import seed_demo
from accounts.models import AuditEvent, CompanyInfo, Partner, Plan, User, WorksGroup
from partners.selectors import settlement_get

pytestmark = pytest.mark.django_db

LOGINS = {
    "admin@mizl.example": "demo-admin-pass",
    "viewer@mizl.example": "demo-viewer-pass",
    "admin@kaisha.example": "demo-admin-pass",
    "staff@abc.example": "demo-partner-pass",
    "staff@xyz.example": "demo-partner-pass",
    "ops@example.com": "demo-ops-pass",
}
BANNER = "初期設定がまだ完了していません。"


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (WorksGroup, CompanyInfo, Partner, User, AuditEvent)
    }


def test_seed_creates_mizl_on_free_with_only_the_company_name():
    _seed()

    mizl = WorksGroup.objects.get(domain="mizl")
    assert mizl.plan == Plan.FREE
    assert mizl.partner is None
    info = mizl.company_info
    assert info.company_name == "水谷建設"
    assert info.group_name == ""
    assert info.phone == ""
    assert not info.is_complete(mizl.super_admin.email)


def test_seed_creates_kaisha_on_standard_with_25_seats_and_complete_info():
    _seed()

    kaisha = WorksGroup.objects.get(domain="kaisha")
    assert kaisha.plan == Plan.STANDARD
    assert kaisha.seats == 25
    assert kaisha.company_info.is_complete(kaisha.super_admin.email)


def test_kaishas_billing_month_started_ten_days_before_the_seeding():
    seed_demo(today=date(2023, 3, 14))

    assert WorksGroup.objects.get(domain="kaisha").billing_anchor == date(2023, 3, 4)


def test_kaisha_owes_a_settlement_from_its_billing_day_right_after_seeding():
    """`make run` on a fresh clone: step 3 of kaisha shows money, not 「合計 0円」."""
    _seed()
    kaisha = WorksGroup.objects.get(domain="kaisha")

    settlement = settlement_get(works_group=kaisha, now=timezone.now())

    assert settlement.period_start == kaisha.billing_anchor
    assert settlement.days_elapsed == 10
    assert settlement.total > 0


def test_seed_creates_the_two_partners():
    _seed()

    assert list(Partner.objects.values_list("name", flat=True)) == ["ABC 株式会社", "XYZ 株式会社"]


def test_seed_creates_exactly_the_demo_users_in_their_roles():
    _seed()

    users = {u.email: (u.role, u.works_group, u.partner) for u in User.objects.all()}
    mizl = WorksGroup.objects.get(domain="mizl")
    kaisha = WorksGroup.objects.get(domain="kaisha")
    assert users == {
        "admin@mizl.example": (User.Role.SUPER_ADMIN, mizl, None),
        "viewer@mizl.example": (User.Role.ADMIN, mizl, None),
        "admin@kaisha.example": (User.Role.SUPER_ADMIN, kaisha, None),
        "staff@abc.example": (
            User.Role.PARTNER_STAFF,
            None,
            Partner.objects.get(name="ABC 株式会社"),
        ),
        "staff@xyz.example": (
            User.Role.PARTNER_STAFF,
            None,
            Partner.objects.get(name="XYZ 株式会社"),
        ),
        "ops@example.com": (User.Role.OPERATOR, None, None),
    }


@pytest.mark.parametrize(("email", "password"), LOGINS.items())
def test_seeded_users_log_in_with_the_demo_passwords(email, password):
    _seed()

    assert authenticate(username=email, password=password) == User.objects.get(email=email)


def test_seeded_operator_may_use_ops():
    _seed()

    operator = User.objects.get(email="ops@example.com")
    assert operator.is_staff
    assert operator.is_superuser


def test_seed_prints_the_demo_logins():
    out = _seed()

    for email, password in LOGINS.items():
        assert email in out
        assert password in out


def test_seed_twice_changes_nothing():
    _seed()
    first = _counts()

    _seed()

    assert _counts() == first
    assert first == {
        "WorksGroup": 2,
        "CompanyInfo": 2,
        "Partner": 2,
        "User": 6,
        "AuditEvent": 0,
    }


def test_seed_keeps_what_a_user_changed_since():
    _seed()
    info = CompanyInfo.objects.get(works_group__domain="mizl")
    info.phone = "03-1234-5678"
    info.save()

    _seed()

    assert CompanyInfo.objects.get(works_group__domain="mizl").phone == "03-1234-5678"


def test_demo_walkthrough_bad_phone_then_good_phone_clears_the_banner(client):
    """The issue's "done when": log in as admin@mizl.example and finish 会社情報."""
    _seed()
    response = client.post(
        "/login/", {"username": "admin@mizl.example", "password": "demo-admin-pass"}, follow=True
    )
    assert BANNER in response.content.decode()
    form = {
        "group_name": "水谷",
        "company_name": "水谷建設",
        "language": "ja_JP",
        "time_zone": "Asia/Tokyo",
        "receive_notices": "True",
        "notice_recipients": "ADMINS",
    }

    bad = client.post("/console/settings/company/", {**form, "phone": "03(1234)5678"})
    good = client.post("/console/settings/company/", {**form, "phone": "03-1234-5678"}, follow=True)

    assert "電話番号には半角数字と + - * # , P T のみ使えます。" in bad.content.decode()
    assert "会社情報を保存しました。" in good.content.decode()
    assert BANNER not in good.content.decode()
