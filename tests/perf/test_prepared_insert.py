"""Rows written on every switch and sign-in are inserted with SQL built once (core/prepared.py
`PreparedInsert`): the same row and the same instance as `Model.objects.create()`."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, signals
from django.db.models.sql.compiler import SQLInsertCompiler
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, Partner
from api.models import UsedAssertion
from core.prepared import PreparedInsert
from tests.factories import (
    PartnerFactory,
    UsedAssertionFactory,
    UserFactory,
    WebhookEventFactory,
    WorksGroupFactory,
)
from webhooks.models import WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db


def _stored(instance) -> dict:
    return model_to_dict(type(instance).objects.get(pk=instance.pk))


def test_an_audit_event_is_the_row_and_instance_create_makes():
    group, actor = WorksGroupFactory(), UserFactory()
    values = {
        "action": AuditEvent.Action.LOGIN,
        "actor": actor,
        "actor_label": actor.email,
        "works_group": group,
        "details": {"ip": "192.0.2.1", "n": 2, "nested": {"ok": True}},
    }
    made = AuditEvent.objects.create(**values)
    prepared = PreparedInsert(AuditEvent).create(**values, created_at=made.created_at)

    assert prepared.pk is not None and prepared.pk != made.pk
    assert prepared._state.adding is False and prepared._state.db == "default"
    assert prepared.works_group is group  # the related instance given is kept, as create() does
    stored, expected = _stored(prepared), _stored(made)
    assert stored.pop("id") == prepared.pk
    expected.pop("id")
    assert stored == expected


def test_a_primary_key_with_a_default_is_written_and_auto_now_is_set():
    partner = PartnerFactory()
    event = PreparedInsert(WebhookEvent).create(
        type=WebhookEventFactory.build().type, partner=partner, data={"a": 1}
    )
    assert WebhookEvent.objects.get(pk=event.pk).data == {"a": 1}  # the uuid default

    endpoint = PreparedInsert(WebhookEndpoint).create(
        partner=partner, url="https://hooks.example/in", secret_encrypted="x"
    )
    stored = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert endpoint.updated_at is not None and stored.updated_at == endpoint.updated_at


def test_a_new_instance_is_inserted_as_its_save_would_insert_it():
    group = WorksGroupFactory()
    event = AuditEvent(action=AuditEvent.Action.LOGIN, works_group=group, details={"n": 1})
    assert PreparedInsert(AuditEvent).insert(event) is event
    assert event.pk is not None and not event._state.adding
    assert AuditEvent.objects.get(pk=event.pk).details == {"n": 1}


def test_the_insert_is_compiled_once_and_is_one_statement(monkeypatch):
    group, inserts = WorksGroupFactory(), PreparedInsert(AuditEvent)
    compiled = []
    as_sql = SQLInsertCompiler.as_sql
    monkeypatch.setattr(
        SQLInsertCompiler, "as_sql", lambda self, *a: compiled.append(1) or as_sql(self, *a)
    )
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            inserts.create(action=AuditEvent.Action.LOGIN, works_group=group, details={})
    assert len(compiled) == 1
    assert len(queries) == 3
    assert all(query["sql"].startswith('INSERT INTO "accounts_auditevent"') for query in queries)
    assert AuditEvent.objects.filter(works_group=group).count() == 3


def test_with_a_save_receiver_it_is_create_itself():
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    signals.post_save.connect(receiver, sender=Partner)
    try:
        partner = PreparedInsert(Partner).create(name="受信者のいるモデル")
    finally:
        signals.post_save.disconnect(receiver, sender=Partner)
    assert seen == [(partner.pk, True)]


def test_a_model_with_its_own_save_gets_it(monkeypatch):
    calls = []
    monkeypatch.setattr(
        Partner, "save", lambda self, *a, **kw: calls.append(kw) or Model.save(self, *a, **kw)
    )
    partner = PreparedInsert(Partner).create(name="保存を持つモデル")
    assert calls == [{"force_insert": True, "using": "default"}]
    assert Partner.objects.filter(pk=partner.pk).exists()


def test_an_expression_or_an_unsaved_relation_is_refused_and_nothing_is_written():
    inserts = PreparedInsert(AuditEvent)
    with pytest.raises(TypeError, match="expression"):
        inserts.create(action=AuditEvent.Action.LOGIN, actor_label=F("action"), details={})
    with pytest.raises(ValueError, match="unsaved related object"):
        inserts.create(action=AuditEvent.Action.LOGIN, works_group=WorksGroupFactory.build())
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).exists()


def test_a_failed_insert_rolls_its_transaction_back_as_create_does():
    used = UsedAssertionFactory()
    group = WorksGroupFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        PreparedInsert(AuditEvent).create(action=AuditEvent.Action.LOGIN, works_group=group)
        PreparedInsert(UsedAssertion).create(
            app=used.app, digest=used.digest, expires_at=used.expires_at
        )
    assert not AuditEvent.objects.filter(works_group=group).exists()
