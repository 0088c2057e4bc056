"""Generated hostile input on every form and API endpoint: never a 5xx, and never a partial
write — a refused form leaves its rows exactly as they were, an accepted one writes them
whole.

Hypothesis runs every example of a test inside that test's one database transaction: the
fixtures set the scene once, and each example compares the rows before and after its own
request.
"""

import contextlib

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from accounts.forms import CompanyInfoForm
from accounts.models import AuditEvent, CompanyInfo, Partner
from partners import services
from partners.codes import ALPHABET, MalformedCode, normalize_code
from partners.models import PartnerCode
from tests.factories import PASSWORD, PartnerFactory, UserFactory, WorksGroupFactory
from tests.support import AUDIT_EVENTS, nothing_written

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Anything a form field can carry (lone surrogates cannot be encoded in a request at all).
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
nasty = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\n",
        "03-1234-5678\n",
        "'; DROP TABLE accounts_user; --",
        "<script>alert(1)</script>",
        "A" * 41,
        "9" * 300,
        "ＡＢＣ１２３",
        "\u202emizl",
        "🙂",
        "True",
        "null",
        "-1",
        "../../etc/passwd",
        "a" * 250 + "@example.com",
    ]
)
values = st.one_of(texts, nasty)
code_like = st.one_of(
    st.text(ALPHABET, min_size=20, max_size=20),
    st.text(ALPHABET + ALPHABET.lower() + " -ー０IO10", max_size=30),
    values,
)


def _company_info_row(info: CompanyInfo) -> dict:
    info.refresh_from_db()
    return {name: getattr(info, name) for name in CompanyInfoForm.Meta.fields}


def _never_5xx(response) -> None:
    assert response.status_code < 500, response.status_code


@pytest.fixture
def relaxed_rate_limit(settings):
    """Generated failures would otherwise hit the rate limit after ten examples."""
    settings.VERIFY_RATE_LIMIT = 10**6


@pytest.fixture
def open_code(db) -> PartnerCode:
    """Group `mizl` with an open code, as partner staff would be given it."""
    group = WorksGroupFactory(domain="mizl")
    return services.code_issue(works_group=group, by=UserFactory(works_group=group))


@pytest.fixture
def verified_code(db) -> PartnerCode:
    """A code a partner verified, of a group whose 会社情報 lacks its phone: the gate shows."""
    group = WorksGroupFactory(company_info__phone="")
    code = services.code_issue(works_group=group, by=UserFactory(works_group=group))
    staff = UserFactory(staff=True)
    UserFactory(operator=True, email="taken@example.com")  # an address the gate must refuse
    return services.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=group.domain,
        raw_code=code.code,
        show_profile=True,
    )


# ログイン ----------------------------------------------------------------------------------


@FUZZ
@given(username=values, password=values)
def test_login_with_generated_values_never_fails_or_signs_in(
    client, super_admin, username, password
):
    failures = [AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOGIN_LOCKED]
    events = AuditEvent.objects.exclude(action__in=failures).count()

    response = client.post("/login/", {"username": username, "password": password})

    _never_5xx(response)
    assert response.status_code in (200, 429)  # 429 once the log-in limit is reached
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.exclude(action__in=failures).count() == events


# 基本設定 > 会社情報 ---------------------------------------------------------------------


company_info_forms = st.fixed_dictionaries(
    {
        "group_name": st.one_of(st.just("水谷"), values),
        "company_name": st.one_of(st.just("水谷建設"), values),
        "phone": st.one_of(st.just("03-1234-5678"), st.text("0123456789+-*#,PTx ", max_size=25)),
        "language": st.one_of(st.sampled_from(["ja_JP", "en_US", "xx_XX"]), values),
        "time_zone": st.one_of(st.sampled_from(["Asia/Tokyo", "Mars/Olympus"]), values),
        "receive_notices": st.one_of(st.sampled_from(["True", "False"]), values),
        "notice_recipients": st.one_of(st.sampled_from(["ADMINS", "ALL"]), values),
    }
)


# The page renders a select of every IANA time zone (~600 options): fewer, dearer examples.
@settings(parent=FUZZ, max_examples=6)
@given(form=company_info_forms)
def test_company_info_is_saved_whole_or_not_at_all(client, super_admin, form):
    client.force_login(super_admin)
    info = super_admin.works_group.company_info
    before = _company_info_row(info)

    response = client.post("/console/settings/company/", form)

    _never_5xx(response)
    after = _company_info_row(info)
    if response.status_code == 302:
        submitted = CompanyInfoForm(form, instance=CompanyInfo())
        assert submitted.is_valid()
        assert after == {name: submitted.cleaned_data[name] for name in after}
    else:
        assert response.status_code == 200
        assert after == before


# パートナー連携の会社情報 (the gate before 承認) ---------------------------------------


@FUZZ
@given(
    form=st.fixed_dictionaries(
        {
            "group_name": st.one_of(st.just("水谷"), values),
            "company_name": st.one_of(st.just("水谷建設"), values),
            "phone": st.one_of(st.just("03-1234-5678"), values),
            "admin_email": st.one_of(st.emails(), values, st.just("taken@example.com")),
            "current_password": st.one_of(st.just(PASSWORD), values),
        }
    )
)
def test_company_gate_is_saved_whole_or_not_at_all(client, verified_code, form):
    super_admin = verified_code.issued_by
    client.force_login(super_admin)
    info = verified_code.works_group.company_info
    before = (_company_info_row(info), super_admin.email)

    response = client.post("/console/partner/contract/company/", form)

    _never_5xx(response)
    super_admin.refresh_from_db()
    after = (_company_info_row(info), super_admin.email)
    if response.status_code == 302:
        assert after[0]["group_name"] == form["group_name"].strip()
        assert after[0]["company_name"] == form["company_name"].strip()
        assert after[0]["phone"] == form["phone"].strip()
        assert after[1] == form["admin_email"].strip().lower()
    else:
        assert response.status_code == 200
        assert after == before


# 顧客の取り込み ----------------------------------------------------------------------------


@FUZZ
@given(
    domain=st.one_of(st.just("mizl"), st.just(" MIZL "), values),
    code=code_like,
    confirm=st.booleans(),
    show_profile=st.sampled_from(["on", "", "x"]),
)
def test_customer_import_never_verifies_a_wrong_pair(
    client, relaxed_rate_limit, open_code, staff, domain, code, confirm, show_profile
):
    with contextlib.suppress(MalformedCode):  # a malformed code cannot be the right one
        assume(not (normalize_code(code) == open_code.code and domain.strip().lower() == "mizl"))
    client.force_login(staff)
    form = {"domain": domain, "code": code, "show_profile": show_profile}
    form["confirm" if confirm else "preview"] = "1"
    with nothing_written(ignore=(AUDIT_EVENTS,)):
        response = client.post("/partner/customers/import/", form)

    _never_5xx(response)
    assert response.status_code == 200


# コード発行 --------------------------------------------------------------------------------


@pytest.fixture
def inactive_partner(db):
    return PartnerFactory(name="休止中 株式会社", is_active=False)


@FUZZ
@given(partner=st.one_of(values, st.just("inactive"), st.integers().map(str)))
def test_code_issue_with_a_bad_partner_issues_nothing(
    client, super_admin, inactive_partner, partner
):
    if partner == "inactive":
        partner = str(inactive_partner.pk)
    with contextlib.suppress(ValueError, OverflowError):  # not a number: cannot be a partner
        assume(not Partner.objects.filter(pk=int(partner), is_active=True).exists())
    assume(partner.strip() != "")  # no partner at all is a valid コード発行
    client.force_login(super_admin)

    with nothing_written():
        response = client.post("/console/partner/contract/issue/", {"partner": partner})

    _never_5xx(response)
    assert response.status_code == 302
