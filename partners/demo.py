"""Demo customers that already switched to 「ABC 株式会社」, so that its API has customers to list
from the first `make run` (`manage.py seed_demo_customers`, after `seed_demo`).

Each one walks the real flow through the services: its super admin issues a code, ABC's
staff verifies it, the super admin completes the switch. Safe to run again.
"""

from django.db import transaction

from accounts.models import CompanyInfo, Partner, Plan, User, WorksGroup

from . import services

PARTNER = "ABC 株式会社"
STAFF = "staff@abc.example"
CUSTOMERS = [
    ("sakura", "さくら商事株式会社", Plan.STANDARD, 40),
    ("hikari", "ひかり物産株式会社", Plan.ADVANCED, 12),
    ("midori", "みどり工業株式会社", Plan.STANDARD, 8),
]


def _switched_customer(domain: str, company_name: str, plan: str, seats: int, staff: User):
    group = WorksGroup.objects.create(
        domain=domain, plan=plan, seats=seats, apps=["talk", "calendar", "drive"]
    )
    CompanyInfo.objects.create(
        works_group=group,
        company_name=company_name,
        group_name=company_name.removesuffix("株式会社"),
        phone="03-0000-0000",
    )
    # No password: nobody signs in as these demo admins (the spec's log-ins are seed_demo's).
    admin = User.objects.create_user(
        f"admin@{domain}.example", None, role=User.Role.SUPER_ADMIN, works_group=group
    )
    code = services.code_issue(works_group=group, by=admin)
    services.code_verify(
        partner=staff.partner, staff=staff, domain=domain, raw_code=code.code, show_profile=True
    )
    services.contract_complete(works_group=group, by=admin)


@transaction.atomic
def demo_customers_seed() -> list[str]:
    """The domains of the demo customers created now (none if they exist already, or if
    seed_demo has not created ABC 株式会社 and its staff yet)."""
    staff = User.objects.filter(email=STAFF, partner__name=PARTNER).first()
    if staff is None or not Partner.objects.filter(name=PARTNER).exists():
        return []
    created = []
    for domain, company_name, plan, seats in CUSTOMERS:
        if not WorksGroup.objects.filter(domain=domain).exists():
            _switched_customer(domain, company_name, plan, seats, staff)
            created.append(domain)
    return created
