import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, PartnerFactory, UserFactory, WorksGroupFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def group(db):
    return WorksGroupFactory()


@pytest.fixture
def super_admin(group):
    return UserFactory(works_group=group)


@pytest.fixture
def admin(group):
    return UserFactory(works_group=group, admin=True)


@pytest.fixture
def partner(db):
    return PartnerFactory(name="ABC 株式会社")


@pytest.fixture
def staff(partner):
    return UserFactory(staff=True, partner=partner)


@pytest.fixture
def login(client):
    """Log the test client in as `user` and return it."""

    def _login(user):
        assert client.login(username=user.email, password=PASSWORD)
        return client

    return _login
