"""The company-info gate before 承認 and its 管理者のメールアドレス (issue 16, item 7).

The e-mail is the super admin's log-in: changing it asks for the current password (checked
under the log-in limits), never reveals whether an address has an account on the platform,
never fails with an error page, and is recorded old → new, masked, in 監査.
"""

import pytest
from django.contrib.auth import get_user
from django.test import Client

from accounts.models import AuditEvent, User
from tests.factories import PASSWORD
from tests.support import nothing_written

pytestmark = pytest.mark.django_db

COMPANY = "/console/partner/contract/company/"
CONFIRM = "/console/partner/contract/confirm/"
PASSWORD_NEEDED = "管理者のメールアドレスを変更するには、現在のパスワードを入力してください。"
WRONG_PASSWORD = "現在のパスワードが正しくありません。"
UNAVAILABLE = "このメールアドレスは使用できません。別のメールアドレスを入力してください。"


@pytest.fixture
def gate(login, super_admin, pending_code, group):
    info = group.company_info
    info.group_name = ""
    info.phone = ""
    info.save()
    return login(super_admin)


def _form(email, **extra):
    return {
        "group_name": "水谷",
        "company_name": "水谷建設",
        "phone": "03-1234-5678",
        "admin_email": email,
        **extra,
    }


def _errors(response) -> dict:
    return {field: list(errors) for field, errors in response.context["form"].errors.items()}


def test_an_overlong_email_is_a_form_error_not_an_error_page(gate):
    overlong = "a" * 250 + "@mizl.example"  # 264 characters; the column holds 254

    with nothing_written():
        response = gate.post(COMPANY, _form(overlong, current_password=PASSWORD))

    assert response.status_code == 200
    assert list(_errors(response)) == ["admin_email"]


def test_keeping_the_email_needs_no_password(gate, super_admin):
    response = gate.post(COMPANY, _form(super_admin.email.upper()))

    assert response.status_code == 302
    assert response.url == CONFIRM


def test_changing_the_email_needs_the_current_password(gate, super_admin):
    with nothing_written():
        response = gate.post(COMPANY, _form("owner@mizl.example"))

    assert _errors(response) == {"current_password": [PASSWORD_NEEDED]}


def test_a_wrong_password_changes_nothing_and_is_audited(gate, super_admin):
    with nothing_written(ignore=("accounts.AuditEvent",)):
        response = gate.post(COMPANY, _form("owner@mizl.example", current_password="wrong"))

    assert _errors(response) == {"__all__": [WRONG_PASSWORD]}
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADMIN_EMAIL_CHANGE_REFUSED)
    assert event.works_group == super_admin.works_group
    assert event.details["reason"] == "wrong_password"


def test_the_email_of_another_account_gets_a_neutral_refusal(gate, staff):
    with nothing_written(ignore=("accounts.AuditEvent",)):
        response = gate.post(COMPANY, _form(staff.email, current_password=PASSWORD))

    assert _errors(response) == {"__all__": [UNAVAILABLE]}
    assert "別のアカウント" not in response.text


def test_without_the_password_a_taken_and_a_free_email_read_the_same(gate, staff):
    taken = gate.post(COMPANY, _form(staff.email))
    free = gate.post(COMPANY, _form("nobody-yet@example.com"))

    assert _errors(taken) == _errors(free) == {"current_password": [PASSWORD_NEEDED]}


def test_the_change_is_saved_and_audited_old_to_new_masked(gate, super_admin):
    old = super_admin.email

    response = gate.post(COMPANY, _form("Owner@Mizl.example", current_password=PASSWORD))

    assert response.status_code == 302
    super_admin.refresh_from_db()
    assert super_admin.email == "owner@mizl.example"
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMPANY_INFO_UPDATED)
    assert event.details["changed"] == ["admin_email", "group_name", "phone"]
    assert event.details["admin_email"] == f"{old[:2]}…@{old.split('@')[1]} → ow…@mizl.example"
    assert old not in str(event.details) and "owner@mizl.example" not in str(event.details)


def test_the_change_keeps_the_super_admin_signed_in(gate, super_admin):
    gate.post(COMPANY, _form("owner@mizl.example", current_password=PASSWORD))

    assert get_user(gate).pk == super_admin.pk


def test_wrong_passwords_on_the_gate_count_against_the_log_in_limit(gate, super_admin):
    for _attempt in range(10):
        gate.post(COMPANY, _form("owner@mizl.example", current_password="wrong"))

    refused = gate.post(COMPANY, _form("owner@mizl.example", current_password=PASSWORD))

    assert "ログインの失敗が続いたため" in str(_errors(refused))
    assert User.objects.get(pk=super_admin.pk).email == super_admin.email
    log_in = Client().post("/login/", {"username": super_admin.email, "password": PASSWORD})
    assert log_in.status_code == 429
