"""パートナー > パートナーとの契約: the four-step wizard as the customer's admins see it."""

import re

import pytest
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import AuditEvent, Channel
from accounts.services import NOT_SUPER_ADMIN
from partners import errors, selectors, services
from partners.models import PartnerCode, PartnerContract
from tests.factories import (
    PASSWORD,
    PartnerCodeFactory,
    PartnerContractFactory,
    PartnerFactory,
    UserFactory,
)

from .flow import COMPLETED_AT, needs_english, nothing_written

pytestmark = pytest.mark.django_db

CONTRACT = "/console/partner/contract/"
STATUS = "/console/partner/contract/status/"
COMPANY = "/console/partner/contract/company/"
CONFIRM = "/console/partner/contract/confirm/"
SEARCH = "/console/partner/search/"
ACTIONS = ["issue", "reissue", "cancel", "decline", "approve", "complete"]

STEP_LABELS = [
    "パートナーコード発行",
    "パートナーコードの認証待ち",
    "前日までの料金精算とパートナー確認",
    "パートナー契約への切り替え完了",
]
NOTES = [
    '契約可能なパートナーの情報は、「<a href="/console/partner/search/">'
    "セールス&amp;サポート/パートナーのご紹介</a>」から確認できます。",
    "現在フリープランで利用中の環境は、パートナー契約への切り替え後もそのまま利用できます。",
]
CONFIRM_QUESTION = "パートナー契約への切り替えを完了しますが、よろしいですか？"


def action(name: str) -> str:
    return f"{CONTRACT}{name}/"


def current_step(response) -> int:
    """The step the page is at, checked against the one it highlights for screen readers."""
    highlighted = re.search(
        r'aria-current="step"[^>]*>.*?class="step-number">(\d)<', response.content.decode(), re.S
    )
    assert int(highlighted[1]) == response.context["state"].step
    return response.context["state"].step


def button(response, label: str) -> str:
    """The opening tag of the submit button labelled `label`."""
    [tag] = re.findall(rf"(<button[^>]*>){re.escape(label)}</button>", response.content.decode())
    return tag


@pytest.fixture
def contract(group, super_admin, partner, staff):
    return PartnerContractFactory(
        code__works_group=group,
        code__issued_by=super_admin,
        code__verified_partner=partner,
        code__verified_by=staff,
        completed_at=COMPLETED_AT,
    )


@pytest.fixture
def as_super_admin(login, super_admin):
    return login(super_admin)


@pytest.fixture
def incomplete_info(group):
    """As in the seed's screen 5: 企業/団体名 filled in, ワークスグループ名 and 電話番号 empty."""
    info = group.company_info
    info.group_name = ""
    info.phone = ""
    info.save()
    return info


# -- every step --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "step"),
    [(None, 1), ("open_code", 2), ("pending_code", 3), ("contract", 4)],
)
def test_every_step_shows_the_stepper_and_the_two_notes(request, as_super_admin, state, step):
    if state:
        request.getfixturevalue(state)

    response = as_super_admin.get(CONTRACT)

    assert current_step(response) == step
    for text in [*STEP_LABELS, *NOTES, "パートナーとの契約"]:
        assertContains(response, text)
    assert response["Cache-Control"].startswith("max-age=0")


def test_step_one_asks_for_a_code_and_offers_partner_search(as_super_admin):
    response = as_super_admin.get(CONTRACT)

    assertContains(response, "パートナー経由での契約へ切り替える際に必要な情報を確認・表示します。")
    assertContains(response, "最初にパートナーコードを発行してください。")
    assert "disabled" not in button(response, "コード発行")
    assertContains(response, f'<a class="button" href="{SEARCH}">パートナー検索</a>', html=True)


def test_issuing_a_code_moves_to_step_two(as_super_admin, group):
    response = as_super_admin.post(action("issue"), follow=True)

    code = PartnerCode.objects.get(works_group=group)
    assert current_step(response) == 2
    assertContains(
        response, "契約するパートナーに以下のコードを伝え、コード認証を依頼してください。"
    )
    assertContains(response, "コード番号")
    assertContains(response, f'<strong id="partner-code" class="partner-code">{code.code}</strong>')
    assertContains(response, "有効期間")
    assertContains(response, f"<strong>{code.valid_until():%Y.%m.%d}</strong>まで")
    assertContains(
        response,
        "パートナーがコード番号の認証を行った時点で、"
        "有効期間に関わらず上記コード番号の再利用はできなくなります。",
    )


def test_step_two_polls_for_the_verification(as_super_admin, open_code):
    response = as_super_admin.get(CONTRACT)

    assertContains(response, f'data-poll-url="{STATUS}"')
    assertContains(response, 'data-copy-target="partner-code"')


def test_step_two_shows_the_domain_to_tell_the_partner_beside_the_code(as_super_admin, open_code):
    response = as_super_admin.get(CONTRACT)

    content = response.content.decode()
    domain = content.index('<strong id="group-domain" class="partner-code">mizl</strong>')
    assert domain < content.index(
        f'<strong id="partner-code" class="partner-code">{open_code.code}'
    )
    assertContains(response, "ドメイン又はグループ名")
    assertContains(response, 'data-copy-target="group-domain"')
    assertContains(response, 'aria-label="ドメイン又はグループ名をコピー"')
    assertContains(response, 'aria-label="コード番号をコピー"')


def test_step_two_copies_domain_and_code_together_as_a_message(as_super_admin, open_code):
    response = as_super_admin.get(CONTRACT)

    assertContains(response, 'data-copy-target="partner-message"')
    [message] = re.findall(
        r'<div id="partner-message" hidden>(.*?)</div>', response.content.decode(), re.S
    )
    assert message.split() == [
        "パートナーコードの認証をお願いします。",
        "ドメイン又はグループ名：mizl",
        f"コード番号：{open_code.code}",
        f"有効期間：{open_code.valid_until():%Y.%m.%d}まで",
    ]


def test_step_two_shows_approve_disabled_until_a_partner_verifies(as_super_admin, open_code):
    response = as_super_admin.get(CONTRACT)

    tag = button(response, "承認")
    assert "disabled" in tag
    assert 'aria-describedby="approve-hint"' in tag
    assertContains(
        response,
        '<p id="approve-hint" class="help">'
        "コード認証が完了すると「承認」ボタンが押せるようになります。</p>",
        html=True,
    )


def test_step_three_names_the_partner_and_shows_the_settlement(as_super_admin, group, pending_code):
    response = as_super_admin.get(CONTRACT)

    assertContains(response, "“ABC 株式会社”によるコード認証が完了しました。")
    assertContains(response, "完了するには「承認」を押してください。")
    assert "disabled" not in button(response, "承認")
    settlement = selectors.settlement_get(works_group=group, now=timezone.now())
    assertContains(response, "前日までの料金精算")
    assertContains(response, f"<dd>{settlement.seats}</dd>")
    assertContains(response, f'<dd class="total">{settlement.total:,}円</dd>')


def test_step_three_shows_the_partner_profile_when_the_partner_chose_to(
    as_super_admin, pending_code, partner
):
    response = as_super_admin.get(CONTRACT)

    assertContains(response, partner.description)
    assertContains(response, partner.contact_url)


def test_step_three_hides_the_partner_profile_when_the_partner_chose_to(
    as_super_admin, pending_code, partner
):
    pending_code.show_partner_profile = False
    pending_code.save()

    assertNotContains(as_super_admin.get(CONTRACT), partner.description)


def test_step_four_shows_the_partner_and_the_completion_time(as_super_admin, contract):
    response = as_super_admin.get(CONTRACT)

    assertContains(response, "パートナー「ABC 株式会社」との契約への切り替えが完了しました。")
    assertContains(response, "<dd>ABC 株式会社</dd>")
    assertContains(response, "<dd>2023-03-14 22:22:41</dd>")
    assertNotContains(response, f'action="{CONTRACT}')


def test_step_four_shows_the_completion_time_in_the_group_time_zone(as_super_admin, contract):
    info = contract.works_group.company_info
    info.time_zone = "America/Los_Angeles"
    info.save()

    assertContains(as_super_admin.get(CONTRACT), "<dd>2023-03-14 06:22:41</dd>")


@pytest.mark.parametrize(
    ("state", "step"),
    [(None, 1), ("open_code", 2), ("pending_code", 3), ("contract", 4)],
)
def test_status_reports_the_current_step_as_json(request, as_super_admin, state, step):
    if state:
        request.getfixturevalue(state)

    response = as_super_admin.get(STATUS)

    assert response.json() == {"step": step}


def test_status_moves_to_step_three_when_a_partner_verifies(as_super_admin, open_code, staff):
    assert as_super_admin.get(STATUS).json() == {"step": 2}

    services.code_verify(
        partner=staff.partner,
        staff=staff,
        domain="mizl",
        raw_code=open_code.code,
        show_profile=False,
    )

    assert as_super_admin.get(STATUS).json() == {"step": 3}


def test_step_one_explains_that_the_last_code_expired(as_super_admin, group, super_admin):
    expired = PartnerCodeFactory(works_group=group, issued_by=super_admin, expired=True)

    response = as_super_admin.get(CONTRACT)

    assert current_step(response) == 1
    assertContains(response, f"前回のパートナーコード（{expired.masked}）は有効期間が過ぎました。")


@needs_english
def test_english_group_sees_the_wizard_in_english(as_super_admin, english, pending_code):
    response = as_super_admin.get(CONTRACT)

    assertContains(response, "“ABC 株式会社” has verified the code.")
    assertContains(response, "Issue partner code")
    assert button(response, "Approve")
    assertNotContains(response, "によるコード認証が完了しました。")


@needs_english
def test_english_group_reads_refusals_in_english(as_super_admin, english, open_code):
    response = as_super_admin.post(action("issue"), follow=True)

    with translation.override("en"):
        assertContains(response, errors.CODE_ALREADY_OPEN)
    with translation.override("ja"):
        assertNotContains(response, errors.CODE_ALREADY_OPEN)


# -- who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_accept_only_post(as_super_admin, name):
    assert as_super_admin.get(action(name)).status_code == 405


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("issue", None),
        ("reissue", "open_code"),
        ("cancel", "open_code"),
        ("decline", "pending_code"),
        ("approve", "pending_code"),
        ("complete", "pending_code"),
    ],
)
def test_admin_posts_are_forbidden_and_write_nothing(request, login, admin, name, state):
    if state:
        request.getfixturevalue(state)
    client = login(admin)

    with nothing_written():
        response = client.post(action(name))

    assert response.status_code == 403


@pytest.mark.parametrize("url", [COMPANY, CONFIRM])
def test_admin_cannot_open_the_company_gate_or_the_confirmation(login, admin, pending_code, url):
    assert login(admin).get(url).status_code == 403


@pytest.mark.parametrize(
    ("state", "label"),
    [(None, "コード発行"), ("open_code", "コード再発行"), ("pending_code", "承認")],
)
def test_admin_sees_every_step_read_only(request, login, admin, state, label):
    if state:
        request.getfixturevalue(state)

    response = login(admin).get(CONTRACT)

    assert "disabled" in button(response, label)
    assertContains(response, NOT_SUPER_ADMIN)
    assertNotContains(response, CONFIRM_QUESTION)


def test_partner_staff_cannot_open_the_wizard(login, staff):
    assert login(staff).get(CONTRACT).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client):
    assertRedirects(client.get(CONTRACT), f"/login/?next={CONTRACT}", fetch_redirect_response=False)


def test_another_group_never_sees_this_groups_code(login, open_code):
    stranger = UserFactory()

    response = login(stranger).get(CONTRACT)

    assert current_step(response) == 1
    assertNotContains(response, open_code.code)


# -- issue, re-issue, cancel, decline ----------------------------------------------------


def test_second_issue_shows_why_it_was_refused(as_super_admin, open_code):
    with nothing_written():
        response = as_super_admin.post(action("issue"), follow=True)

    assertContains(response, errors.CODE_ALREADY_OPEN)


def test_reissue_replaces_the_code_on_the_page(as_super_admin, open_code):
    response = as_super_admin.post(action("reissue"), follow=True)

    new = PartnerCode.objects.get(status=PartnerCode.Status.ISSUED)
    assert new != open_code
    assertContains(response, "パートナーコードを再発行しました。以前のコードは使えません。")
    assertContains(response, new.code)
    assertNotContains(response, open_code.code)


def test_cancel_returns_to_step_one(as_super_admin, open_code):
    response = as_super_admin.post(action("cancel"), follow=True)

    assert current_step(response) == 1
    assertContains(response, "パートナーコードを取り消しました。")
    assertContains(response, f"前回のパートナーコード（{open_code.masked}）は取り消されました。")


def test_reissue_after_verification_shows_why_it_was_refused(as_super_admin, pending_code):
    with nothing_written():
        response = as_super_admin.post(action("reissue"), follow=True)

    assertContains(response, errors.CODE_NOT_REISSUABLE)


def test_decline_returns_to_step_one_and_names_the_declined_partner(as_super_admin, pending_code):
    response = as_super_admin.post(action("decline"), follow=True)

    pending_code.refresh_from_db()
    assert pending_code.cancel_reason == PartnerCode.CancelReason.DECLINED
    assert current_step(response) == 1
    assertContains(response, "パートナーによるコード認証を拒否しました。")
    assertContains(
        response, f"“ABC 株式会社”によるコード認証を拒否しました（{pending_code.masked}）。"
    )


# -- 承認 → company gate → confirm → complete --------------------------------------------


def test_approve_goes_to_the_confirmation_when_company_info_is_complete(
    as_super_admin, pending_code
):
    assertRedirects(as_super_admin.post(action("approve")), CONFIRM, fetch_redirect_response=False)


def test_approve_goes_to_the_company_gate_when_company_info_is_incomplete(
    as_super_admin, pending_code, incomplete_info
):
    assertRedirects(as_super_admin.post(action("approve")), COMPANY, fetch_redirect_response=False)


def test_approve_before_verification_is_refused_with_a_message(as_super_admin, open_code):
    with nothing_written():
        response = as_super_admin.post(action("approve"), follow=True)

    assert response.redirect_chain == [(CONTRACT, 302)]
    assertContains(response, errors.NOT_VERIFIED)


def test_company_gate_asks_for_the_missing_info_with_the_seeds_notes(
    as_super_admin, pending_code, incomplete_info
):
    response = as_super_admin.get(COMPANY)

    assert current_step(response) == 3
    for text in (
        "パートナー連携を行うには、会社情報の入力が必要です。",
        "ワークスグループ名",
        "企業/団体名",
        "電話番号",
        "管理者のメールアドレス",
        "本メールアドレスは最高管理者の「個人メールアドレス」として登録/修正され、"
        "契約に関する内容など重要なお知らせが配信されます。",
        "このメールアドレスは、本サービスにおける最高管理者のメールアドレスとしても登録されます。",
        "企業/団体名および電話番号は、「基本設定 > 会社情報」で表示される"
        "会社情報にも表示されます。",
        "パートナー契約への切り替え完了後は、操作の取り消しおよびパートナーの変更はできません。",
        "キャンセル",
        "保存",
    ):
        assertContains(response, text)
    assertContains(response, 'value="水谷建設"')


def test_company_gate_rejects_an_invalid_phone_number(
    as_super_admin, super_admin, pending_code, incomplete_info
):
    form = {
        "group_name": "水谷",
        "company_name": "水谷建設",
        "phone": "03-1234-abcd",
        "admin_email": super_admin.email,
    }

    with nothing_written():
        response = as_super_admin.post(COMPANY, form)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "phone": ["電話番号には半角数字と + - * # , P T のみ使えます。"]
    }
    assertContains(response, 'class="field-error"')


def test_company_gate_saves_company_info_and_the_super_admins_email(
    as_super_admin, group, super_admin, pending_code, incomplete_info
):
    form = {
        "group_name": "水谷",
        "company_name": "水谷建設",
        "phone": "+81-3-1234-5678",
        "admin_email": "Owner@Mizl.example",
        "current_password": PASSWORD,
    }

    response = as_super_admin.post(COMPANY, form)

    assertRedirects(response, CONFIRM, fetch_redirect_response=False)
    incomplete_info.refresh_from_db()
    super_admin.refresh_from_db()
    assert (incomplete_info.group_name, incomplete_info.phone) == ("水谷", "+81-3-1234-5678")
    assert super_admin.email == "owner@mizl.example"
    event = AuditEvent.objects.get(action=AuditEvent.Action.COMPANY_INFO_UPDATED)
    assert event.details["changed"] == ["admin_email", "group_name", "phone"]


def test_company_gate_is_only_for_step_three(as_super_admin, open_code):
    assertRedirects(as_super_admin.get(COMPANY), CONTRACT, fetch_redirect_response=False)


def test_confirmation_needs_complete_company_info(as_super_admin, pending_code, incomplete_info):
    assertRedirects(as_super_admin.get(CONFIRM), COMPANY, fetch_redirect_response=False)


def test_confirmation_asks_before_completing_the_switch(as_super_admin, pending_code):
    response = as_super_admin.get(CONFIRM)

    assertContains(response, CONFIRM_QUESTION)
    assertContains(response, "open data-auto-open")
    assertContains(
        response, f'<a class="button" href="{CONTRACT}" data-close-dialog>キャンセル</a>'
    )
    assertContains(response, '<button type="submit" class="button button-primary">OK</button>')
    assertContains(response, f'action="{action("complete")}"')


def test_wizard_page_keeps_the_dialog_closed(as_super_admin, pending_code):
    assertNotContains(as_super_admin.get(CONTRACT), "data-auto-open")


def test_ok_completes_the_switch_and_shows_step_four(
    as_super_admin, group, partner, pending_code, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_super_admin.post(action("complete"), follow=True)

    contract = PartnerContract.objects.get(works_group=group)
    group.refresh_from_db()
    assert (contract.partner, group.channel) == (partner, Channel.PARTNER)
    assert current_step(response) == 4
    assertContains(response, "パートナー契約への切り替えが完了しました。")
    assertContains(response, "<dd>ABC 株式会社</dd>")


def test_double_submit_of_ok_gives_one_contract_and_one_set_of_emails(
    as_super_admin, group, pending_code, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_super_admin.post(action("complete"))
    with django_capture_on_commit_callbacks(execute=True):
        second = as_super_admin.post(action("complete"), follow=True)

    assert PartnerContract.objects.filter(works_group=group).count() == 1
    assert len(mailoutbox) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SWITCH_COMPLETED).count() == 1
    assertContains(second, errors.ALREADY_CONTRACTED)


def test_the_whole_flow_from_the_customers_side(
    as_super_admin, group, staff, incomplete_info, django_capture_on_commit_callbacks
):
    as_super_admin.post(action("issue"))
    code = PartnerCode.objects.get(works_group=group)
    with django_capture_on_commit_callbacks(execute=True):
        services.code_verify(
            partner=staff.partner,
            staff=staff,
            domain="mizl",
            raw_code=code.code,
            show_profile=True,
        )
    assert as_super_admin.get(STATUS).json() == {"step": 3}

    approve = as_super_admin.post(action("approve"), follow=True)
    assert approve.redirect_chain == [(COMPANY, 302)]
    gate = as_super_admin.post(
        COMPANY,
        {
            "group_name": "水谷",
            "company_name": "水谷建設",
            "phone": "0312345678",
            "admin_email": "owner@mizl.example",
            "current_password": PASSWORD,
        },
        follow=True,
    )
    assert gate.redirect_chain == [(CONFIRM, 302)]
    assertContains(gate, CONFIRM_QUESTION)
    with django_capture_on_commit_callbacks(execute=True):
        done = as_super_admin.post(action("complete"), follow=True)

    assert current_step(done) == 4
    assert PartnerContract.objects.get(works_group=group).company_name == "水谷建設"


# -- パートナー検索 ------------------------------------------------------------------------


@pytest.fixture
def partners_to_find(partner, other_partner):
    PartnerFactory(name="休止中 株式会社", is_active=False)
    PartnerFactory(name="北海道システム", region="札幌", description="道内のサポートに強い")


def test_partner_search_lists_only_active_partners(as_super_admin, partners_to_find):
    response = as_super_admin.get(SEARCH)

    names = [partner.name for partner in response.context["page"]]
    assert names == sorted(["ABC 株式会社", "XYZ 株式会社", "北海道システム"])
    assertNotContains(response, "休止中 株式会社")


@pytest.mark.parametrize("query", ["北海道", "札幌", "サポートに強い"])
def test_partner_search_finds_by_name_region_or_description(
    as_super_admin, partners_to_find, query
):
    response = as_super_admin.get(SEARCH, {"q": query})

    assert [partner.name for partner in response.context["page"]] == ["北海道システム"]


def test_partner_search_names_the_apps_each_partner_handles(as_super_admin, partner):
    partner.handled_apps = ["talk", "calendar", "drive", "mail"]
    partner.save()

    response = as_super_admin.get(SEARCH)

    assertContains(response, "取り扱いアプリ：トーク、カレンダー、Drive、メール")
    assertNotContains(response, "talk")


def test_partner_search_offers_to_contract_with_a_partner_at_step_one(as_super_admin, partner):
    response = as_super_admin.get(SEARCH)

    assertContains(response, f'href="{CONTRACT}?partner={partner.pk}"')


def test_partner_search_offers_nothing_to_pick_once_a_code_is_open(
    as_super_admin, partner, open_code
):
    assertNotContains(as_super_admin.get(SEARCH), f"?partner={partner.pk}")


def test_picked_partner_is_shown_and_bound_to_the_next_code(as_super_admin, group, partner):
    page = as_super_admin.get(CONTRACT, {"partner": partner.pk})
    assertContains(page, "指定パートナー：ABC 株式会社")
    assertContains(page, f'<input type="hidden" name="partner" value="{partner.pk}">')

    response = as_super_admin.post(action("issue"), {"partner": partner.pk}, follow=True)

    assert PartnerCode.objects.get(works_group=group).intended_partner == partner
    assertContains(response, "<dd>ABC 株式会社</dd>")


def test_inactive_partner_cannot_be_picked(as_super_admin):
    retired = PartnerFactory(is_active=False)

    with nothing_written():
        response = as_super_admin.post(action("issue"), {"partner": retired.pk}, follow=True)

    assertContains(response, "指定したパートナーは選択できません。")


def test_group_with_a_contract_is_told_it_cannot_issue_again(as_super_admin, contract):
    with nothing_written():
        response = as_super_admin.post(action("issue"), follow=True)

    assertContains(response, errors.ALREADY_CONTRACTED)
