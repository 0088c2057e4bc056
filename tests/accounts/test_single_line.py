"""Single-line fields refuse line breaks, control characters and invisible characters
(zero-width, bidi overrides) wherever they are entered (issue 16, item 7): one validator,
core.validators.validate_single_line, on the model fields and the forms that feed them."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import CompanyInfo, Partner, User
from core.validators import validate_single_line
from partners.models import ApiToken
from tests.factories import UserFactory
from tests.support import nothing_written

pytestmark = pytest.mark.django_db

REFUSED = [
    pytest.param("水谷\n建設", id="LF"),
    pytest.param("水谷\r建設", id="CR"),
    pytest.param("水谷\t建設", id="tab"),
    pytest.param("水谷\u2028建設", id="line separator"),
    pytest.param("水谷\u200b建設", id="zero width space"),
    pytest.param("水谷\u200d建設", id="zero width joiner"),
    pytest.param("\ufeff水谷建設", id="BOM"),
    pytest.param("水谷\u202e設建", id="right-to-left override"),
    pytest.param("水谷\u2066建設\u2069", id="isolate"),
    pytest.param("水谷\u200f建設", id="right-to-left mark"),
]
ACCEPTED = ["水谷建設", "ABC 株式会社", "Ｓｍｉｔｈ & Co.", "O'Brien (東京)", "café 🍵"]
MESSAGE = "改行や制御文字、見えない文字（ゼロ幅文字・書字方向の制御文字）は使えません。"


@pytest.mark.parametrize("value", REFUSED)
def test_the_validator_refuses(value):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(value)

    assert refused.value.messages == [MESSAGE]


@pytest.mark.parametrize("value", ACCEPTED)
def test_the_validator_accepts_ordinary_text(value):
    validate_single_line(value)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (CompanyInfo, "group_name"),
        (CompanyInfo, "company_name"),
        (Partner, "name"),
        (Partner, "region"),
        (Partner, "contact_url"),
        (User, "name"),
        (ApiToken, "name"),
    ],
)
def test_every_single_line_field_carries_the_validator(model, field):
    assert validate_single_line in model._meta.get_field(field).validators


@pytest.mark.parametrize("value", REFUSED)
def test_company_info_refuses_it_and_writes_nothing(login, super_admin, value):
    client = login(super_admin)
    form = {
        "group_name": value,
        "company_name": "水谷建設",
        "phone": "0312345678",
        "language": "ja_JP",
        "time_zone": "Asia/Tokyo",
        "receive_notices": "True",
        "notice_recipients": "ADMINS",
    }

    with nothing_written():
        response = client.post("/console/settings/company/", form)

    assert response.status_code == 200
    assert response.context["form"].errors == {"group_name": [MESSAGE]}


def test_the_api_token_page_refuses_it(login, staff):
    client = login(staff)

    with nothing_written():
        response = client.post("/partner/tokens/", {"name": "基幹\nシステム"})

    assert response.context["form"].errors == {"name": [MESSAGE]}


def test_ops_refuses_it_in_a_partners_name(client):
    client.force_login(UserFactory(operator=True))

    with nothing_written():
        response = client.post(
            "/ops/accounts/partner/add/",
            {"name": "ABC\u202e 株式会社", "handled_apps": "[]", "is_active": "on"},
        )

    assert response.status_code == 200
    assert MESSAGE in response.text
