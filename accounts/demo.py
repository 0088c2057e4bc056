"""The demo data of the spec, created idempotently by `manage.py seed_demo`.

`GROUPS` is the one source of the demo groups' starting state: `seed_demo` creates them from
it and the sandbox's reset (`manage.py reset_demo`) puts them back to exactly it.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from .models import CompanyInfo, Partner, Plan, Role, User, WorksGroup

DEMO_PASSWORDS = {
    "admin@mizl.example": "demo-admin-pass",
    "viewer@mizl.example": "demo-viewer-pass",
    "admin@kaisha.example": "demo-admin-pass",
    "staff@abc.example": "demo-partner-pass",
    "staff@xyz.example": "demo-partner-pass",
    "ops@example.com": "demo-ops-pass",
}

GROUPS = [
    {
        "domain": "mizl",
        "plan": Plan.FREE,
        "seats": 12,
        "apps": ["talk", "calendar", "drive", "mail"],
        "info": {"company_name": "水谷建設", "group_name": "", "phone": ""},
        "members": [
            {"email": "admin@mizl.example", "role": Role.SUPER_ADMIN, "name": "水谷 太郎"},
            {"email": "viewer@mizl.example", "role": Role.ADMIN, "name": "水谷 花子"},
        ],
    },
    {
        "domain": "kaisha",
        "plan": Plan.STANDARD,
        "seats": 25,
        "apps": ["talk", "calendar", "drive", "mail", "form", "survey"],
        # A paying group well into its billing month, so that step 3 has a settlement to
        # show (its billing day comes round again a month later; then it owes nothing).
        "billing_days_ago": 10,
        "info": {
            "company_name": "株式会社カイシャ",
            "group_name": "カイシャ",
            "phone": "03-1234-5678",
        },
        "members": [
            {"email": "admin@kaisha.example", "role": Role.SUPER_ADMIN, "name": "会社 一郎"},
        ],
    },
]
DEMO_DOMAINS = [spec["domain"] for spec in GROUPS]

PARTNERS = [
    {
        "name": "ABC 株式会社",
        "region": "東京・関東",
        "description": "LINE WORKSの導入から運用までを支援する販売パートナーです。",
        "contact_url": "https://abc.example/line-works",
        "handled_apps": ["talk", "calendar", "drive", "mail", "form"],
        "staff": "staff@abc.example",
    },
    {
        "name": "XYZ 株式会社",
        "region": "大阪・関西",
        "description": "中小企業向けにLINE WORKSの導入支援とサポートを提供します。",
        "contact_url": "https://xyz.example/works",
        "handled_apps": ["talk", "calendar"],
        "staff": "staff@xyz.example",
    },
]


def demo_group_start(domain: str) -> dict | None:
    """The demo group `domain` as `seed_demo` creates it, every field spelled out (the
    members with their demo passwords); None if `domain` is not a demo group."""
    spec = next((spec for spec in GROUPS if spec["domain"] == domain), None)
    if spec is None:
        return None
    return {
        "plan": spec["plan"],
        "seats": spec["seats"],
        "apps": list(spec["apps"]),
        "billing_days_ago": spec.get("billing_days_ago", 0),
        "info": {**CompanyInfo.default_settings(), **spec["info"]},
        "members": [
            {**member, "password": DEMO_PASSWORDS[member["email"]]} for member in spec["members"]
        ],
    }


def _user(email: str, **fields) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORDS[email], **fields)
    return user


@transaction.atomic
def seed_demo(*, today: date | None = None) -> None:
    today = today or timezone.localdate()
    for spec in GROUPS:
        start = demo_group_start(spec["domain"])
        group, _created = WorksGroup.objects.get_or_create(
            domain=spec["domain"],
            defaults={
                "plan": start["plan"],
                "seats": start["seats"],
                "apps": start["apps"],
                "billing_anchor": today - timedelta(days=start["billing_days_ago"]),
                "is_sandbox": True,
            },
        )
        CompanyInfo.objects.get_or_create(works_group=group, defaults=start["info"])
        for member in spec["members"]:
            _user(member["email"], role=member["role"], works_group=group, name=member["name"])
    for spec in PARTNERS:
        fields = {k: v for k, v in spec.items() if k != "staff"}
        partner, _created = Partner.objects.get_or_create(name=spec["name"], defaults=fields)
        _user(spec["staff"], role=User.Role.PARTNER_STAFF, partner=partner)
    _user("ops@example.com", role=User.Role.OPERATOR, is_staff=True, is_superuser=True)
