"""The partner API: the page's verification by program, every answer JSON."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent, Plan
from partners import errors, services
from partners.models import PartnerCode
from partners.tokens import api_token_create, api_token_revoke
from tests.factories import PartnerCodeFactory, PartnerFactory, UserFactory
from tests.support import AUDIT_EVENTS, TOKEN_LAST_USE, nothing_written

from .conftest import CUSTOMERS, ApiClient, transfer_body

pytestmark = pytest.mark.django_db

# A refused call still records the token's use and, for a guess, a failed attempt.
WRITTEN_BY_ANY_CALL = (TOKEN_LAST_USE, AUDIT_EVENTS)


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "description"}
    return body


# -- 200 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "product_id"), [(Plan.FREE, "FR"), (Plan.STANDARD, "STD"), (Plan.ADVANCED, "ADV")]
)
def test_get_previews_the_customer_as_the_line_works_api_does(api, code, plan, product_id):
    group = code.works_group
    group.plan = plan
    group.apps = ["talk", "drive", "mail"]
    group.save()

    response = api.preview(group.domain, code.code)

    assert response.status_code == 200
    assert response.json() == {
        "tenantId": group.pk,
        "domainId": group.pk,
        "domain": group.domain,
        "productId": product_id,
        "productIds": [product_id],
        "notHandledApps": ["drive", "mail"],  # the partner handles talk and calendar
    }


def test_get_accepts_the_code_as_people_type_it(api, code):
    typed = "-".join(code.code[i : i + 4] for i in range(0, 20, 4)).lower()

    response = api.preview(code.works_group.domain.upper(), typed)

    assert response.status_code == 200


def test_get_writes_nothing_but_the_token_s_last_use(api, api_token, code):
    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        api.preview(code.works_group.domain, code.code)

    api_token.refresh_from_db()
    assert api_token.last_used_at is not None


# -- 202 ---------------------------------------------------------------------------------


def test_post_verifies_the_code_as_the_token_s_staff_member(
    api, code, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.transfer(code.works_group.domain, transfer_body(code, show_profile=False))

    assert response.status_code == 202
    assert response.json() == {"domain": code.works_group.domain, "status": "VERIFIED"}
    code.refresh_from_db()
    assert code.status == PartnerCode.Status.VERIFIED
    assert (code.verified_partner, code.verified_by) == (staff.partner, staff)
    assert code.show_partner_profile is False


def test_post_sends_the_page_s_e_mail_and_writes_the_page_s_audit(
    api, code, staff, super_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api.transfer(code.works_group.domain, transfer_body(code))

    assert [m.subject for m in mail.outbox] == ["パートナー顧客としての登録を承認してください。"]
    assert mail.outbox[0].to == [super_admin.email]
    verified = AuditEvent.objects.get(action=AuditEvent.Action.CODE_VERIFIED)
    assert (verified.actor, verified.partner, verified.works_group) == (
        staff,
        staff.partner,
        code.works_group,
    )
    assert verified.details["show_partner_profile"] is True
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EMAIL_QUEUED).count() == 1


def test_after_the_post_the_customer_s_wizard_is_at_step_3(api, code, super_admin):
    api.transfer(code.works_group.domain, transfer_body(code))

    browser = Client()
    browser.force_login(super_admin)
    content = browser.get("/console/partner/contract/").content.decode()

    assert "“ABC 株式会社”によるコード認証が完了しました。" in content


# -- 400 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "",
        "[]",
        '"partnerCode"',
        "null",
        b"\xff\xfe\x00",
        "[" * 100_000,
    ],
    ids=["broken", "empty", "array", "string", "null", "not-utf8", "deeply-nested"],
)
def test_a_body_that_is_not_a_json_object_is_a_400(api, code, body):
    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = api.transfer(code.works_group.domain, body)

    assert response.status_code == 400
    assert error_of(response)["code"] == "INVALID_PARAMETER"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"enablePartnerProfileDisplay": True}, "partnerCode"),
        ({"partnerCode": 12345, "enablePartnerProfileDisplay": True}, "partnerCode"),
        ({"partnerCode": None, "enablePartnerProfileDisplay": True}, "partnerCode"),
        ({"partnerCode": "CODE"}, "enablePartnerProfileDisplay"),
        (
            {"partnerCode": "CODE", "enablePartnerProfileDisplay": "true"},
            "enablePartnerProfileDisplay",
        ),
        ({"partnerCode": "CODE", "enablePartnerProfileDisplay": 1}, "enablePartnerProfileDisplay"),
    ],
)
def test_a_missing_or_mistyped_field_is_a_400_naming_it(api, code, body, field):
    if body.get("partnerCode") == "CODE":
        body["partnerCode"] = code.code

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = api.transfer(code.works_group.domain, body)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "INVALID_PARAMETER" and field in error["description"]


@pytest.mark.parametrize("typed", [None, "", "ABC", "0" * 20, "I" * 20, "\x00" * 20, "A" * 65])
def test_a_missing_or_malformed_code_is_a_400_as_on_the_page(api, code, typed):
    response = api.preview(code.works_group.domain, typed)

    assert response.status_code == 400
    assert error_of(response)["code"] == "INVALID_PARAMETER"
    assert "partnerCode" in response.json()["description"]


def test_a_malformed_code_does_not_count_against_the_rate_limit(api, code, settings):
    settings.VERIFY_RATE_LIMIT = 1

    api.preview(code.works_group.domain, "too-short")

    assert api.preview(code.works_group.domain, code.code).status_code == 200


@pytest.mark.parametrize("domain", ["x" * 65, "%00", "%20"])
def test_a_domain_the_page_would_refuse_is_a_400(api, code, domain):
    response = api.preview(domain, code.code)

    assert response.status_code == 400
    assert "domain" in error_of(response)["description"]


def test_a_request_body_over_djangos_limit_is_a_json_400(api, code, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = api.transfer(code.works_group.domain, {**transfer_body(code), "pad": "x" * 200})

    assert response.status_code == 400
    assert error_of(response)["code"] == "INVALID_PARAMETER"


# -- 401 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token wa_x", "wa_x"],
)
def test_no_bearer_token_is_a_401_with_a_challenge(client, code, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = ApiClient(client, None).transfer(
            code.works_group.domain, transfer_body(code), headers=headers
        )

    assert response.status_code == 401
    assert error_of(response)["code"] == "UNAUTHORIZED"
    assert response["WWW-Authenticate"] == 'Bearer realm="worksadmin"'


def test_a_wrong_token_is_a_401_with_invalid_token(client, code):
    response = ApiClient(client, "wa_" + "x" * 43).preview(code.works_group.domain, code.code)

    assert response.status_code == 401
    assert error_of(response)["code"] == "UNAUTHORIZED"
    assert response["WWW-Authenticate"] == 'Bearer realm="worksadmin", error="invalid_token"'


def test_a_revoked_token_is_a_401(api, api_token, staff, code):
    api_token_revoke(token=api_token, by=staff)

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = api.transfer(code.works_group.domain, transfer_body(code))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_the_scheme_is_case_insensitive(api, code):
    headers = {"Authorization": f"bearer {api.secret}"}

    assert api.preview(code.works_group.domain, code.code, headers=headers).status_code == 200


def test_a_session_cookie_is_no_substitute_for_a_token(login, staff, code):
    response = ApiClient(login(staff), None).preview(code.works_group.domain, code.code)

    assert response.status_code == 401


def test_the_api_needs_no_csrf_token(token_and_secret, code):
    api = ApiClient(Client(enforce_csrf_checks=True), token_and_secret[1])

    assert api.transfer(code.works_group.domain, transfer_body(code)).status_code == 202


# -- 403 ---------------------------------------------------------------------------------


def test_an_inactive_partner_is_a_403(api, staff, code):
    staff.partner.is_active = False
    staff.partner.save()

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = api.transfer(code.works_group.domain, transfer_body(code))

    assert response.status_code == 403
    assert error_of(response) == {"code": "FORBIDDEN", "description": errors.INACTIVE_PARTNER}


# -- 404 ---------------------------------------------------------------------------------


def test_a_wrong_pair_and_an_unknown_group_are_the_same_404(api, code):
    other = PartnerCodeFactory()

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        wrong_pair = api.preview(code.works_group.domain, other.code)
        no_group = api.preview("no-such-group", other.code)

    assert wrong_pair.status_code == no_group.status_code == 404
    assert error_of(wrong_pair) == error_of(no_group)
    assert wrong_pair.json() == {"code": "NOT_FOUND", "description": errors.WRONG_PAIR}


def test_a_wrong_pair_is_audited_as_a_failed_attempt_without_the_group(api, staff, code):
    api.transfer(code.works_group.domain, {**transfer_body(code), "partnerCode": "A" * 20})

    event = AuditEvent.objects.get(action=AuditEvent.Action.VERIFICATION_FAILED)
    assert (event.actor, event.partner, event.works_group) == (staff, staff.partner, None)
    assert event.details == {"domain": code.works_group.domain, "reason": "NOT_FOUND"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/v1/",
        "/api/v2/partners/potential-customers/mizl",
        "/api/v1/partners/potential-customers/",
        "/api/v1/partners/potential-customers/mizl/",
        "/api/v1/partners/potential-customers/mizl/transfer/",
        "/api/v1/partners/potential-customers/a/b/c",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_an_unknown_api_path_is_a_json_404(api, path, method):
    response = api.request(method, path)

    assert response.status_code == 404
    assert error_of(response)["code"] == "NOT_FOUND"


# -- 405 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", f"{CUSTOMERS}mizl", "GET"),
        ("PUT", f"{CUSTOMERS}mizl", "GET"),
        ("HEAD", f"{CUSTOMERS}mizl", "GET"),
        ("GET", f"{CUSTOMERS}mizl/transfer", "POST"),
        ("DELETE", f"{CUSTOMERS}mizl/transfer", "POST"),
        ("OPTIONS", f"{CUSTOMERS}mizl/transfer", "POST"),
        ("POST", "/api/v1/openapi.json", "GET"),
    ],
)
def test_a_wrong_method_is_a_json_405(anonymous_api, method, path, allowed):
    response = anonymous_api.request(method, path)

    assert response.status_code == 405
    assert response["Allow"] == allowed
    if method != "HEAD":
        assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"


# -- 409 ---------------------------------------------------------------------------------


def test_a_second_post_with_the_same_code_is_a_409(api, code):
    first = api.transfer(code.works_group.domain, transfer_body(code))

    second = api.transfer(code.works_group.domain, transfer_body(code))

    assert (first.status_code, second.status_code) == (202, 409)
    assert error_of(second) == {
        "code": "CODE_ALREADY_USED",
        "description": errors.CODE_ALREADY_USED,
    }


def test_a_code_another_partner_verified_is_a_409_for_everyone_else(api, code):
    outsider = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))
    services.code_verify(
        partner=outsider.partner,
        staff=outsider,
        domain=code.works_group.domain,
        raw_code=code.code,
        show_profile=False,
    )

    response = api.preview(code.works_group.domain, code.code)

    assert response.status_code == 409
    assert error_of(response)["code"] == "CODE_ALREADY_USED"


def test_an_expired_code_is_a_409(api, super_admin):
    expired = PartnerCodeFactory(works_group=super_admin.works_group, expired=True)

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = api.transfer(expired.works_group.domain, transfer_body(expired))

    assert response.status_code == 409
    assert error_of(response) == {"code": "CODE_EXPIRED", "description": errors.CODE_EXPIRED}


def test_a_cancelled_code_is_a_409(api, code, super_admin):
    services.code_cancel(works_group=code.works_group, by=super_admin)

    response = api.preview(code.works_group.domain, code.code)

    assert response.status_code == 409
    assert error_of(response)["code"] == "CODE_CANCELLED"


def test_a_code_issued_for_another_partner_is_a_409(api, super_admin):
    bound = PartnerCodeFactory(
        works_group=super_admin.works_group, intended_partner=PartnerFactory(name="XYZ 株式会社")
    )

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = api.transfer(bound.works_group.domain, transfer_body(bound))

    assert response.status_code == 409
    assert error_of(response) == {"code": "PARTNER_MISMATCH", "description": errors.OTHER_PARTNER}


def test_a_refused_right_pair_is_audited_with_its_group(api, staff, super_admin):
    expired = PartnerCodeFactory(works_group=super_admin.works_group, expired=True)

    api.preview(expired.works_group.domain, expired.code)

    event = AuditEvent.objects.get(action=AuditEvent.Action.VERIFICATION_FAILED)
    assert (event.actor, event.works_group) == (staff, expired.works_group)
    assert event.details["reason"] == "CODE_EXPIRED"


# -- 429 ---------------------------------------------------------------------------------


def test_repeated_failures_are_a_429_with_retry_after(api, code, settings):
    settings.VERIFY_RATE_LIMIT = 3
    for _attempt in range(3):
        assert api.preview("no-such-group", code.code).status_code == 404

    with nothing_written(ignore=WRITTEN_BY_ANY_CALL):
        response = api.transfer(code.works_group.domain, transfer_body(code))

    assert response.status_code == 429
    assert error_of(response)["code"] == "TOO_MANY_REQUESTS"
    assert 0 < int(response["Retry-After"]) <= settings.VERIFY_RATE_WINDOW_SECONDS
    assert "15分後" in response.json()["description"]


def test_failures_on_the_page_count_for_the_api(api, login, staff, code, settings):
    settings.VERIFY_RATE_LIMIT = 2
    page = login(staff)
    for _attempt in range(2):
        page.post("/partner/customers/import/", {"domain": "no-such-group", "code": code.code})

    response = api.preview(code.works_group.domain, code.code)

    assert response.status_code == 429


def test_the_limit_follows_the_client_address(client, code, settings):
    settings.VERIFY_RATE_LIMIT = 2
    partner = PartnerFactory(name="XYZ 株式会社")

    def api_of_new_staff():
        _token, secret = api_token_create(staff=UserFactory(staff=True, partner=partner), name="x")
        return ApiClient(client, secret)

    first = api_of_new_staff()
    for _attempt in range(2):
        first.preview("no-such-group", code.code, REMOTE_ADDR="203.0.113.7")

    second = api_of_new_staff()

    assert (
        second.preview(code.works_group.domain, code.code, REMOTE_ADDR="203.0.113.7").status_code
        == 429
    )
    assert (
        second.preview(code.works_group.domain, code.code, REMOTE_ADDR="203.0.113.8").status_code
        == 200
    )


# -- 500 ---------------------------------------------------------------------------------


def _broken(**kwargs):
    raise RuntimeError("a bug")


@pytest.mark.parametrize("verb", ["code_preview", "code_verify"])
def test_an_unexpected_error_is_a_json_500(token_and_secret, code, monkeypatch, verb):
    monkeypatch.setattr(services, verb, _broken)
    api = ApiClient(Client(raise_request_exception=False), token_and_secret[1])

    if verb == "code_preview":
        response = api.preview(code.works_group.domain, code.code)
    else:
        response = api.transfer(code.works_group.domain, transfer_body(code))

    assert response.status_code == 500
    assert error_of(response)["code"] == "INTERNAL_SERVER_ERROR"
    assert "a bug" not in response.content.decode()


def test_errors_outside_the_api_keep_django_s_pages(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_preview_reserves_nothing_the_post_checks_again(api, code):
    assert api.preview(code.works_group.domain, code.code).status_code == 200
    code.expires_at = timezone.now() - timedelta(seconds=1)
    code.save()

    response = api.transfer(code.works_group.domain, transfer_body(code))

    assert response.status_code == 409
    assert error_of(response)["code"] == "CODE_EXPIRED"
