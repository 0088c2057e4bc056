"""The seed's cast: 水谷建設 (domain mizl, Tokyo, 25 seats on STANDARD) and ABC 株式会社."""

import pytest

from partners import services
from tests.factories import PartnerCodeFactory, PartnerFactory, UserFactory

from .flow import ISSUED_AT, verify


@pytest.fixture
def english(group):
    """水谷建設 set to English (言語 en_US): pages and e-mails in English."""
    info = group.company_info
    info.language = info.Language.EN_US
    info.save()
    return info


@pytest.fixture
def mailed(django_capture_on_commit_callbacks, mailoutbox):
    """Run a service call, let its transaction commit, and return the e-mails it sent."""

    def run(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            call(**kwargs)
        return list(mailoutbox)

    return run


@pytest.fixture
def other_partner(db):
    return PartnerFactory(name="XYZ 株式会社")


@pytest.fixture
def other_staff(other_partner):
    return UserFactory(staff=True, partner=other_partner)


@pytest.fixture
def code(group, super_admin):
    """The code 水谷建設 issued on 2023-03-14 (valid through 2023.04.14)."""
    return services.code_issue(works_group=group, by=super_admin, now=ISSUED_AT)


@pytest.fixture
def verified_code(code, partner, staff):
    """The same code after ABC 株式会社 verified it at 22:19 Tokyo time."""
    return verify(staff, raw_code=code.code, show_profile=True)


@pytest.fixture
def open_code(group, super_admin):
    """An unverified code issued just now, for pages that read the real clock."""
    return PartnerCodeFactory(works_group=group, issued_by=super_admin)


@pytest.fixture
def pending_code(group, super_admin, partner, staff):
    """A code ABC 株式会社 verified just now, waiting for 承認."""
    return PartnerCodeFactory(
        works_group=group,
        issued_by=super_admin,
        verified=True,
        verified_partner=partner,
        verified_by=staff,
        show_partner_profile=True,
    )
