"""The partner console's テスト顧客: create (the password shown once), list, reset, delete."""

import re

import pytest

from accounts.models import User
from partners.models import PartnerCode
from sandbox.models import SandboxCustomer
from tests.factories import UserFactory
from tests.partners.flow import verify
from tests.support import nothing_written

from .conftest import create

pytestmark = pytest.mark.django_db

PAGE = "/partner/sandbox/"


SHOWN_ONCE = re.compile(r'id="sandbox-(admin-email|admin-password|partner-code)"[^>]*>([^<]+)<')


def _created_panel(html: str) -> dict:
    """What the page shows once: the admin's e-mail and password, the code."""
    return dict(SHOWN_ONCE.findall(html))


def test_the_menu_offers_the_sandbox_customers(login, staff):
    page = login(staff).get("/partner/").text

    assert f'href="{PAGE}"' in page
    assert "テスト顧客" in page


def test_creating_shows_the_log_in_and_the_code_once(login, staff):
    browser = login(staff)

    response = browser.post(PAGE, {"plan": "STANDARD", "seats": "25", "issue_code": "on"})

    assert response.status_code == 200
    shown = _created_panel(response.text)
    customer = SandboxCustomer.objects.get()
    group = customer.works_group
    assert (group.plan, group.seats) == ("STANDARD", 25)
    assert shown["admin-email"] == customer.admin_email
    assert User.objects.get(email=customer.admin_email).check_password(shown["admin-password"])
    assert shown["partner-code"] == PartnerCode.objects.get(works_group=group).code
    again = browser.get(PAGE).text
    assert shown["admin-password"] not in again
    assert shown["partner-code"] not in again
    assert group.domain in again


def test_the_form_starts_at_free_ten_seats_and_a_code(login, staff):
    page = login(staff).get(PAGE).text

    assert re.search(r'<option value="FREE" selected>', page)
    assert 'name="seats" value="10"' in page
    assert re.search(r'name="issue_code"[^>]*checked', page)


def test_unchecking_the_code_creates_a_customer_without_one(login, staff):
    response = login(staff).post(PAGE, {"plan": "FREE", "seats": "10"})

    assert "partner-code" not in _created_panel(response.text)
    assert not PartnerCode.objects.exists()


@pytest.mark.parametrize("seats", ["0", "10000", "many", ""])
def test_bad_seats_are_a_form_error_and_nothing_is_made(login, staff, seats):
    browser = login(staff)
    with nothing_written():
        response = browser.post(PAGE, {"plan": "FREE", "seats": seats, "issue_code": "on"})

    assert response.status_code == 200
    assert 'class="field-error"' in response.text


def test_at_the_limit_the_page_answers_409_with_the_reason(login, staff, settings):
    settings.SANDBOX_CUSTOMER_LIMIT = 1
    create(staff)

    browser = login(staff)
    with nothing_written():
        response = browser.post(PAGE, {"plan": "FREE", "seats": "10", "issue_code": "on"})

    assert response.status_code == 409
    assert "テスト顧客は1パートナーあたり1件までです。" in response.text


def test_the_list_shows_the_partners_own_customers_and_their_step(login, staff, other_staff):
    mine = create(staff)
    verify(staff, code=mine.code, now=None)
    theirs = create(other_staff)

    page = login(staff).get(PAGE).text

    assert mine.customer.works_group.domain in page
    assert "3. 前日までの料金精算とパートナー確認" in page
    assert theirs.customer.works_group.domain not in page
    assert mine.code.code not in page  # a code is shown once, never in the list


@pytest.mark.parametrize("action", ["reset", "delete"])
def test_another_partners_customer_is_a_404_and_untouched(login, other_staff, created, action):
    url = f"{PAGE}{created.customer.works_group.domain}/{action}/"
    browser = login(other_staff)

    with nothing_written():
        assert browser.get(url).status_code == 404
        assert browser.post(url).status_code == 404


@pytest.mark.parametrize("action", ["reset", "delete"])
def test_without_javascript_the_confirmation_is_a_page(login, staff, created, action):
    url = f"{PAGE}{created.customer.works_group.domain}/{action}/"

    browser = login(staff)
    with nothing_written():
        page = browser.get(url)

    assert page.status_code == 200
    assert "よろしいですか？" in page.text
    assert re.search(r'<form method="post"', page.text)


def test_reset_shows_the_fresh_code_once(login, staff, created):
    verify(staff, code=created.code, now=None)
    browser = login(staff)

    response = browser.post(f"{PAGE}{created.customer.works_group.domain}/reset/")

    fresh = PartnerCode.objects.get(works_group=created.customer.works_group)
    assert fresh.status == PartnerCode.Status.ISSUED and fresh.code != created.code.code
    assert _created_panel(response.text) == {"partner-code": fresh.code}
    assert fresh.code not in browser.get(PAGE).text


def test_delete_removes_it_from_the_list(login, staff, created):
    browser = login(staff)
    domain = created.customer.works_group.domain

    response = browser.post(f"{PAGE}{domain}/delete/", follow=True)

    assert f"テスト顧客「{domain}」を削除しました。" in response.text
    assert not SandboxCustomer.objects.exists()


def test_the_rows_buttons_open_one_modal_that_posts_to_the_rows_url(login, staff, created):
    page = login(staff).get(PAGE).text
    domain = created.customer.works_group.domain

    assert f'data-confirm-post="{PAGE}{domain}/reset/"' in page
    assert f'data-confirm-post="{PAGE}{domain}/delete/"' in page
    assert '<dialog id="sandbox-confirm"' in page


@pytest.mark.parametrize("operator", [False, True], ids=["super_admin", "operator"])
def test_only_partner_staff_open_the_page(login, super_admin, operator):
    user = UserFactory(operator=True) if operator else super_admin

    assert login(user).get(PAGE).status_code == 403
