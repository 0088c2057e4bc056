"""A sandbox tenant's starting state: where it is written down, and how a reset puts the
group, its 会社情報 and its members back to it.

Two sources, one shape: a demo group starts as `accounts.demo.GROUPS` says (the very data
`seed_demo` creates it from); a partner's sandbox customer as its `SandboxCustomer` row says.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.demo import demo_group_start
from accounts.models import Channel, CompanyInfo, Role, User, WorksGroup

from . import errors
from .models import SandboxCustomer


@dataclass(frozen=True)
class Member:
    email: str
    role: str
    name: str
    password: str = ""  # a demo password, in the clear as accounts/demo.py has it
    password_hash: str = ""  # or the hash stored when a sandbox customer was made


@dataclass(frozen=True)
class StartingState:
    plan: str
    seats: int
    apps: list[str]
    info: dict  # every CompanyInfo.SETTINGS_FIELDS value
    members: tuple[Member, ...]
    issue_code: bool = False
    # A demo group's billing day comes back as many days before the reset as seed_demo put it;
    # None leaves a sandbox customer's billing day as it is.
    billing_days_ago: int | None = None


def starting_state_get(*, group: WorksGroup, owner: SandboxCustomer | None) -> StartingState:
    """The state `group` is reset to; NoStartingState when none was ever written down (a
    group an operator marked as a sandbox by hand)."""
    if owner is not None:
        admin = Member(
            email=owner.admin_email,
            role=Role.SUPER_ADMIN,
            name=owner.admin_name,
            password_hash=owner.admin_password_hash,
        )
        return StartingState(
            plan=owner.plan,
            seats=owner.seats,
            apps=list(owner.apps),
            info={**CompanyInfo.default_settings(), **owner.company_info},
            members=(admin,),
            issue_code=owner.issue_code,
        )
    demo = demo_group_start(group.domain)
    if demo is None:
        raise errors.NoStartingState
    return StartingState(
        plan=demo["plan"],
        seats=demo["seats"],
        apps=demo["apps"],
        info=demo["info"],
        members=tuple(Member(**member) for member in demo["members"]),
        billing_days_ago=demo["billing_days_ago"],
    )


def starting_state_restore(*, group: WorksGroup, start: StartingState, today: date) -> User:
    """Put the locked `group`, its 会社情報 and its members back as `start` has them, the
    channel back to direct; returns the super admin."""
    group.plan, group.seats, group.apps = start.plan, start.seats, list(start.apps)
    group.channel, group.partner = Channel.ONLINE_DIRECT, None
    if start.billing_days_ago is not None:
        group.billing_anchor = today - timedelta(days=start.billing_days_ago)
    group.save(
        update_fields=[
            "plan",
            "seats",
            "apps",
            "billing_anchor",
            "channel",
            "partner",
            "updated_at",
        ]
    )
    info = CompanyInfo.objects.select_for_update().get(works_group=group)
    for field, value in start.info.items():
        setattr(info, field, value)
    info.full_clean()
    info.save()
    group.company_info = info
    return _members_restore(group, start.members)


def _members_restore(group: WorksGroup, members: tuple[Member, ...]) -> User:
    """The starting members with their starting e-mails, names, roles and passwords; anyone
    added since is removed. The super admin is found by role (the company-info gate may have
    changed its e-mail), everyone else by e-mail."""
    current = list(User.objects.select_for_update().filter(works_group=group))
    matched = [(member, _match(current, member)) for member in members]
    kept = [user.pk for _member, user in matched if user is not None]
    User.objects.filter(works_group=group).exclude(pk__in=kept).delete()
    super_admin = None
    for member, found in matched:
        user = found or User(works_group=group)
        if User.objects.filter(email=member.email).exclude(pk=user.pk).exists():
            raise errors.AdminEmailTaken(member.email)
        user.email, user.role, user.name, user.is_active = (
            member.email,
            member.role,
            member.name,
            True,
        )
        _password_restore(user, member)
        user.save()
        if member.role == Role.SUPER_ADMIN:
            super_admin = user
    return super_admin


def _match(current: list[User], member: Member) -> User | None:
    if member.role == Role.SUPER_ADMIN:
        return next((user for user in current if user.role == Role.SUPER_ADMIN), None)
    return next((user for user in current if user.email == member.email), None)


def _password_restore(user: User, member: Member) -> None:
    """Touch the password only when it differs: a new hash would sign every open session of
    the member out, the super admin who just pressed the reset button among them."""
    if member.password_hash:
        if user.password != member.password_hash:
            user.password = member.password_hash
    elif not user.check_password(member.password):
        user.set_password(member.password)
