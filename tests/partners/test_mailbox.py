"""/dev/mailbox/: the e-mails the app sent, newest first, only while DEBUG is on, to signed-in
users: each sees the e-mails addressed to them, operators all of them (issue 16, item 8)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import OutboundEmailFactory, UserFactory

pytestmark = pytest.mark.django_db

MAILBOX = "/dev/mailbox/"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


@pytest.fixture
def operator(client, db):
    client.force_login(UserFactory(operator=True))
    return client


@pytest.fixture
def emails(db):
    now = timezone.now()
    return [
        OutboundEmailFactory(subject="最初のメール", created_at=now - timedelta(minutes=2)),
        OutboundEmailFactory(subject="二通目のメール", created_at=now - timedelta(minutes=1)),
        OutboundEmailFactory(subject="最新のメール", created_at=now),
    ]


def test_mailbox_is_not_found_without_debug(client, emails):
    assert client.get(MAILBOX).status_code == 404


def test_html_part_is_not_found_without_debug(client, emails):
    assert client.get(f"{MAILBOX}{emails[0].pk}/html/").status_code == 404


def test_mailbox_lists_emails_newest_first(debug, operator, client, emails):
    response = client.get(MAILBOX)

    html = response.content.decode()
    positions = [
        html.index(subject) for subject in ("最新のメール", "二通目のメール", "最初のメール")
    ]
    assert positions == sorted(positions)
    assert [email.subject for email in response.context["page"]] == [
        "最新のメール",
        "二通目のメール",
        "最初のメール",
    ]


def test_mailbox_shows_recipients_and_the_text_body(debug, operator, client, emails):
    response = client.get(MAILBOX)

    assert emails[0].to[0] in response.content.decode()
    assert emails[0].body_text in response.content.decode()


def test_html_part_is_shown_as_sent_without_scripts(debug, operator, client, emails):
    response = client.get(f"{MAILBOX}{emails[0].pk}/html/")

    assert response.content.decode() == emails[0].body_html
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_mailbox_asks_anonymous_visitors_to_log_in(debug, client, emails):
    for path in (MAILBOX, f"{MAILBOX}{emails[0].pk}/html/"):
        response = client.get(path)

        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_a_user_sees_only_the_emails_addressed_to_them(debug, client, emails):
    user = UserFactory(email="taro@mizl.example")
    OutboundEmailFactory(subject="太郎さんへ", to=["taro@mizl.example"])
    OutboundEmailFactory(subject="太郎さんと花子さんへ", to=["hanako@x.example", user.email])
    OutboundEmailFactory(subject="次郎さんへ", to=["xtaro@mizl.example"])
    client.force_login(user)

    response = client.get(MAILBOX)

    subjects = [email.subject for email in response.context["page"]]
    assert sorted(subjects) == sorted(["太郎さんへ", "太郎さんと花子さんへ"])
    assert "最新のメール" not in response.text


def test_another_users_email_is_not_found(debug, client, emails):
    client.force_login(UserFactory())

    assert client.get(f"{MAILBOX}{emails[0].pk}/html/").status_code == 404


def test_an_operator_sees_every_email(debug, operator, emails):
    response = operator.get(MAILBOX)

    assert len(response.context["page"]) == 3
