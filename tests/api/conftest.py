import json

import pytest

from api.services import api_app_create
from partners.tokens import api_token_create
from tests.factories import PartnerCodeFactory, PartnerContractFactory

from .oauth_support import sign_in

CUSTOMERS = "/api/v1/partners/potential-customers/"


class ApiClient:
    """The Django test client speaking to the partner API with one bearer token."""

    def __init__(self, client, secret: str | None):
        self.client = client
        self.secret = secret

    def _headers(self, headers: dict | None) -> dict:
        sent = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        return {**sent, **(headers or {})}

    def preview(self, domain: str, code: str | None, *, headers: dict | None = None, **extra):
        query = {} if code is None else {"partnerCode": code}
        return self.client.get(
            f"{CUSTOMERS}{domain}", query, headers=self._headers(headers), **extra
        )

    def transfer(self, domain: str, body, *, headers: dict | None = None, **extra):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.post(
            f"{CUSTOMERS}{domain}/transfer",
            data,
            content_type="application/json",
            headers=self._headers(headers),
            **extra,
        )

    def get(self, path: str, query: dict | None = None, *, headers: dict | None = None):
        return self.client.get(path, query or {}, headers=self._headers(headers))

    def request(self, method: str, path: str, *, headers: dict | None = None, **extra):
        return self.client.generic(method, path, headers=self._headers(headers), **extra)


@pytest.fixture
def token_and_secret(staff):
    return api_token_create(staff=staff, name="基幹システム")


@pytest.fixture
def api_token(token_and_secret):
    return token_and_secret[0]


@pytest.fixture
def api(client, token_and_secret):
    return ApiClient(client, token_and_secret[1])


@pytest.fixture
def anonymous_api(client):
    return ApiClient(client, None)


@pytest.fixture
def code(super_admin):
    """An open code of the group, issued by its super admin."""
    return PartnerCodeFactory(works_group=super_admin.works_group, issued_by=super_admin)


def transfer_body(code, *, show_profile: bool = True) -> dict:
    return {"partnerCode": code.code, "enablePartnerProfileDisplay": show_profile}


# -- OAuth: apps of ABC 株式会社 and access tokens of each scope -----------------------------


@pytest.fixture
def app_credentials(staff):
    """An app of the staff member's partner that may ask for both scopes."""
    return api_app_create(staff=staff, name="基幹システム連携", scopes=["partner", "partner.read"])


@pytest.fixture
def oauth_api(client, app_credentials):
    """The API through an OAuth access token with the `partner` scope."""
    return ApiClient(client, sign_in(client, app_credentials, scope="partner")["access_token"])


@pytest.fixture
def read_api(client, app_credentials):
    """The API through an OAuth access token with only `partner.read`."""
    return ApiClient(client, sign_in(client, app_credentials, scope="partner.read")["access_token"])


@pytest.fixture
def customer_contract(partner, staff):
    """A customer that switched to ABC 株式会社."""
    return PartnerContractFactory(
        code__verified_partner=partner, code__verified_by=staff, partner=partner
    )
