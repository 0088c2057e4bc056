"""The partner console: 顧客の取り込み (verify a customer's code) and the customers list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import AuditEvent
from partners import errors, services
from partners.models import PartnerCode
from tests.factories import PartnerCodeFactory, UserFactory, WorksGroupFactory

from .flow import nothing_written

pytestmark = pytest.mark.django_db

IMPORT = "/partner/customers/import/"
CUSTOMERS = "/partner/"
A_WRONG_CODE = "ERVABCDEFGHJKMNPQLZ2"


@pytest.fixture
def as_staff(login, staff):
    return login(staff)


def code_states(group) -> list[str]:
    return list(PartnerCode.objects.filter(works_group=group).values_list("status", flat=True))


# -- 顧客の取り込み ------------------------------------------------------------------------


def test_import_page_asks_for_the_group_and_the_code(as_staff):
    response = as_staff.get(IMPORT)

    assertContains(response, "ドメイン又はグループ名")
    assertContains(response, "パートナーコード")
    assertContains(response, 'name="preview"')


def test_wrong_pair_gets_its_own_message(as_staff, open_code):
    response = as_staff.post(IMPORT, {"domain": "mizl", "code": A_WRONG_CODE, "preview": "1"})

    assertContains(response, errors.WRONG_PAIR)
    assert code_states(open_code.works_group) == ["ISSUED"]


def test_unknown_group_gets_the_same_message_as_a_wrong_code(as_staff):
    known = WorksGroupFactory(domain="kaisha")
    PartnerCodeFactory(works_group=known)

    unknown = as_staff.post(IMPORT, {"domain": "nosuch", "code": A_WRONG_CODE})
    wrong = as_staff.post(IMPORT, {"domain": "kaisha", "code": A_WRONG_CODE})

    assert unknown.context["form"].non_field_errors() == [errors.WRONG_PAIR]
    assert wrong.context["form"].non_field_errors() == [errors.WRONG_PAIR]
    assert unknown.status_code == wrong.status_code


def test_expired_code_gets_its_own_message(as_staff, group, super_admin):
    expired = PartnerCodeFactory(works_group=group, issued_by=super_admin, expired=True)

    response = as_staff.post(IMPORT, {"domain": "mizl", "code": expired.code})

    assertContains(response, errors.CODE_EXPIRED)


def test_cancelled_code_gets_its_own_message(as_staff, open_code, super_admin):
    services.code_cancel(works_group=open_code.works_group, by=super_admin)

    response = as_staff.post(IMPORT, {"domain": "mizl", "code": open_code.code})

    assertContains(response, errors.CODE_CANCELLED)


def test_already_used_code_gets_its_own_message(login, pending_code, other_staff):
    response = login(other_staff).post(
        IMPORT, {"domain": "mizl", "code": pending_code.code, "confirm": "1"}
    )

    assertContains(response, errors.CODE_ALREADY_USED)
    pending_code.refresh_from_db()
    assert pending_code.verified_partner.name == "ABC 株式会社"


def test_code_meant_for_another_partner_gets_its_own_message(
    as_staff, group, super_admin, other_partner
):
    bound = services.code_issue(works_group=group, by=super_admin, intended_partner=other_partner)

    response = as_staff.post(IMPORT, {"domain": "mizl", "code": bound.code, "confirm": "1"})

    assertContains(response, errors.OTHER_PARTNER)
    assert code_states(group) == ["ISSUED"]


def test_malformed_code_is_a_field_error(as_staff, open_code):
    with nothing_written():
        response = as_staff.post(IMPORT, {"domain": "mizl", "code": "ERV-0001"})

    assert response.context["form"].errors == {"code": [errors.MALFORMED_CODE]}
    assertContains(response, 'class="field-error"')


def test_preview_shows_who_the_customer_is(as_staff, open_code):
    typed = "-".join(open_code.code[i : i + 5] for i in range(0, 20, 5)).lower()

    with nothing_written():
        response = as_staff.post(IMPORT, {"domain": "MIZL", "code": typed, "preview": "1"})

    for shown in ("水谷建設", "水谷", "mizl", "スタンダード", "<dd>25</dd>", "<dd>Drive</dd>"):
        assertContains(response, shown)
    assertContains(response, "お客様にパートナーのプロフィールを表示する")
    assertContains(response, 'name="show_profile"')
    assertContains(response, 'name="confirm"')


def test_preview_names_the_apps_the_partner_does_not_handle_as_people_read_them(
    as_staff, group, partner, open_code
):
    group.apps = ["talk", "calendar", "drive", "mail", "survey"]
    group.save()
    partner.handled_apps = ["talk"]
    partner.save()

    response = as_staff.post(IMPORT, {"domain": "mizl", "code": open_code.code, "preview": "1"})

    assertContains(response, "<dd>カレンダー、Drive、メール、アンケート</dd>")
    assertNotContains(response, "calendar")


def test_preview_offers_the_profile_checkbox_ticked(as_staff, open_code):
    response = as_staff.post(IMPORT, {"domain": "mizl", "code": open_code.code, "preview": "1"})

    checkbox = response.context["form"]["show_profile"]
    assert checkbox.value() is True
    assert "checked" in str(checkbox)


def test_confirming_verifies_the_code_and_returns_to_the_customers_list(as_staff, open_code, staff):
    response = as_staff.post(
        IMPORT,
        {"domain": "mizl", "code": open_code.code, "show_profile": "on", "confirm": "1"},
        follow=True,
    )

    assertRedirects(response, CUSTOMERS)
    assertContains(response, "コード認証が完了しました。お客様の承認をお待ちください。")
    open_code.refresh_from_db()
    assert open_code.status == PartnerCode.Status.VERIFIED
    assert (open_code.verified_by, open_code.show_partner_profile) == (staff, True)


def test_unticked_checkbox_keeps_the_partner_profile_hidden(as_staff, open_code):
    as_staff.post(IMPORT, {"domain": "mizl", "code": open_code.code, "confirm": "1"})

    open_code.refresh_from_db()
    assert open_code.status == PartnerCode.Status.VERIFIED
    assert open_code.show_partner_profile is False


def test_too_many_failures_are_answered_with_429_and_retry_after(settings, as_staff, open_code):
    settings.VERIFY_RATE_LIMIT = 2
    for _ in range(2):
        as_staff.post(IMPORT, {"domain": "mizl", "code": A_WRONG_CODE})

    with nothing_written():
        response = as_staff.post(IMPORT, {"domain": "mizl", "code": open_code.code})

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.VERIFY_RATE_WINDOW_SECONDS + 1
    assertContains(
        response, "コード認証の失敗が続いたため、一時的に制限しています。", status_code=429
    )


def test_rate_limit_counts_failures_from_one_address_across_staff(
    settings, login, partner, open_code
):
    settings.VERIFY_RATE_LIMIT = 2
    for colleague in UserFactory.create_batch(2, staff=True, partner=partner):
        login(colleague).post(
            IMPORT, {"domain": "mizl", "code": A_WRONG_CODE}, REMOTE_ADDR="198.51.100.7"
        )

    newcomer = login(UserFactory(staff=True, partner=partner))
    blocked = newcomer.post(
        IMPORT, {"domain": "mizl", "code": open_code.code}, REMOTE_ADDR="198.51.100.7"
    )
    elsewhere = newcomer.post(
        IMPORT, {"domain": "mizl", "code": open_code.code}, REMOTE_ADDR="198.51.100.8"
    )

    assert (blocked.status_code, elsewhere.status_code) == (429, 200)


def test_failed_attempts_on_the_page_are_audited(as_staff, staff, open_code):
    as_staff.post(IMPORT, {"domain": "mizl", "code": A_WRONG_CODE})

    event = AuditEvent.objects.get(action=AuditEvent.Action.VERIFICATION_FAILED)
    assert (event.actor, event.works_group) == (staff, None)


@pytest.mark.parametrize("role", ["super_admin", "admin"])
def test_customer_users_cannot_open_the_partner_console(request, login, role):
    client = login(request.getfixturevalue(role))

    assert client.get(IMPORT).status_code == 403
    assert client.get(CUSTOMERS).status_code == 403


# -- 顧客一覧 ------------------------------------------------------------------------------


def verified_for(partner, staff, domain: str, company: str, **kwargs) -> PartnerCode:
    group = WorksGroupFactory(domain=domain, company_info__company_name=company)
    return PartnerCodeFactory(
        works_group=group, verified=True, verified_partner=partner, verified_by=staff, **kwargs
    )


def test_customers_list_shows_this_partners_customers_with_their_status(
    as_staff, partner, staff, other_partner, other_staff
):
    verified_for(partner, staff, "pending", "承認待ち商事")
    verified_for(partner, staff, "done", "完了商事", status=PartnerCode.Status.USED)
    verified_for(
        partner,
        staff,
        "declined",
        "拒否商事",
        status=PartnerCode.Status.CANCELLED,
        cancel_reason=PartnerCode.CancelReason.DECLINED,
    )
    verified_for(
        partner,
        staff,
        "lapsed",
        "期限切れ商事",
        verified_at=timezone.now() - timedelta(days=31),
    )
    verified_for(other_partner, other_staff, "others", "他社の顧客")

    response = as_staff.get(CUSTOMERS)

    statuses = {row["domain"]: row["status"] for row in response.context["rows"]}
    assert statuses == {
        "pending": "VERIFIED",
        "done": "USED",
        "declined": "CANCELLED",
        "lapsed": "LAPSED",
    }
    for shown in ("承認待ち", "契約完了", "お客様が拒否", "承認期限切れ", "完了商事"):
        assertContains(response, shown)
    assertNotContains(response, "他社の顧客")


def test_customers_list_shows_statuses_in_the_staff_members_language_at_once(
    as_staff, partner, staff
):
    """The labels are translated once per language and kept: a language change shows on the
    very next page, and switching back shows the first language's again."""
    verified_for(partner, staff, "pending", "承認待ち商事")
    assertContains(as_staff.get(CUSTOMERS), '<span class="status status-verified">承認待ち</span>')

    staff.language = "en"
    staff.save(update_fields=["language"])
    english = as_staff.get(CUSTOMERS)
    staff.language = "ja"
    staff.save(update_fields=["language"])
    japanese = as_staff.get(CUSTOMERS)

    assertContains(english, "Awaiting approval")
    assertNotContains(english, ">承認待ち<")
    assertContains(japanese, ">承認待ち<")
    assertNotContains(japanese, "Awaiting approval")


def test_customers_list_is_searchable(as_staff, partner, staff):
    verified_for(partner, staff, "mizl", "水谷建設")
    verified_for(partner, staff, "kaisha", "株式会社カイシャ")

    by_name = as_staff.get(CUSTOMERS, {"q": "水谷"})
    by_domain = as_staff.get(CUSTOMERS, {"q": "kaisha"})

    assert [row["domain"] for row in by_name.context["rows"]] == ["mizl"]
    assert [row["domain"] for row in by_domain.context["rows"]] == ["kaisha"]


def test_customers_list_shows_25_per_page(as_staff, partner, staff):
    start = timezone.now() - timedelta(hours=1)
    for n in range(26):
        verified_for(
            partner, staff, f"c{n:02d}", f"顧客{n:02d}", verified_at=start + timedelta(minutes=n)
        )

    first = as_staff.get(CUSTOMERS)
    second = as_staff.get(CUSTOMERS, {"page": 2})

    assert len(first.context["rows"]) == 25
    assert first.context["rows"][0]["domain"] == "c25"  # newest first
    assert [row["domain"] for row in second.context["rows"]] == ["c00"]
    assertContains(first, "?page=2")


def test_the_code_is_hidden_from_error_reports(as_staff, open_code):
    response = as_staff.post(IMPORT, {"domain": "mizl", "code": open_code.code})

    assert response.wsgi_request.sensitive_post_parameters == ("code",)
