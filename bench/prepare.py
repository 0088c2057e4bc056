"""The benchmark's own tenants and log-ins, written as JSON for the load generator.

Run by bench/run.py with the server's environment (same database, same SECRET_KEY), after
`seed_scale`. Creates, or brings back to the state the scenarios need:

- the console tenant `bench-console`: complete 会社情報, a super admin, an open code (the
  wizard at step 2) and BUSY_TENANT_EVENTS audit events of its own (a busy customer);
- partner staff of the first seeded partner, whose customers list holds its share of the
  100,000 contracts;
- partner staff of a partner of the switch's own, whose API token verifies the switching
  groups' codes: so the switch adds nothing to the lists the other scenarios measure;
- an API app of the first partner's staff member (`api.services.api_app_create`, scope
  `partner.read`) with its credentials, for the load generator to sign assertions with,
  and an OAuth access token of it from the token endpoint's own service
  (`api.oauth.oauth_token_issue`); the last run's bench apps are deleted with their tokens;
- no webhook endpoint: one left behind by an interrupted run is removed (bench/deliveries.py
  registers one for the webhook scenario only, so no other scenario records deliveries);
- a pool of fresh groups for the full switch, each with its super admin logged in.

Log-ins are sessions written through the configured session engine, exactly what
`django.contrib.auth.login()` stores, so no password is hashed under load.
"""

import json
import os
import secrets
import string
import sys
import time
import uuid
from datetime import timedelta
from importlib import import_module
from pathlib import Path

import django
import jwt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from accounts.models import AuditEvent, CompanyInfo, Partner, Plan, User, WorksGroup  # noqa: E402
from api import oauth  # noqa: E402
from api.models import AccessToken, ApiApp, RefreshToken, UsedAssertion  # noqa: E402
from api.services import api_app_create  # noqa: E402
from partners import selectors, services, tokens  # noqa: E402
from webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: E402
from webhooks.tasks import webhook_deliver  # noqa: E402

CONSOLE_DOMAIN = "bench-console"
BUSY_TENANT_EVENTS = 20_000
SEEDED_PARTNER = "スケール パートナー01 株式会社"
STAFF_EMAIL = "staff@bench-partner.example"
SWITCH_PARTNER = "ベンチ 切り替え用パートナー 株式会社"
SWITCH_STAFF_EMAIL = "switch-staff@bench-partner.example"
API_APP_NAME = "bench"
API_SCOPE = "partner.read"  # the customer list reads; nothing the bench calls writes with it
# The description of the webhook endpoint bench/deliveries.py registers (and removes).
WEBHOOK_DESCRIPTION = "bench: local receiver"


def login_session(user: User) -> str:
    """A saved session logged in as `user`; returns the cookie value."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def csrf_secret() -> str:
    """A CSRF cookie value; the client echoes it in X-CSRFToken, as a browser's script does."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


def complete_info(group: WorksGroup, name: str) -> None:
    CompanyInfo.objects.update_or_create(
        works_group=group,
        defaults={"group_name": name, "company_name": f"{name} 株式会社", "phone": "03-1234-5678"},
    )


@transaction.atomic
def console_tenant() -> User:
    group, _created = WorksGroup.objects.get_or_create(
        domain=CONSOLE_DOMAIN, defaults={"plan": Plan.STANDARD, "seats": 50}
    )
    complete_info(group, "ベンチ")
    admin, _created = User.objects.get_or_create(
        email=f"admin@{CONSOLE_DOMAIN}.example",
        defaults={"role": User.Role.SUPER_ADMIN, "works_group": group, "password": "!"},
    )
    state = selectors.wizard_state_get(works_group=group, now=timezone.now())
    if state.step == 1:
        services.code_issue(works_group=group, by=admin)
    missing = BUSY_TENANT_EVENTS - AuditEvent.objects.filter(works_group=group).count()
    start = timezone.now() - timedelta(days=365)
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                created_at=start + timedelta(minutes=20 * i),
                actor=admin,
                actor_label=admin.email,
                works_group=group,
                action=AuditEvent.Action.LOGIN if i % 3 else AuditEvent.Action.COMPANY_INFO_UPDATED,
                details={} if i % 3 else {"changed": ["phone"]},
            )
            for i in range(max(missing, 0))
        ),
        batch_size=5_000,
    )
    return admin


def staff_of(partner: Partner, email: str) -> User:
    staff, _created = User.objects.get_or_create(
        email=email,
        defaults={"role": User.Role.PARTNER_STAFF, "partner": partner, "password": "!"},
    )
    return staff


def partner_staff() -> User:
    partner = (
        Partner.objects.filter(name=SEEDED_PARTNER).first()
        or Partner.objects.get_or_create(name="ベンチ パートナー 株式会社")[0]
    )
    return staff_of(partner, STAFF_EMAIL)


@transaction.atomic
def switch_staff_token() -> str:
    """An API token of the switch's partner staff."""
    staff = staff_of(Partner.objects.get_or_create(name=SWITCH_PARTNER)[0], SWITCH_STAFF_EMAIL)
    # A fresh token each run; the last run's are revoked (one person holds at most
    # API_TOKENS_PER_STAFF live tokens).
    for old in staff.api_tokens.filter(revoked_at__isnull=True):
        tokens.api_token_revoke(token=old, by=staff)
    _token, raw = tokens.api_token_create(staff=staff, name="bench")
    return raw


@transaction.atomic
def switch_pool(size: int) -> list[tuple[str, User]]:
    """`size` fresh groups on a paid plan, info complete, no code yet."""
    run = secrets.token_hex(3)
    groups = WorksGroup.objects.bulk_create(
        WorksGroup(domain=f"bs{run}-{i:05d}", plan=Plan.STANDARD, seats=10 + i % 90)
        for i in range(size)
    )
    CompanyInfo.objects.bulk_create(
        CompanyInfo(
            works_group=group,
            group_name=f"スイッチ{i}",
            company_name=f"スイッチ{i} 株式会社",
            phone="03-1234-5678",
        )
        for i, group in enumerate(groups)
    )
    password = make_password(None)
    admins = User.objects.bulk_create(
        User(
            email=f"admin@{group.domain}.example",
            role=User.Role.SUPER_ADMIN,
            works_group=group,
            password=password,
        )
        for group in groups
    )
    return [(group.domain, admin) for group, admin in zip(groups, admins, strict=True)]


def assertion_sign(app: dict) -> str:
    """A JWT-bearer assertion of the app's service account, valid for an hour, as a
    partner's system signs it (docs/examples/partner_client.py); `jti` keeps two made in the
    same second apart. bench/loadgen.py signs its own the same way."""
    now = int(time.time())
    claims = {
        "iss": app["client_id"],
        "sub": app["service_account"],
        "iat": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, app["private_key"], algorithm="RS256")


@transaction.atomic
def api_app(staff: User) -> dict:
    """A fresh API app of the bench staff member, and its credentials. The last run's are
    deleted with the tokens, refresh tokens and spent assertions they were given (the API
    token scenario leaves thousands)."""
    old = ApiApp.objects.filter(created_by=staff, name=API_APP_NAME)
    for model in (AccessToken, RefreshToken, UsedAssertion):
        model.objects.filter(app__in=old).delete()
    old.delete()
    made = api_app_create(staff=staff, name=API_APP_NAME, scopes=[API_SCOPE])
    return {
        "client_id": made.app.client_id,
        "client_secret": made.client_secret,
        "service_account": made.app.service_account,
        "private_key": made.private_key,
        "scope": API_SCOPE,
    }


def access_token(app: dict) -> str:
    """An access token of the app, through the service the token endpoint calls."""
    issued = oauth.oauth_token_issue(
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        assertion=assertion_sign(app),
        scope=app["scope"],
    )
    return issued.access_token


@transaction.atomic
def webhook_endpoints_remove(partner: Partner) -> None:
    """The bench's webhook endpoints of `partner`, with their deliveries and attempt logs,
    and the delivery tasks of those deliveries: still queued (each would only find its
    delivery gone; the lease's make more of them than deliveries), done (the production
    worker keeps them until `prune_db_task_results`) or left RUNNING by a stopped worker.

    Deleted with the ORM, not the service: the service records an audit event per endpoint,
    which the bench has no use for."""
    endpoints = WebhookEndpoint.objects.filter(partner=partner, description=WEBHOOK_DESCRIPTION)
    ids = set(WebhookDelivery.objects.filter(endpoint__in=endpoints).values_list("pk", flat=True))
    # RUNNING ones too: no worker runs outside the webhook scenario, and one stopped between
    # claiming a task and starting it leaves the task RUNNING for good (django-tasks-db).
    tasks = DBTaskResult.objects.filter(task_path=webhook_deliver.module_path)
    stale = [pk for pk, call in tasks.values_list("pk", "args_kwargs") if call["args"][0] in ids]
    for first in range(0, len(stale), 1000):
        DBTaskResult.objects.filter(pk__in=stale[first : first + 1000]).delete()
    endpoints.delete()


def main() -> None:
    pool_size = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000
    admin = console_tenant()
    staff = partner_staff()
    webhook_endpoints_remove(staff.partner)
    app = api_app(staff)
    state = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "console": {"session": login_session(admin), "csrf": csrf_secret()},
        "staff": {"session": login_session(staff), "csrf": csrf_secret()},
        "api_token": switch_staff_token(),
        "api_app": app,
        "api_access_token": access_token(app),
        "switch_pool": [
            {"domain": domain, "session": login_session(user), "csrf": csrf_secret()}
            for domain, user in switch_pool(pool_size)
        ],
    }
    json.dump(state, sys.stdout)


if __name__ == "__main__":
    main()
