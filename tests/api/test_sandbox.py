"""The sandbox endpoints: create a customer, then reset, delete, expire or lapse its code."""

import json

import pytest
from django.test import Client

from accounts.models import Plan, User
from partners.models import PartnerCode
from partners.tokens import api_token_create
from sandbox.models import SandboxCustomer
from tests.factories import PartnerCodeFactory, PartnerFactory, UserFactory
from tests.support import TOKEN_LAST_USE, nothing_written

from .conftest import ApiClient

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/sandbox/customers"


def post(api: ApiClient, path: str, body=None):
    data = body if isinstance(body, (str, bytes)) else (json.dumps(body) if body else "")
    return api.client.post(path, data, content_type="application/json", headers=api._headers(None))


def new_customer(api, body=None) -> dict:
    response = post(api, CUSTOMERS, body)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def other_api(db):
    staff = UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))
    return ApiClient(Client(), api_token_create(staff=staff, name="他社")[1])


def test_create_answers_201_with_the_log_in_and_the_code(api):
    body = new_customer(api)

    customer = SandboxCustomer.objects.get()
    group = customer.works_group
    assert set(body) == {
        "domain",
        "domainId",
        "companyName",
        "adminEmail",
        "adminPassword",
        "partnerCode",
    }
    assert (body["domain"], body["domainId"]) == (group.domain, group.pk)
    assert body["companyName"] == group.company_info.company_name
    assert User.objects.get(email=body["adminEmail"]).check_password(body["adminPassword"])
    assert body["partnerCode"] == PartnerCode.objects.get(works_group=group).code
    assert (group.plan, group.seats) == (Plan.FREE, 10)


def test_create_takes_the_plan_seats_and_no_code_asked_for(api):
    body = new_customer(api, {"productId": "STD", "seats": 25, "issueCode": False})

    group = SandboxCustomer.objects.get().works_group
    assert (group.plan, group.seats, body["partnerCode"]) == (Plan.STANDARD, 25, None)


def test_an_empty_object_takes_every_default(api):
    body = new_customer(api, "{}")

    assert body["partnerCode"] is not None
    assert SandboxCustomer.objects.get().works_group.plan == Plan.FREE


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"seats": 0}, "seats の値が正しくありません。"),
        ({"seats": 10000}, "seats の値が正しくありません。"),
        ({"seats": "10"}, "seats の値が正しくありません。"),
        ({"seats": True}, "seats の値が正しくありません。"),
        ({"productId": "GOLD"}, "productId の値が正しくありません。"),
        ({"issueCode": "yes"}, "issueCode は true または false で指定してください。"),
        ("[1]", "リクエストボディはJSONオブジェクトで指定してください。"),
        ("not json", "リクエストボディはJSONオブジェクトで指定してください。"),
    ],
)
def test_a_bad_body_is_400_and_makes_nothing(api, body, description):
    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = post(api, CUSTOMERS, body)

    assert response.status_code == 400
    assert response.json() == {"code": "INVALID_PARAMETER", "description": description}


def test_beyond_the_limit_create_answers_409_with_the_reason(api, settings):
    settings.SANDBOX_CUSTOMER_LIMIT = 1
    new_customer(api)

    response = post(api, CUSTOMERS)

    assert response.status_code == 409
    assert response.json() == {
        "code": "SANDBOX_LIMIT_REACHED",
        "description": "テスト顧客は1パートナーあたり1件までです。"
        "不要なテスト顧客を削除してから作成してください。",
    }


def test_the_customer_previews_transfers_and_its_admin_sees_step_3(api):
    body = new_customer(api)
    domain, code = body["domain"], body["partnerCode"]

    preview = api.preview(domain, code)
    transfer = api.transfer(domain, {"partnerCode": code, "enablePartnerProfileDisplay": True})

    assert preview.status_code == 200
    assert preview.json()["productId"] == "FR"
    assert transfer.status_code == 202
    browser = Client()
    assert browser.login(username=body["adminEmail"], password=body["adminPassword"])
    assert 'data-step="3"' in browser.get("/console/partner/contract/").text


def test_expire_code_makes_the_next_transfer_409_code_expired(api):
    body = new_customer(api)

    expired = post(api, f"{CUSTOMERS}/{body['domain']}/expire-code")
    transfer = api.transfer(
        body["domain"], {"partnerCode": body["partnerCode"], "enablePartnerProfileDisplay": True}
    )

    assert (expired.status_code, expired.json()) == (
        200,
        {"domain": body["domain"], "status": "EXPIRED"},
    )
    assert transfer.status_code == 409
    assert transfer.json()["code"] == "CODE_EXPIRED"


def test_lapse_code_closes_a_verified_codes_approval_window(api):
    body = new_customer(api)
    api.transfer(
        body["domain"], {"partnerCode": body["partnerCode"], "enablePartnerProfileDisplay": True}
    )

    lapsed = post(api, f"{CUSTOMERS}/{body['domain']}/lapse-code")

    assert (lapsed.status_code, lapsed.json()) == (
        200,
        {"domain": body["domain"], "status": "LAPSED"},
    )


@pytest.mark.parametrize("action", ["expire-code", "lapse-code"])
def test_nothing_to_move_is_409_with_the_reason(api, action):
    body = new_customer(api, {"issueCode": False})

    response = post(api, f"{CUSTOMERS}/{body['domain']}/{action}")

    assert response.status_code == 409
    assert response.json()["code"] == "WRONG_STATE"


def test_reset_answers_a_fresh_code_and_the_old_one_is_gone(api):
    body = new_customer(api)
    api.transfer(
        body["domain"], {"partnerCode": body["partnerCode"], "enablePartnerProfileDisplay": True}
    )

    reset = post(api, f"{CUSTOMERS}/{body['domain']}/reset")

    fresh = reset.json()["partnerCode"]
    assert reset.status_code == 200 and fresh != body["partnerCode"]
    assert api.preview(body["domain"], body["partnerCode"]).status_code == 404
    assert api.preview(body["domain"], fresh).status_code == 200


def test_delete_answers_204_and_the_customer_is_gone(api):
    body = new_customer(api)

    deleted = api.request("DELETE", f"{CUSTOMERS}/{body['domain']}")

    assert (deleted.status_code, deleted.content) == (204, b"")
    assert post(api, f"{CUSTOMERS}/{body['domain']}/reset").status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("POST", "/reset"), ("POST", "/expire-code"), ("POST", "/lapse-code"), ("DELETE", "")],
)
def test_another_partners_customer_is_404_and_untouched(api, other_api, method, suffix):
    body = new_customer(api)

    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = other_api.request(method, f"{CUSTOMERS}/{body['domain']}{suffix}")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("suffix", ["/reset", "/expire-code", "/lapse-code"])
def test_a_tenant_that_is_not_a_partners_sandbox_customer_is_404(api, suffix):
    real = PartnerCodeFactory().works_group

    with nothing_written(ignore=(TOKEN_LAST_USE,)):
        response = post(api, f"{CUSTOMERS}/{real.domain}{suffix}")
        deleted = api.request("DELETE", f"{CUSTOMERS}/{real.domain}")

    assert (response.status_code, deleted.status_code) == (404, 404)


def test_the_sandbox_endpoints_need_a_token(anonymous_api):
    response = post(anonymous_api, CUSTOMERS)

    assert response.status_code == 401
    assert not SandboxCustomer.objects.exists()
