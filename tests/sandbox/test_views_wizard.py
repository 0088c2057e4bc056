"""The reset button on a sandbox tenant's wizard, for its super admin, with a confirmation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, User
from partners.models import PartnerContract
from sandbox import errors
from tests.factories import UserFactory
from tests.support import nothing_written

from .walk import MIZL, signed_in, walk_switch, wizard_step

pytestmark = pytest.mark.django_db

WIZARD = "/console/partner/contract/"
RESET = "/console/sandbox/reset/"


def test_the_super_admin_of_a_sandbox_tenant_is_offered_the_reset(demo, signed_in_as):
    page = signed_in_as(demo["mizl_admin"]).get(WIZARD).text

    assert (
        f'<form method="get" action="{RESET}" data-confirm-dialog="sandbox-reset-dialog">' in page
    )
    assert '<dialog id="sandbox-reset-dialog"' in page
    assert f'<form method="post" action="{RESET}">' in page


def test_its_read_only_admin_is_not(demo, signed_in_as):
    viewer = User.objects.get(email="viewer@mizl.example")

    assert RESET not in signed_in_as(viewer).get(WIZARD).text


def test_the_super_admin_of_a_tenant_that_is_not_a_sandbox_is_not(signed_in_as, super_admin):
    assert RESET not in signed_in_as(super_admin).get(WIZARD).text


def test_the_button_costs_the_wizard_no_query(demo, signed_in_as):
    """The flag comes with the signed-in user's group, as the rest of the tenant does."""
    counts = []
    for user in (demo["mizl_admin"], UserFactory()):
        browser = signed_in_as(user)
        with CaptureQueriesContext(connection) as queries:
            browser.get(WIZARD)
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_without_javascript_the_button_opens_a_confirmation_page(demo, signed_in_as):
    browser = signed_in_as(demo["mizl_admin"])

    with nothing_written():
        page = browser.get(RESET)

    assert page.status_code == 200
    assert "ワークスグループを最初の状態に戻しますが、よろしいですか？" in page.text
    assert f'href="{WIZARD}"' in page.text  # キャンセル


def test_ok_resets_and_returns_to_step_1_still_signed_in(demo):
    _contract, browser = walk_switch(**MIZL)

    response = browser.post(RESET, follow=True)

    assert response.redirect_chain == [(WIZARD, 302)]
    assert "ワークスグループを最初の状態に戻しました。" in response.text
    assert 'data-step="1"' in response.text
    assert not PartnerContract.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.SANDBOX_RESET)
    assert (event.actor.email, event.details["via"]) == ("admin@mizl.example", "console")
    assert wizard_step(signed_in(*MIZL["admin"])) == 1


def test_a_tenant_that_is_not_a_sandbox_has_no_confirmation_page(signed_in_as, super_admin):
    assert signed_in_as(super_admin).get(RESET).status_code == 404


def test_a_tenant_that_is_not_a_sandbox_is_refused_with_the_reason(signed_in_as, super_admin):
    browser = signed_in_as(super_admin)

    with nothing_written():
        response = browser.post(RESET, follow=True)

    assert response.redirect_chain == [(WIZARD, 302)]
    assert str(errors.NOT_SANDBOX) in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_read_only_admin_may_not_reset(demo, signed_in_as, method):
    browser = signed_in_as(User.objects.get(email="viewer@mizl.example"))

    with nothing_written():
        assert getattr(browser, method)(RESET).status_code == 403


def test_partner_staff_and_operators_have_no_console_reset(signed_in_as, staff):
    for user in (staff, UserFactory(operator=True)):
        assert signed_in_as(user).post(RESET).status_code == 403
