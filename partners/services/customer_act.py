"""The opening every customer-side transition shares."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Channel, User, WorksGroup
from accounts.services import require_super_admin
from core.prepared import PreparedGet

from .. import errors
from ..models import PartnerCode
from .expiry import code_record_if_due

# The two reads every customer-side transition starts with, compiled once (core.prepared).
_GROUP_LOCKED = PreparedGet(
    WorksGroup.objects.select_for_update(no_key=True, of=("self",)).select_related("company_info")
)
# Not joined to the verifying staff member (read by the two transitions that e-mail them):
# for one code, PostgreSQL may merge-join the users' primary key from its first entry up to
# the staff member's id, and it judged that cheap whenever the id lay beyond its statistics
# (a staff member newer than the last ANALYZE): 48 ms a read at 100,000 users
# (docs/PERFORMANCE.md, sixth pass).
_OPEN_CODE_LOCKED = PreparedGet(
    PartnerCode.objects.select_for_update(of=("self",))
    .select_related("verified_partner")
    .filter(status__in=PartnerCode.OPEN_STATUSES),
    key="works_group",
)


@dataclass(frozen=True)
class CustomerAct:
    """One customer-side transition in progress: the locked group, who acts, and when."""

    group: WorksGroup
    by: User
    now: datetime

    def open_code(self) -> PartnerCode | None:
        """The group's open code, locked, after recording an expiry or lapse already due."""
        code = _OPEN_CODE_LOCKED.get(self.group.pk)
        if code is not None and code_record_if_due(code, self.now):
            return None
        return code

    def require_open_code(self, *, status: str, refusal) -> PartnerCode:
        """The open code if it is in `status`; else WrongState(`refusal`)."""
        code = self.open_code()
        if code is None:
            raise errors.WrongState(errors.NO_OPEN_CODE)
        if code.status != status:
            raise errors.WrongState(refusal)
        return code

    def verified_code(self) -> PartnerCode:
        """The open code, if a partner has verified it and the approval window is still open."""
        return self.require_open_code(
            status=PartnerCode.Status.VERIFIED, refusal=errors.NOT_VERIFIED
        )


@contextmanager
def customer_act(
    *, works_group: WorksGroup, by: User, now: datetime | None = None
) -> Iterator[CustomerAct]:
    """Read the clock once, allow only the group's super admin, open one transaction and
    lock the group's row in it; a group with a contract can change nothing any more."""
    now = now or timezone.now()
    require_super_admin(by, works_group)
    with transaction.atomic():
        yield CustomerAct(group=_lock_group(works_group), by=by, now=now)


def _lock_group(works_group: WorksGroup) -> WorksGroup:
    """Serialise every customer-side transition of one group on its row.

    FOR NO KEY UPDATE, not FOR UPDATE: a verification or the expiry job inserting an audit
    event or an e-mail that references the group takes FOR KEY SHARE on it, and must not
    deadlock against a customer holding this lock.

    "Contracted" is read from the locked row itself (the switch moves the channel in the same
    transaction as it writes the contract): a caller that waited for the lock sees the row as
    the switch left it. An EXISTS over the contracts in this query would not do: under READ
    COMMITTED it answers from the snapshot taken before the wait.
    """
    group = _GROUP_LOCKED.get(works_group.pk)
    if group is None:
        raise WorksGroup.DoesNotExist
    if group.channel == Channel.PARTNER:
        raise errors.AlreadyContracted
    return group
