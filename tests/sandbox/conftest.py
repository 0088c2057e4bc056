"""The sandbox's cast: ABC 株式会社's staff (conftest `staff`) and what they make."""

import io

import pytest
from django.core.management import call_command

from accounts.models import Partner, User, WorksGroup
from sandbox import services
from sandbox.services import Via
from tests.factories import PartnerFactory, UserFactory


def create(staff, **options):
    """`staff` makes a sandbox customer as the partner console does."""
    return services.sandbox_customer_create(
        partner=staff.partner, by=staff, via=Via.PARTNER_CONSOLE, **options
    )


@pytest.fixture
def created(staff):
    """A sandbox customer of ABC 株式会社, FREE with 10 seats and a code already issued."""
    return create(staff)


@pytest.fixture
def customer_group(created):
    return created.customer.works_group


@pytest.fixture
def other_staff(db):
    return UserFactory(staff=True, partner=PartnerFactory(name="XYZ 株式会社"))


@pytest.fixture
def operator(db):
    return UserFactory(operator=True)


@pytest.fixture
def demo(db):
    """`manage.py seed_demo`: mizl, kaisha, ABC and XYZ and their people."""
    call_command("seed_demo", stdout=io.StringIO())
    return {
        "mizl": WorksGroup.objects.get(domain="mizl"),
        "kaisha": WorksGroup.objects.get(domain="kaisha"),
        "abc": Partner.objects.get(name="ABC 株式会社"),
        "xyz": Partner.objects.get(name="XYZ 株式会社"),
        "abc_staff": User.objects.get(email="staff@abc.example"),
        "xyz_staff": User.objects.get(email="staff@xyz.example"),
        "mizl_admin": User.objects.get(email="admin@mizl.example"),
        "ops": User.objects.get(email="ops@example.com"),
    }


@pytest.fixture
def signed_in_as(client):
    """The test client signed in as `user`, whatever their password (the demo's ones too)."""

    def _as(user):
        client.force_login(user)
        return client

    return _as
