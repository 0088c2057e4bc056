"""A partner code is a secret: it never reaches the logs, the audit trail shows it masked as
in the seed (`ERV…PQLZ`), the e-mails and operator pages never show it whole, and it is
compared in constant time in Python, never by the database."""

import hmac
import json
import logging
import re
import socket

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.export_writer import audit_export_run
from accounts.exports import audit_export_start
from accounts.models import AuditEvent
from core.admin import SecretLookupsRefused
from outbox.models import OutboundEmail
from partners import errors, services
from partners.models import PartnerCode
from partners.services import verification
from partners.tokens import api_token_create
from tests.factories import (
    PartnerCodeFactory,
    PartnerContractFactory,
    PartnerFactory,
    UserFactory,
    WorksGroupFactory,
)

pytestmark = pytest.mark.django_db

MASKED = re.compile(r"^[A-HJ-NP-Z2-9]{3}…[A-HJ-NP-Z2-9]{4}$")
API_CUSTOMERS = "/api/v1/partners/potential-customers/"


@pytest.fixture
def dead_port():
    """A port that refuses connections: bound, never listening, held for the whole test."""
    with socket.socket() as reservation:
        reservation.bind(("127.0.0.1", 0))
        yield reservation.getsockname()[1]


def _near_miss(code: str) -> str:
    """The same code with its last symbol changed: what a typo or a guess looks like."""
    return code[:-1] + ("A" if code[-1] != "A" else "B")


def _full_flow(client) -> tuple[PartnerCode, str]:
    """コード発行 → 顧客の取り込み (a typo, then right; page and API) → 承認 → OK, by HTTP.

    Returns the code and the raw form the partner typed it in.
    """
    group = WorksGroupFactory()
    super_admin = UserFactory(works_group=group)
    staff = UserFactory(staff=True, partner=PartnerFactory())
    _token, secret = api_token_create(staff=staff, name="基幹システム")
    api = {"Authorization": f"Bearer {secret}"}

    client.force_login(super_admin)
    client.post("/console/partner/contract/issue/")
    code = PartnerCode.objects.get(works_group=group)
    client.get("/console/partner/contract/")
    typed = "-".join(code.code[i : i + 4] for i in range(0, 20, 4)).lower()

    client.force_login(staff)
    for raw in (_near_miss(code.code), typed):
        client.post("/partner/customers/import/", {"domain": group.domain, "code": raw})
        client.get(f"{API_CUSTOMERS}{group.domain}", {"partnerCode": raw}, headers=api)
    client.post(
        "/partner/customers/import/", {"domain": group.domain, "code": typed, "confirm": "1"}
    )
    client.post(  # too late: refused (409) and logged by django.request
        f"{API_CUSTOMERS}{group.domain}/transfer",
        {"partnerCode": code.code, "enablePartnerProfileDisplay": True},
        content_type="application/json",
        headers=api,
    )
    client.force_login(super_admin)
    client.post("/console/partner/contract/approve/")
    client.get("/console/partner/contract/confirm/")
    client.post("/console/partner/contract/complete/")
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.USED
    return code, typed


def test_the_code_never_reaches_the_logs(
    client, caplog, settings, dead_port, django_capture_on_commit_callbacks
):
    # The mail server is down, so the e-mail task logs its failures too.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": dead_port, "timeout": 5},
        }
    }
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        code, typed = _full_flow(client)

    logged = "\n".join(
        [caplog.text]
        + [record.getMessage() + repr(record.args) for record in caplog.records]
        + [str(record.__dict__.get("exc_text") or "") for record in caplog.records]
    )
    assert "outbox.tasks" in {record.name for record in caplog.records}  # capture was live
    assert "django.request" in {record.name for record in caplog.records}
    for secret in (code.code, typed, code.code.lower()):
        assert secret not in logged


def test_audit_events_show_the_code_masked_like_the_seed(client):
    code, typed = _full_flow(client)

    details = [event.details for event in AuditEvent.objects.all()]
    dumped = json.dumps(details, ensure_ascii=False)
    assert code.code not in dumped and typed not in dumped
    masked = [value for entry in details for key, value in entry.items() if "code" in key]
    assert masked and all(MASKED.match(value) for value in masked)
    assert code.masked == f"{code.code[:3]}…{code.code[-4:]}" in masked
    assert code.masked in client.get("/console/audit/").text
    export = audit_export_run(
        export_id=audit_export_start(works_group=code.works_group, by=code.issued_by).pk
    )
    download = client.get(f"/console/audit/exports/{export.pk}/download/")
    csv = b"".join(download.streaming_content).decode()
    assert code.masked in csv and code.code not in csv


def test_emails_operators_and_partners_never_see_the_whole_code(client):
    code, _typed = _full_flow(client)

    for email in OutboundEmail.objects.all():
        assert code.code not in email.subject + email.body_text + email.body_html
    client.force_login(code.verified_by)
    assert code.code not in client.get("/partner/").text
    client.force_login(UserFactory(operator=True))
    for path in (
        "/ops/partners/partnercode/",
        f"/ops/partners/partnercode/{code.pk}/change/",
        "/ops/accounts/auditevent/",
        "/ops/partners/partnercontract/",
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert code.code not in page.text


def test_codes_are_compared_in_constant_time_and_never_by_the_database(monkeypatch):
    comparisons = []
    real_compare_digest = hmac.compare_digest

    def recording_compare_digest(a, b):
        comparisons.append((a, b))
        return real_compare_digest(a, b)

    monkeypatch.setattr(verification.hmac, "compare_digest", recording_compare_digest)
    code = PartnerCodeFactory()
    staff = UserFactory(staff=True)
    attempt = {"partner": staff.partner, "staff": staff, "domain": code.works_group.domain}
    wrong = _near_miss(code.code)

    with CaptureQueriesContext(connection) as queries:
        with pytest.raises(errors.WrongPair):
            services.code_preview(**attempt, raw_code=wrong)
        services.code_preview(**attempt, raw_code=code.code)
        services.code_verify(**attempt, raw_code=code.code, show_profile=False)

    assert (code.code, wrong) in comparisons
    assert comparisons.count((code.code, code.code)) == 2
    lookups = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert not [sql for sql in lookups if wrong in sql or code.code in sql]


# /ops/ lookups on secret columns (issue 16, item 4a) ------------------------------------------

SECRET_LOOKUPS = [
    ("partners/partnercode", "code__startswith={first}"),
    ("partners/partnercode", "code={code}"),
    ("partners/partnercode", "code__exact={code}"),
    ("partners/partnercode", "code__regex=^{first}"),
    ("partners/partnercode", "code__istartswith={first}"),
    ("partners/partnercode", "code__gte={first}"),
    ("partners/partnercode", "code__in={code}"),
    ("partners/partnercontract", "code__code__startswith={first}"),
    ("accounts/worksgroup", "partner_codes__code__startswith={first}"),
    ("accounts/user", "password__startswith=md5"),
    ("accounts/user", "works_group__partner_codes__code__startswith={first}"),
    ("accounts/auditevent", "actor__password__startswith=md5"),
    ("partners/apitoken", "token_hash__startswith=a"),
    ("partners/apitoken", "created_by__password__regex=^md5"),
]


@pytest.mark.parametrize(("model", "lookup"), SECRET_LOOKUPS)
def test_ops_refuses_lookups_on_secret_columns(client, model, lookup):
    """`?code__startswith=B…`, one symbol at a time, recovered an open code in 381 requests."""
    code = PartnerCodeFactory(verified=True, status=PartnerCode.Status.USED)
    PartnerContractFactory(code=code)
    api_token_create(staff=UserFactory(staff=True), name="基幹システム")
    client.force_login(UserFactory(operator=True))
    query = lookup.format(first=code.code[0], code=code.code)

    response = client.get(f"/ops/{model}/?{query}")

    assert response.status_code == 400


def test_ops_answers_the_same_to_a_right_and_a_wrong_first_symbol(client):
    code = PartnerCodeFactory()
    wrong = "B" if code.code[0] != "B" else "C"
    client.force_login(UserFactory(operator=True))

    right_guess = client.get("/ops/partners/partnercode/", {"code__startswith": code.code[0]})
    wrong_guess = client.get("/ops/partners/partnercode/", {"code__startswith": wrong})

    assert right_guess.status_code == wrong_guess.status_code == 400
    assert code.masked not in right_guess.text


def test_ops_still_filters_on_ordinary_columns(client):
    code = PartnerCodeFactory()
    client.force_login(UserFactory(operator=True))

    response = client.get("/ops/partners/partnercode/", {"status__exact": "ISSUED"})

    assert response.status_code == 200
    assert code.masked in response.text


def test_every_ops_page_of_the_project_refuses_secret_lookups():
    ours = {"accounts", "partners", "outbox"}
    admins = [a for m, a in admin.site._registry.items() if m._meta.app_label in ours]

    assert admins
    assert all(isinstance(model_admin, SecretLookupsRefused) for model_admin in admins)
