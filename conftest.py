import itertools
from datetime import date

import pytest
from django.core.cache import cache
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered

from accounts.models import Plan
from api import credentials
from core.tasks import background_wait
from tests.factories import PASSWORD, PartnerFactory, UserFactory, WorksGroupFactory


@pytest.fixture(autouse=True, scope="session")
def _jinja2_templates_signal_their_rendering():
    """Django's test set-up makes DTL templates send `template_rendered` (the test client's
    `response.context`, `assertTemplateUsed`); its Jinja2 backend sends nothing. Here each
    template the backend renders sends it too, with the context as the template saw it
    (context processors included)."""
    render = jinja2_backend.Template.render

    def render_and_signal(self, context=None, request=None):
        context = {} if context is None else context
        html = render(self, context, request)
        template_rendered.send(sender=self, template=self.template, context=context)
        return html

    jinja2_backend.Template.render = render_and_signal
    yield
    jinja2_backend.Template.render = render


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


_KEY_POOL_SIZE = 4
_generate_key_pair = credentials.key_pair_generate
_key_pool: list[credentials.KeyPair] = []
_key_cycle = None


def _pooled_key_pair() -> credentials.KeyPair:
    global _key_cycle
    if not _key_pool:
        _key_pool.extend(_generate_key_pair() for _ in range(_KEY_POOL_SIZE))
        _key_cycle = itertools.cycle(_key_pool)
    return next(_key_cycle)


@pytest.fixture(autouse=True)
def _rsa_key_pool(request, monkeypatch):
    """A new RSA-2048 key pair takes ~65 ms to generate; apps are registered in hundreds of
    tests. They take turns with a few real pairs (two apps made one after the other never
    share one); tests marked `real_rsa_keys` generate every pair for real."""
    if request.node.get_closest_marker("real_rsa_keys") is None:
        monkeypatch.setattr(credentials, "key_pair_generate", _pooled_key_pair)


@pytest.fixture(autouse=True)
def _background_tasks_finished():
    """Tasks the immediate backend runs in a thread after commit (webhook deliveries) end
    before the test's database is torn down."""
    yield
    background_wait(timeout=60)


@pytest.fixture
def group(db):
    """The seed's customer: 水谷建設 (domain mizl, Tokyo), 25 seats on STANDARD."""
    return WorksGroupFactory(
        domain="mizl",
        plan=Plan.STANDARD,
        seats=25,
        apps=["talk", "calendar", "drive"],
        billing_anchor=date(2023, 1, 1),
        company_info__group_name="水谷",
        company_info__company_name="水谷建設",
    )


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
