"""The seed's story as fixed moments, and a check that a refused action wrote nothing."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import AuditEvent, CompanyInfo, User, WorksGroup
from outbox.models import OutboundEmail
from partners.models import PartnerCode, PartnerContract

# 2023-03-14 in Tokyo, as in the seed: the code is issued in the afternoon, a partner
# verifies it at 22:19 (e-mail 1) and the switch completes at 22:22:41 (e-mail 2).
ISSUED_AT = datetime(2023, 3, 14, 4, 0, tzinfo=UTC)
VERIFIED_AT = datetime(2023, 3, 14, 13, 19, tzinfo=UTC)
COMPLETED_AT = datetime(2023, 3, 14, 13, 22, 41, tzinfo=UTC)

needs_english = pytest.mark.skipif(
    not (Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.mo").exists(),
    reason="the English catalog (locale/en) is not compiled yet",
)


def db_state() -> dict:
    """Everything the flow writes, in a form that compares equal when nothing changed."""
    return {
        "codes": list(
            PartnerCode.objects.order_by("pk").values_list(
                "pk", "status", "verified_partner_id", "closed_at", "cancel_reason"
            )
        ),
        "contracts": list(PartnerContract.objects.values_list("pk", flat=True)),
        "groups": list(
            WorksGroup.objects.order_by("pk").values_list("pk", "channel", "partner_id")
        ),
        "company_info": list(
            CompanyInfo.objects.order_by("pk").values_list("group_name", "company_name", "phone")
        ),
        "user_emails": list(User.objects.order_by("pk").values_list("email", flat=True)),
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "outbox": list(OutboundEmail.objects.values_list("pk", flat=True)),
    }


@contextmanager
def nothing_written():
    """Assert that the block leaves every row of the flow as it found it."""
    before = db_state()
    yield
    assert db_state() == before


def refused(exception: type[Exception], message):
    """Expect the refusal `exception` carrying `message` (a constant of partners.errors)."""
    return pytest.raises(exception, match=f"^{re.escape(str(message))}$")
