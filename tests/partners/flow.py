"""The seed's story as fixed moments, and the helpers the flow's tests share."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from partners import services
from tests.support import nothing_written

# 2023-03-14 in Tokyo, as in the seed: the code is issued in the afternoon, a partner
# verifies it at 22:19 (e-mail 1) and the switch completes at 22:22:41 (e-mail 2).
ISSUED_AT = datetime(2023, 3, 14, 4, 0, tzinfo=UTC)
VERIFIED_AT = datetime(2023, 3, 14, 13, 19, tzinfo=UTC)
COMPLETED_AT = datetime(2023, 3, 14, 13, 22, 41, tzinfo=UTC)

needs_english = pytest.mark.skipif(
    not (Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.mo").exists(),
    reason="the English catalog (locale/en) is not compiled yet",
)


def refused(exception: type[Exception], message):
    """Expect the refusal `exception` carrying `message` (a constant of partners.errors)."""
    return pytest.raises(exception, match=f"^{re.escape(str(message))}$")


def verify(
    staff,
    *,
    code=None,
    raw_code: str | None = None,
    domain: str | None = None,
    show_profile: bool = False,
    client_ip: str | None = None,
    now=VERIFIED_AT,
    **more,
):
    """`staff` verifies `code` (or `raw_code` for `domain`, by default 水谷建設's mizl), by
    default at 22:19 on the seed's day; `now=None` reads the clock; `more` (e.g. `api_app`)
    goes to the service as it is."""
    return services.code_verify(
        partner=staff.partner,
        staff=staff,
        domain=domain or (code.works_group.domain if code else "mizl"),
        raw_code=code.code if raw_code is None else raw_code,
        show_profile=show_profile,
        client_ip=client_ip,
        now=now,
        **more,
    )


__all__ = ["nothing_written", "refused", "verify"]
