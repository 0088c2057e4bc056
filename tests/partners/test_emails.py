"""The e-mails of the flow: who gets them, what they say (ja and en), and their outbox rows."""

import pytest
from django.conf import settings as django_settings

from accounts.models import AuditEvent
from outbox.models import OutboundEmail
from partners import errors, services

from .flow import COMPLETED_AT, ISSUED_AT, VERIFIED_AT, needs_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def verify_mail(mailed, code, partner, staff):
    [email] = mailed(
        services.code_verify,
        partner=partner,
        staff=staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=True,
        now=VERIFIED_AT,
    )
    return email


def html_part(email) -> str:
    [(content, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return content


# -- e-mail 1: パートナー顧客としての登録を承認してください。 ------------------------------------


def test_verification_asks_the_super_admin_to_approve(verify_mail, super_admin):
    assert verify_mail.to == [super_admin.email]
    assert verify_mail.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert verify_mail.subject == "パートナー顧客としての登録を承認してください。"
    for sentence in (
        "パートナーによるコードの認証が完了しました。",
        "パートナー顧客としての登録を完了するには承認処理が必要です。",
        "LINE WORKS管理者画面「パートナー」より承認処理を行なってください。",
    ):
        assert sentence in verify_mail.body
        assert sentence in html_part(verify_mail)


def test_approval_mail_links_to_the_admin_console_from_site_url(
    settings, mailed, code, partner, staff
):
    settings.SITE_URL = "https://works.example"

    [email] = mailed(
        services.code_verify,
        partner=partner,
        staff=staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
        now=VERIFIED_AT,
    )

    assert "管理者画面へ移動: https://works.example/console/partner/contract/" in email.body
    assert 'href="https://works.example/console/partner/contract/"' in html_part(email)
    assert ">管理者画面へ移動</a>" in html_part(email)


def test_from_address_comes_from_settings(settings, mailed, code, partner, staff):
    settings.DEFAULT_FROM_EMAIL = "Works <noreply@works.example>"

    [email] = mailed(
        services.code_verify,
        partner=partner,
        staff=staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
        now=VERIFIED_AT,
    )

    assert email.from_email == "Works <noreply@works.example>"


def test_each_email_has_an_outbox_row_that_ends_sent(verify_mail, group, super_admin):
    row = OutboundEmail.objects.get()

    assert row.template == "code_verified"
    assert (row.to, row.subject, row.language) == ([super_admin.email], verify_mail.subject, "ja")
    assert row.works_group == group
    assert row.status == OutboundEmail.Status.SENT
    assert row.attempts == 1
    assert row.sent_at is not None


def test_each_queued_email_is_audited(verify_mail, staff, group, partner):
    row = OutboundEmail.objects.get()

    event = AuditEvent.objects.get(action=AuditEvent.Action.EMAIL_QUEUED)
    assert (event.actor, event.works_group, event.partner) == (staff, group, partner)
    assert event.details == {"template": "code_verified", "email_id": row.pk, "recipients": 1}


def test_nothing_is_sent_before_the_change_commits(
    code, partner, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.code_verify(
            partner=partner,
            staff=staff,
            domain="mizl",
            raw_code=code.code,
            show_profile=False,
            now=VERIFIED_AT,
        )

    assert len(pending) == 1
    assert mailoutbox == []
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED


def test_refused_verification_sends_nothing(mailed, code, other_partner, staff):
    with pytest.raises(errors.WrongPair):
        mailed(
            services.code_verify,
            partner=staff.partner,
            staff=staff,
            domain="mizl",
            raw_code="ERVABCDEFGHJKMNPQLZ2",
            show_profile=False,
            now=VERIFIED_AT,
        )

    assert not OutboundEmail.objects.exists()


# -- e-mail 2: パートナー顧客としての登録が完了しました。 ------------------------------------


@pytest.fixture
def completion_mail(mailed, verified_code, group, super_admin):
    [email] = mailed(
        services.contract_complete, works_group=group, by=super_admin, now=COMPLETED_AT
    )
    return email


def test_completion_is_sent_to_the_super_admin_and_the_verifying_staff(
    completion_mail, super_admin, staff
):
    assert completion_mail.to == [super_admin.email, staff.email]
    assert completion_mail.subject == "パートナー顧客としての登録が完了しました。"
    assert completion_mail.from_email == django_settings.DEFAULT_FROM_EMAIL


def test_completion_mail_reads_as_in_the_seed(completion_mail):
    assert (
        "「水谷建設」がパートナー「ABC 株式会社」のパートナー顧客として登録されました。\n\n"
        "完了日時\n2023-03-14 22:22:41\n\n"
        "企業/団体名\n水谷建設\n\n"
        "ドメイン又はグループ名\nmizl\n\n"
        "パートナー名\nABC 株式会社\n"
    ) in completion_mail.body


def test_completion_mail_has_an_html_part_with_the_same_facts(completion_mail):
    html = html_part(completion_mail)

    assert "「水谷建設」がパートナー「ABC 株式会社」のパートナー顧客として登録されました。" in html
    for label, value in (
        ("完了日時", "2023-03-14 22:22:41"),
        ("企業/団体名", "水谷建設"),
        ("ドメイン又はグループ名", "mizl"),
        ("パートナー名", "ABC 株式会社"),
    ):
        assert label in html
        assert f">{value}</td>" in html


def test_completion_time_is_in_the_group_time_zone(mailed, verified_code, group, super_admin):
    info = group.company_info
    info.time_zone = "America/Los_Angeles"
    info.save()

    [email] = mailed(
        services.contract_complete, works_group=group, by=super_admin, now=COMPLETED_AT
    )

    assert "完了日時\n2023-03-14 06:22:41\n" in email.body


def test_company_name_is_escaped_in_html_but_not_in_text(mailed, verified_code, group, super_admin):
    info = group.company_info
    info.company_name = "水谷&建設<東京>"
    info.save()

    [email] = mailed(
        services.contract_complete, works_group=group, by=super_admin, now=COMPLETED_AT
    )

    assert "「水谷&建設<東京>」" in email.body
    assert "水谷&amp;建設&lt;東京&gt;" in html_part(email)
    assert "<東京>" not in html_part(email)


def test_refused_switch_sends_nothing(mailed, code, group, super_admin):
    with pytest.raises(errors.WrongState):
        mailed(services.contract_complete, works_group=group, by=super_admin, now=COMPLETED_AT)

    assert not OutboundEmail.objects.exists()


# -- notices to the partner --------------------------------------------------------------


def test_decline_tells_the_verifying_staff(mailed, verified_code, group, super_admin, staff):
    [email] = mailed(services.code_decline, works_group=group, by=super_admin, now=COMPLETED_AT)

    assert email.to == [staff.email]
    assert email.subject == "お客様がパートナー顧客としての登録を拒否しました。"
    assert (
        f"「水谷建設」（mizl）は、パートナー「ABC 株式会社」によるコード認証"
        f"（{verified_code.masked}）を拒否しました。このコードは使用できません。"
    ) in email.body
    assert verified_code.code not in email.body


def test_lapse_tells_the_partner_staff_and_the_super_admin(
    mailed, verified_code, super_admin, staff
):
    [email] = mailed(services.code_close_due, now=verified_code.approve_by)

    assert email.to == [staff.email, super_admin.email]
    assert email.subject == "承認期限が過ぎたため、パートナーコードが無効になりました。"
    assert (
        f"パートナー「ABC 株式会社」が認証した「水谷建設」（mizl）のパートナーコード"
        f"（{verified_code.masked}）は、期限内に承認されなかったため無効になりました。"
    ) in email.body
    assert html_part(email).count(verified_code.masked) == 1


def test_expiry_of_an_unverified_code_tells_nobody(mailed, code):
    assert mailed(services.code_close_due, now=code.expires_at) == []


def test_issue_reissue_and_cancel_send_nothing(mailed, group, super_admin):
    sent = (
        mailed(services.code_issue, works_group=group, by=super_admin, now=ISSUED_AT)
        + mailed(services.code_reissue, works_group=group, by=super_admin, now=ISSUED_AT)
        + mailed(services.code_cancel, works_group=group, by=super_admin, now=ISSUED_AT)
    )

    assert sent == []


# -- English -----------------------------------------------------------------------------


@needs_english
def test_approval_mail_in_english(english, mailed, code, partner, staff):
    [email] = mailed(
        services.code_verify,
        partner=partner,
        staff=staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
        now=VERIFIED_AT,
    )

    assert email.subject == "Please approve your registration as a partner customer."
    for sentence in (
        "A partner has verified your code.",
        "To complete your registration as a partner customer, you need to approve it.",
        "Go to the admin console",
    ):
        assert sentence in email.body
        assert sentence in html_part(email)
    assert OutboundEmail.objects.get().language == "en"


@needs_english
def test_completion_mail_in_english(english, mailed, verified_code, group, super_admin):
    # The verifying staff member, who has not chosen English, gets theirs in Japanese
    # (test_email_languages.py); this is the super admin's.
    [email] = [
        email
        for email in mailed(
            services.contract_complete, works_group=group, by=super_admin, now=COMPLETED_AT
        )
        if email.to == [super_admin.email]
    ]

    assert email.subject == "Registration as a partner customer is complete."
    assert "“水谷建設” has been registered as a partner customer of “ABC 株式会社”." in email.body
    for label in ("Completed at", "Company/organization name", "Domain or group name"):
        assert label in email.body
    assert "2023-03-14 22:22:41" in email.body
    assert "完了日時" not in email.body


@needs_english
def test_decline_notice_in_english(mailed, verified_code, group, super_admin, staff):
    """The notice goes to the partner's staff member: in the language they chose."""
    staff.language = "en"
    staff.save()

    [email] = mailed(services.code_decline, works_group=group, by=super_admin, now=COMPLETED_AT)

    assert email.subject == "The customer declined registration as your partner customer."


@needs_english
def test_lapse_notice_in_english(english, mailed, verified_code, staff):
    staff.language = "en"
    staff.save()

    [email] = mailed(services.code_close_due, now=verified_code.approve_by)

    assert email.subject == "The partner code lapsed because it was not approved in time."


# -- the footer --------------------------------------------------------------------------


def test_footer_links_to_the_help_center(settings, verify_mail):
    assert "ご不便な点やご質問はヘルプセンターまでお問い合わせください。" in verify_mail.body
    assert f"\n{settings.HELP_CENTER_URL}\n" in verify_mail.body
    assert (
        f'ご不便な点やご質問は<a href="{settings.HELP_CENTER_URL}">ヘルプセンター</a>'
        "までお問い合わせください。"
    ) in html_part(verify_mail)


def test_help_center_url_comes_from_settings(settings, mailed, code, partner, staff):
    settings.HELP_CENTER_URL = "https://help.works.example/ja/"

    [email] = mailed(
        services.code_verify,
        partner=partner,
        staff=staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
        now=VERIFIED_AT,
    )

    assert "https://help.works.example/ja/" in email.body
    assert 'href="https://help.works.example/ja/"' in html_part(email)
