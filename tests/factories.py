"""One factory per model; each builds a valid object by default."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import AuditEvent, Channel, CompanyInfo, Partner, Plan, User, WorksGroup
from accounts.services import company_info_switched_to
from api import credentials
from api.models import AccessToken, ApiApp, RefreshToken, UsedAssertion
from outbox.models import OutboundEmail
from partners.codes import code_expiry, generate_code
from partners.models import PartnerCode, PartnerContract
from sandbox.models import SandboxCustomer
from webhooks.models import (
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from webhooks.signing import secret_encrypt

PASSWORD = "correct-horse-battery"


class PartnerFactory(DjangoModelFactory[Partner]):
    class Meta:
        model = Partner
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"パートナー{n} 株式会社")
    region = "東京"
    description = "LINE WORKSの販売パートナーです。"
    contact_url = "https://partner.example/contact"
    handled_apps = ["talk", "calendar"]


class WorksGroupFactory(DjangoModelFactory[WorksGroup]):
    class Meta:
        model = WorksGroup
        skip_postgeneration_save = True

    domain = factory.Sequence(lambda n: f"group{n}")
    plan = Plan.STANDARD
    seats = 10
    apps = ["talk", "calendar", "drive"]

    @factory.post_generation
    def company_info(obj, create, extracted, **kwargs):
        """Every group has its 会社情報, complete unless told otherwise."""
        if not create:
            return
        values = {
            "group_name": f"{obj.domain} グループ",
            "company_name": f"{obj.domain} 株式会社",
            "phone": "03-1234-5678",
            **kwargs,
        }
        CompanyInfoFactory(works_group=obj, **values)


class CompanyInfoFactory(DjangoModelFactory[CompanyInfo]):
    class Meta:
        model = CompanyInfo
        django_get_or_create = ["works_group"]

    works_group = factory.SubFactory(WorksGroupFactory, company_info=None)
    group_name = "水谷"
    company_name = "水谷建設"
    phone = "03-1234-5678"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name", locale="ja_JP")
    role = User.Role.SUPER_ADMIN
    works_group = factory.SubFactory(WorksGroupFactory)
    partner = None

    class Params:
        admin = factory.Trait(role=User.Role.ADMIN)
        staff = factory.Trait(
            role=User.Role.PARTNER_STAFF,
            works_group=None,
            partner=factory.SubFactory(PartnerFactory),
        )
        operator = factory.Trait(
            role=User.Role.OPERATOR, works_group=None, is_staff=True, is_superuser=True
        )

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class PartnerCodeFactory(DjangoModelFactory[PartnerCode]):
    """An open (ISSUED) code of a group whose info is complete; traits for the other states."""

    class Meta:
        model = PartnerCode

    works_group = factory.SubFactory(WorksGroupFactory)
    code = factory.LazyFunction(generate_code)
    issued_at = factory.LazyFunction(timezone.now)
    issued_by = factory.LazyAttribute(
        lambda o: o.works_group.super_admin or UserFactory(works_group=o.works_group)
    )
    expires_at = factory.LazyAttribute(
        lambda o: code_expiry(o.issued_at, o.works_group.company_info.tz)
    )

    class Params:
        verified = factory.Trait(
            status=PartnerCode.Status.VERIFIED,
            verified_partner=factory.SubFactory(PartnerFactory),
            verified_by=factory.LazyAttribute(
                lambda o: UserFactory(staff=True, partner=o.verified_partner)
            ),
            verified_at=factory.LazyFunction(timezone.now),
            approve_by=factory.LazyAttribute(lambda o: o.verified_at + timedelta(days=30)),
        )
        expired = factory.Trait(
            issued_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=40))
        )


class PartnerContractFactory(DjangoModelFactory[PartnerContract]):
    class Meta:
        model = PartnerContract
        skip_postgeneration_save = True

    code = factory.SubFactory(PartnerCodeFactory, verified=True, status=PartnerCode.Status.USED)
    works_group = factory.SelfAttribute("code.works_group")
    partner = factory.SelfAttribute("code.verified_partner")
    completed_at = factory.LazyFunction(timezone.now)
    completed_by = factory.SelfAttribute("code.issued_by")
    company_name = factory.LazyAttribute(lambda o: o.works_group.company_info.company_name)
    group_name = factory.LazyAttribute(lambda o: o.works_group.company_info.group_name)
    settlement_plan = Plan.STANDARD
    settlement_seats = 10
    settlement_unit_price = 540
    settlement_period_start = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    settlement_period_end = factory.LazyFunction(timezone.localdate)
    settlement_days_in_month = 30
    settlement_subtotal = 0
    settlement_tax = 0
    settlement_total = 0

    @factory.post_generation
    def switched(obj, create, extracted, **kwargs):
        """As the switch leaves it: the group now buys through the partner."""
        if create:
            group = obj.works_group
            group.channel, group.partner = Channel.PARTNER, obj.partner
            group.save(update_fields=["channel", "partner"])
            company_info_switched_to(group, obj.partner)


class AuditEventFactory(DjangoModelFactory[AuditEvent]):
    class Meta:
        model = AuditEvent

    works_group = factory.SubFactory(WorksGroupFactory)
    action = AuditEvent.Action.CODE_ISSUED
    actor_label = "admin@example.com"
    details = factory.LazyFunction(dict)


class OutboundEmailFactory(DjangoModelFactory[OutboundEmail]):
    class Meta:
        model = OutboundEmail

    template = "code_verified"
    to = factory.LazyFunction(lambda: ["admin@example.com"])
    subject = "パートナー顧客としての登録を承認してください。"
    body_text = "パートナーによるコードの認証が完了しました。"
    body_html = "<p>パートナーによるコードの認証が完了しました。</p>"
    language = "ja"


class ApiAppFactory(DjangoModelFactory[ApiApp]):
    """An app of a partner's staff member. Its secret and private key are not kept (as in
    production): to sign in with an app, register it with `api.services.api_app_create`."""

    class Meta:
        model = ApiApp

    created_by = factory.SubFactory(UserFactory, staff=True)
    partner = factory.SelfAttribute("created_by.partner")
    name = factory.Sequence(lambda n: f"連携アプリ{n}")
    client_id = factory.LazyFunction(credentials.client_id_generate)
    client_secret_hash = factory.LazyFunction(
        lambda: credentials.token_digest(credentials.client_secret_generate())
    )
    service_account = factory.LazyFunction(credentials.service_account_generate)
    public_key_pem = factory.LazyFunction(lambda: credentials.key_pair_generate().public_pem)
    scopes = factory.LazyFunction(lambda: ["partner", "partner.read"])


class RefreshTokenFactory(DjangoModelFactory[RefreshToken]):
    class Meta:
        model = RefreshToken

    app = factory.SubFactory(ApiAppFactory)
    token_hash = factory.LazyFunction(
        lambda: credentials.token_digest(credentials.token_generate("rt_"))
    )
    scopes = factory.SelfAttribute("app.scopes")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))


class AccessTokenFactory(DjangoModelFactory[AccessToken]):
    class Meta:
        model = AccessToken

    app = factory.SubFactory(ApiAppFactory)
    refresh_token = factory.SubFactory(RefreshTokenFactory, app=factory.SelfAttribute("..app"))
    token_hash = factory.LazyFunction(
        lambda: credentials.token_digest(credentials.token_generate("at_"))
    )
    scopes = factory.SelfAttribute("app.scopes")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class UsedAssertionFactory(DjangoModelFactory[UsedAssertion]):
    class Meta:
        model = UsedAssertion

    app = factory.SubFactory(ApiAppFactory)
    digest = factory.LazyFunction(lambda: credentials.token_digest(credentials.token_generate("")))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))


def _super_admin(group: WorksGroup) -> User:
    return group.super_admin or UserFactory(works_group=group)


class SandboxCustomerFactory(DjangoModelFactory[SandboxCustomer]):
    """A partner's sandbox customer whose starting state is the group as it is now (no code);
    `sandbox_customer_create` is the way the product makes one."""

    class Meta:
        model = SandboxCustomer
        exclude = ["admin"]

    works_group = factory.SubFactory(WorksGroupFactory, is_sandbox=True)
    partner = factory.SubFactory(PartnerFactory)
    created_by = factory.LazyAttribute(lambda o: UserFactory(staff=True, partner=o.partner))
    admin = factory.LazyAttribute(lambda o: _super_admin(o.works_group))
    plan = factory.SelfAttribute("works_group.plan")
    seats = factory.SelfAttribute("works_group.seats")
    apps = factory.LazyAttribute(lambda o: list(o.works_group.apps))
    company_info = factory.LazyAttribute(
        lambda o: {
            name: getattr(o.works_group.company_info, name) for name in CompanyInfo.SETTINGS_FIELDS
        }
    )
    admin_email = factory.SelfAttribute("admin.email")
    admin_name = factory.SelfAttribute("admin.name")
    admin_password_hash = factory.SelfAttribute("admin.password")
    issue_code = False


WEBHOOK_SECRET = "whsec_factory-made-secret-0123456789abcdefghijklmnop"


class WebhookEndpointFactory(DjangoModelFactory[WebhookEndpoint]):
    """An active endpoint subscribed to every event, signing with WEBHOOK_SECRET."""

    class Meta:
        model = WebhookEndpoint

    class Params:
        secret = WEBHOOK_SECRET

    partner = factory.SubFactory(PartnerFactory)
    url = "https://hooks.partner.example/worksadmin"
    events = factory.LazyFunction(lambda: list(EventType.values))
    secret_encrypted = factory.LazyAttribute(lambda o: secret_encrypt(o.secret))


class WebhookEventFactory(DjangoModelFactory[WebhookEvent]):
    class Meta:
        model = WebhookEvent

    type = EventType.CODE_VERIFIED
    partner = factory.SubFactory(PartnerFactory)
    works_group = factory.SubFactory(WorksGroupFactory)
    data = factory.LazyAttribute(
        lambda o: {"domain": o.works_group.domain, "domainId": o.works_group.pk}
    )


class WebhookDeliveryFactory(DjangoModelFactory[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(
        WebhookEventFactory, partner=factory.SelfAttribute("..endpoint.partner")
    )
    works_group = factory.SelfAttribute("event.works_group")


class WebhookAttemptFactory(DjangoModelFactory[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    number = 1
    attempted_at = factory.LazyFunction(timezone.now)
    outcome = WebhookAttempt.Outcome.SUCCEEDED
    status_code = 200
    duration_ms = 12
    response_excerpt = "ok"
