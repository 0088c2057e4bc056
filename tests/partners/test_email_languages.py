"""Every e-mail in every language, and each recipient in theirs: the customer's super admin
reads the group's 言語, partner staff the language they chose (Japanese until they do); a
notice that goes to both goes once per language."""

import re

import pytest
from django.utils import translation

from accounts.models import AuditEvent
from outbox.models import OutboundEmail
from outbox.services import email_render
from partners import services

from .flow import COMPLETED_AT, VERIFIED_AT

pytestmark = pytest.mark.django_db

TEMPLATES = ["code_verified", "switch_completed", "code_declined", "code_lapsed"]
# Context without a Japanese name in it, so that any Japanese left is the template's.
CONTEXT = {
    "company_name": "Acme",
    "domain": "acme",
    "partner_name": "Partner Inc.",
    "code": "ERV…PQLZ",
    "completed_at": "2023-03-14 22:22:41",
}
KANA = re.compile(r"[\u3040-\u30ff]")
HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Chinese is written in Han characters too: there, any kana is Japanese left over.
LEFT_OVER = {"en": HAN_OR_KANA, "ko": HAN_OR_KANA, "zh-hant": KANA, "zh-hans": KANA}


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", LEFT_OVER)
def test_every_email_is_complete_in_every_language(template, language):
    subject, text, html = email_render(template=template, context=CONTEXT, language=language)

    with translation.override("ja"):
        japanese_subject, _text, _html = email_render(
            template=template, context=CONTEXT, language="ja"
        )
    assert subject != japanese_subject
    for part in (subject, text, html):
        assert not LEFT_OVER[language].findall(part), (language, template, part)
    assert f'<html lang="{language}">' in html


@pytest.fixture
def korean_group(group):
    info = group.company_info
    info.language = info.Language.KO_KR
    info.save()
    return group


def _rows(template: str) -> list[tuple[list[str], str]]:
    rows = OutboundEmail.objects.filter(template=template).order_by("pk")
    return list(rows.values_list("to", "language"))


def test_korean_group_is_asked_to_approve_in_korean(mailed, korean_group, code, staff):
    [email] = mailed(
        services.code_verify,
        partner=staff.partner,
        staff=staff,
        domain="mizl",
        raw_code=code.code,
        show_profile=False,
        now=VERIFIED_AT,
    )

    assert email.subject == "파트너 고객 등록을 승인해 주세요."
    assert _rows("code_verified") == [([code.issued_by.email], "ko")]


def test_completion_goes_to_each_reader_in_their_language(
    mailed, korean_group, verified_code, super_admin, staff
):
    staff.language = "en"
    staff.save()

    sent = mailed(
        services.contract_complete, works_group=korean_group, by=super_admin, now=COMPLETED_AT
    )

    assert [(email.to, email.subject) for email in sent] == [
        ([super_admin.email], "파트너 고객 등록이 완료되었습니다."),
        ([staff.email], "Registration as a partner customer is complete."),
    ]
    assert _rows("switch_completed") == [([super_admin.email], "ko"), ([staff.email], "en")]
    queued = AuditEvent.objects.filter(
        action=AuditEvent.Action.EMAIL_QUEUED, details__template="switch_completed"
    )
    assert [event.details["recipients"] for event in queued] == [1, 1]


def test_completion_goes_once_to_readers_of_one_language(
    mailed, korean_group, verified_code, super_admin, staff
):
    staff.language = "ko"
    staff.save()

    [email] = mailed(
        services.contract_complete, works_group=korean_group, by=super_admin, now=COMPLETED_AT
    )

    assert email.to == [super_admin.email, staff.email]
    assert _rows("switch_completed") == [([super_admin.email, staff.email], "ko")]


def test_staff_who_never_chose_read_japanese_whatever_the_groups_language(
    mailed, korean_group, verified_code, super_admin, staff
):
    [email] = mailed(
        services.code_decline, works_group=korean_group, by=super_admin, now=COMPLETED_AT
    )

    assert email.to == [staff.email]
    assert email.subject == "お客様がパートナー顧客としての登録を拒否しました。"


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("zh-hant", "由於已過核准期限，合作夥伴代碼已失效。"),
        ("zh-hans", "由于已过批准期限，合作伙伴代码已失效。"),
    ],
)
def test_lapse_goes_to_the_staff_in_theirs_and_to_the_customer_in_the_groups(
    mailed, verified_code, super_admin, staff, language, subject
):
    staff.language = language
    staff.save()

    sent = mailed(services.code_close_due, now=verified_code.approve_by)

    assert [(email.to, email.subject) for email in sent] == [
        ([staff.email], subject),
        ([super_admin.email], "承認期限が過ぎたため、パートナーコードが無効になりました。"),
    ]
