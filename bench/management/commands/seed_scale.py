"""`manage.py seed_scale`: the data set the benchmark measures against.

100,000 works groups with complete company info and a super admin each, 20 partners with a
staff member each, one completed switch per group (a used code and a contract) shared among
the partners, and 1,000,000 audit events. Rows are generated in Python and streamed with
PostgreSQL's COPY (psycopg 3 `cursor.copy()`); other databases get `bulk_create` in batches.
Foreign keys are resolved by reading back the natural keys just written (domain, e-mail,
code), so no primary key is guessed.

Safe to run again: groups already loaded are left alone and only the missing ones are added.
"""

import itertools
import time
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from accounts.models import AuditEvent, Channel, CompanyInfo, Partner, Plan, User, WorksGroup
from partners.codes import code_expiry, generate_code, mask_code
from partners.models import PartnerCode, PartnerContract
from partners.settlement import settlement_until_yesterday

DOMAIN_PREFIX = "scale"
PARTNER_NAME = "スケール パートナー{:02d} 株式会社"
BATCH_SIZE = 5_000
# Group n was created 5·n minutes after this instant: fixed, so every load looks the same.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
BILLING_ANCHOR = date(2026, 1, 1)
PLANS = [Plan.FREE, Plan.STANDARD, Plan.ADVANCED]
APPS = ["talk", "calendar", "drive", "mail", "form", "survey"]
# The life of one group in its audit log, repeated (oldest first) until it has its share.
STORY = [
    AuditEvent.Action.LOGIN,
    AuditEvent.Action.COMPANY_INFO_UPDATED,
    AuditEvent.Action.CODE_ISSUED,
    AuditEvent.Action.CODE_VERIFIED,
    AuditEvent.Action.EMAIL_QUEUED,
    AuditEvent.Action.SWITCH_COMPLETED,
    AuditEvent.Action.EMAIL_QUEUED,
    AuditEvent.Action.LOGIN,
    AuditEvent.Action.COMPANY_INFO_UPDATED,
    AuditEvent.Action.LOGIN,
]
PARTNER_ACTIONS = {
    AuditEvent.Action.CODE_ISSUED,
    AuditEvent.Action.CODE_VERIFIED,
    AuditEvent.Action.SWITCH_COMPLETED,
}


def domain_of(number: int) -> str:
    return f"{DOMAIN_PREFIX}{number:06d}"


def copy_rows(model: type[models.Model], rows: Iterator[dict]) -> int:
    """Insert `rows` ({field name: value}, the same keys in each) into `model`'s table.

    COPY on PostgreSQL, batched `bulk_create` elsewhere. JSON fields take Python values.
    Returns how many rows were written.
    """
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    opts = model._meta
    if connection.vendor != "postgresql":
        attnames = {name: opts.get_field(name).attname for name in first}  # ids, not objects
        count = 0
        instances = (model(**{attnames[k]: v for k, v in row.items()}) for row in rows)
        while batch := list(itertools.islice(instances, BATCH_SIZE)):
            model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            count += len(batch)
        return count

    from psycopg.types.json import Jsonb

    # COPY skips Django's defaults: columns the rows leave out get them here, once.
    defaults = {
        field.name: field.get_default()
        for field in opts.concrete_fields
        if field.name not in first and field.has_default() and not field.primary_key
    }
    fields = [opts.get_field(name) for name in [*first, *defaults]]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    is_json = [isinstance(field, models.JSONField) for field in fields]
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            values = [*row.values(), *defaults.values()]
            copy.write_row(
                [Jsonb(v) if json else v for v, json in zip(values, is_json, strict=True)]
            )
            count += 1
    return count


class Command(BaseCommand):
    help = "Load 100k works groups, their contracts with 20 partners and 1M audit events."

    def add_arguments(self, parser):
        parser.add_argument("--groups", type=int, default=100_000)
        parser.add_argument("--partners", type=int, default=20)
        parser.add_argument("--events", type=int, default=1_000_000)

    def handle(self, *args, groups: int, partners: int, events: int, **options):
        started = time.perf_counter()
        self.timings: list[tuple[str, int, float]] = []
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: check each row as it
                # arrives, so each step's time includes its checks instead of the commit.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            partner_rows = self.partners(partners)
            first = WorksGroup.objects.filter(domain__startswith=DOMAIN_PREFIX).count() + 1
            numbers = range(first, groups + 1)
            if numbers:
                self.groups(numbers, partner_rows, events_per_group=events // groups)
        if connection.vendor == "postgresql":
            self.step("VACUUM ANALYZE", lambda: self.vacuum_analyze())
        for label, count, seconds in self.timings:
            rows = f"{count:>9,} rows" if count else " " * 14
            self.stdout.write(f"  {label:<16} {rows} {seconds:7.1f} s")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"seed_scale: {len(numbers):,} new groups in {elapsed:.1f} s")
        )

    def step(self, label: str, load) -> None:
        started = time.perf_counter()
        count = load() or 0
        self.timings.append((label, count, time.perf_counter() - started))

    def vacuum_analyze(self) -> None:
        # Fresh planner statistics, so the first queries after the load use the indexes; the
        # vacuum PostgreSQL advises after a bulk load (hint bits, the visibility map), so that
        # the first scenarios measured do not pay for it; and the dead rows of the last runs
        # (tasks, tokens, deliveries) gone, should autovacuum be off, as it is on the
        # machines of this project. The whole database, outside a transaction, as VACUUM must
        # be; bench/run.py calls this before each run.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")

    def partners(self, count: int) -> list[tuple[Partner, User]]:
        """Each partner with one staff member, the one who verified its customers' codes."""
        pairs = []
        for n in range(1, count + 1):
            partner, _created = Partner.objects.get_or_create(
                name=PARTNER_NAME.format(n),
                defaults={
                    "region": "全国",
                    "description": "スケール試験用の販売パートナーです。",
                    "handled_apps": APPS[: 2 + n % 4],
                },
            )
            staff, _created = User.objects.get_or_create(
                email=f"staff@scale-partner{n:02d}.example",
                defaults={
                    "role": User.Role.PARTNER_STAFF,
                    "partner": partner,
                    "password": make_password(None),
                },
            )
            pairs.append((partner, staff))
        return pairs

    def groups(self, numbers: range, partners: list[tuple[Partner, User]], events_per_group: int):
        unusable_password = make_password(None)  # hashing 100k times would take minutes
        tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
        codes = {n: generate_code() for n in numbers}

        def partner_of(n: int) -> Partner:
            return partners[n % len(partners)][0]

        def staff_of(n: int) -> User:
            return partners[n % len(partners)][1]

        def created(n: int) -> datetime:
            return EPOCH + timedelta(minutes=5 * n)

        def group_row(n: int) -> dict:
            return {
                "domain": domain_of(n),
                "plan": PLANS[n % 3],
                "seats": 1 + n % 300,
                "apps": APPS[: 3 + n % 4],
                "channel": Channel.PARTNER,
                "partner": partner_of(n).pk,
                "billing_anchor": BILLING_ANCHOR,
                "created_at": created(n),
                "updated_at": created(n) + timedelta(days=3),
            }

        self.step("works groups", lambda: copy_rows(WorksGroup, map(group_row, numbers)))
        group_ids = dict(
            WorksGroup.objects.filter(domain__startswith=DOMAIN_PREFIX).values_list("domain", "pk")
        )

        def company_info_row(n: int) -> dict:
            return {
                "works_group": group_ids[domain_of(n)],
                "group_name": f"グループ{n}",
                "company_name": f"株式会社スケール{n}",
                "switched_to": partner_of(n).pk,  # every seeded group has switched (contracts)
                "phone": f"03-{n % 10_000:04d}-{n % 7_919:04d}",
                "language": CompanyInfo.Language.JA_JP,
                "time_zone": "Asia/Tokyo",
                "receive_notices": True,
                "notice_recipients": CompanyInfo.NoticeRecipients.ADMINS,
                "updated_at": created(n),
            }

        def admin_row(n: int) -> dict:
            return {
                "email": f"admin@{domain_of(n)}.example",
                "password": unusable_password,
                "name": f"管理者 {n}",
                "role": User.Role.SUPER_ADMIN,
                "works_group": group_ids[domain_of(n)],
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
                "date_joined": created(n),
            }

        self.step("company info", lambda: copy_rows(CompanyInfo, map(company_info_row, numbers)))
        self.step("super admins", lambda: copy_rows(User, map(admin_row, numbers)))
        admin_ids = dict(
            User.objects.filter(
                role=User.Role.SUPER_ADMIN, works_group__domain__startswith=DOMAIN_PREFIX
            ).values_list("works_group_id", "pk")
        )

        def code_row(n: int) -> dict:
            """Issued two days after the group started, verified three hours later."""
            issued = created(n) + timedelta(days=2)
            verified = issued + timedelta(hours=3)
            group = group_ids[domain_of(n)]
            return {
                "works_group": group,
                "code": codes[n],
                "status": PartnerCode.Status.USED,
                "issued_at": issued,
                "issued_by": admin_ids[group],
                "expires_at": code_expiry(issued, tokyo),
                "verified_at": verified,
                "verified_by": staff_of(n).pk,
                "verified_partner": partner_of(n).pk,
                "approve_by": verified + timedelta(days=30),
                "show_partner_profile": n % 2 == 0,
                "closed_at": verified + timedelta(days=1),
                "cancel_reason": "",
            }

        self.step("partner codes", lambda: copy_rows(PartnerCode, map(code_row, numbers)))
        code_ids = dict(
            PartnerCode.objects.filter(works_group__domain__startswith=DOMAIN_PREFIX).values_list(
                "code", "pk"
            )
        )

        def contract_row(n: int) -> dict:
            """Approved a day after the verification."""
            completed = created(n) + timedelta(days=3, hours=3)
            group = group_ids[domain_of(n)]
            settlement = settlement_until_yesterday(
                plan=PLANS[n % 3],
                seats=1 + n % 300,
                billing_anchor=BILLING_ANCHOR,
                today=completed.astimezone(tokyo).date(),
            )
            return {
                "works_group": group,
                "partner": partner_of(n).pk,
                "code": code_ids[codes[n]],
                "completed_at": completed,
                "completed_by": admin_ids[group],
                "company_name": f"株式会社スケール{n}",
                "group_name": f"グループ{n}",
                **PartnerContract.settlement_columns(settlement),
            }

        self.step("contracts", lambda: copy_rows(PartnerContract, map(contract_row, numbers)))

        def event_rows() -> Iterator[dict]:
            """The group's story, one event an hour from its creation."""
            for n in numbers:
                group = group_ids[domain_of(n)]
                partner_details = {"code": mask_code(codes[n])}
                for i in range(events_per_group):
                    action = STORY[i % len(STORY)]
                    about_partner = action in PARTNER_ACTIONS
                    yield {
                        "created_at": created(n) + timedelta(hours=i),
                        "actor": admin_ids[group],
                        "actor_label": f"admin@{domain_of(n)}.example",
                        "works_group": group,
                        "partner": partner_of(n).pk if about_partner else None,
                        "action": action,
                        "details": partner_details if about_partner else {},
                    }

        self.step("audit events", lambda: copy_rows(AuditEvent, event_rows()))
