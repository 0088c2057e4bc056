"""Partner codes as strings: generation, parsing, masking, and the validity calendar."""

import calendar
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# 32 symbols without the look-alikes I/1 and O/0: 20 of them carry 100 bits.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20
_IGNORED = str.maketrans("", "", " -\u3000\u2010\u2011\u2012\u2013\u2014\u2212\uff0d")


class MalformedCode(ValueError):
    """The input cannot be a partner code (wrong length or symbols)."""


def generate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """Accept what people paste: any case, spaces and hyphens anywhere."""
    code = raw.translate(_IGNORED).upper()
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        raise MalformedCode(raw)
    return code


def mask_code(code: str) -> str:
    """How a code appears in audit and logs, as in the seed: ERV…PQLZ."""
    return f"{code[:3]}…{code[-4:]}"


def add_one_month(day: date) -> date:
    """The same day next month; the 31st (or the 29th of February) clamps to the month's end."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def code_expiry(issued_at: datetime, tz: ZoneInfo) -> datetime:
    """The instant validity ends: after the whole calendar day one month after issue, locally."""
    last_day = add_one_month(issued_at.astimezone(tz).date())
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
