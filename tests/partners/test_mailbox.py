"""/dev/mailbox/: the e-mails the app sent, newest first, only while DEBUG is on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db

MAILBOX = "/dev/mailbox/"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


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


def test_mailbox_lists_emails_newest_first(debug, client, emails):
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


def test_mailbox_shows_recipients_and_the_text_body(debug, client, emails):
    response = client.get(MAILBOX)

    assert emails[0].to[0] in response.content.decode()
    assert emails[0].body_text in response.content.decode()


def test_html_part_is_shown_as_sent_without_scripts(debug, client, emails):
    response = client.get(f"{MAILBOX}{emails[0].pk}/html/")

    assert response.content.decode() == emails[0].body_html
    assert "default-src 'none'" in response["Content-Security-Policy"]
