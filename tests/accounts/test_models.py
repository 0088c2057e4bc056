"""Validation rules of the tenant models, in Python (`full_clean`) and in the database."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.models import Channel, CompanyInfo, Language, User, WorksApp, WorksGroup
from tests.factories import PartnerFactory, UserFactory, WorksGroupFactory

pytestmark = pytest.mark.django_db


def _field_errors(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


# WorksGroup.domain ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain",
    ["ab", "mizl", "kaisha", "a1", "my-group", "a-b-c", "0123", "a" * 22, "x9-" + "y" * 19],
)
def test_domain_accepts_lowercase_letters_digits_and_single_inner_hyphens(domain):
    WorksGroup(domain=domain).full_clean()


@pytest.mark.parametrize(
    "domain",
    [
        pytest.param("a", id="one-char"),
        pytest.param("a" * 23, id="23-chars"),
        pytest.param("Mizl", id="uppercase"),
        pytest.param("-mizl", id="leading-hyphen"),
        pytest.param("mizl-", id="trailing-hyphen"),
        pytest.param("mi--zl", id="double-hyphen"),
        pytest.param("mi_zl", id="underscore"),
        pytest.param("mi.zl", id="dot"),
        pytest.param("mi zl", id="space"),
        pytest.param("水谷", id="non-ascii"),
        pytest.param("ｍｉｚｌ", id="full-width"),
        pytest.param("mizl\n", id="trailing-newline"),
    ],
)
def test_domain_rejects_invalid_values(domain):
    assert "domain" in _field_errors(WorksGroup(domain=domain))


def test_domain_is_unique():
    WorksGroupFactory(domain="mizl")

    assert "domain" in _field_errors(WorksGroup(domain="mizl"))
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksGroup.objects.create(domain="mizl")


# WorksGroup database constraints ----------------------------------------------------------


def test_database_refuses_an_unknown_plan():
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksGroup.objects.create(domain="mizl", plan="GOLD")


def test_unknown_plan_is_a_validation_error():
    assert "plan" in _field_errors(WorksGroup(domain="mizl", plan="GOLD"))


def test_database_refuses_partner_channel_without_a_partner():
    with pytest.raises(IntegrityError), transaction.atomic():
        WorksGroup.objects.create(domain="mizl", channel=Channel.PARTNER, partner=None)


def test_database_refuses_a_partner_on_an_online_direct_group():
    partner = PartnerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        WorksGroup.objects.create(domain="mizl", channel=Channel.ONLINE_DIRECT, partner=partner)


def test_partner_channel_with_a_partner_is_valid():
    partner = PartnerFactory()

    group = WorksGroup.objects.create(domain="mizl", channel=Channel.PARTNER, partner=partner)

    group.full_clean()
    assert WorksGroup.objects.get(domain="mizl").partner == partner


def test_partner_channel_without_partner_is_a_validation_error():
    with pytest.raises(ValidationError):
        WorksGroup(domain="mizl", channel=Channel.PARTNER).full_clean()


# CompanyInfo ------------------------------------------------------------------------------


@pytest.fixture
def info():
    return WorksGroupFactory().company_info


@pytest.mark.parametrize("field", ["group_name", "company_name"])
def test_names_accept_up_to_40_characters(info, field):
    setattr(info, field, "水" * 40)

    info.full_clean()


@pytest.mark.parametrize("field", ["group_name", "company_name"])
def test_names_reject_41_characters(info, field):
    setattr(info, field, "水" * 41)

    assert field in _field_errors(info)


@pytest.mark.parametrize(
    "phone",
    [
        "123456",
        "1" * 20,
        "03-1234-5678",
        "+81-3-1234-5678",
        "0312345678",
        "03-1234-5678,123",
        "*123#456",
        "03P1234T5678",
    ],
)
def test_phone_accepts_digits_and_dialling_symbols(info, phone):
    info.phone = phone

    info.full_clean()


@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("12345", id="5-chars"),
        pytest.param("1" * 21, id="21-chars"),
        pytest.param("03 1234 5678", id="spaces"),
        pytest.param("(03)1234-5678", id="parentheses"),
        pytest.param("03-1234-567x", id="letter"),
        pytest.param("p0312345678", id="lowercase-p"),
        pytest.param("０３１２３４５６７８", id="full-width-digits"),
        pytest.param("03.1234.5678", id="dots"),
        pytest.param("0312345678\n", id="trailing-newline"),
    ],
)
def test_phone_rejects_other_characters_and_lengths(info, phone):
    info.phone = phone

    assert "phone" in _field_errors(info)


def test_phone_may_be_empty_while_setup_is_unfinished(info):
    info.phone = ""

    info.full_clean()


@pytest.mark.parametrize("language", ["ja_JP", "en_US", "ko_KR", "zh_TW", "zh_CN"])
def test_language_accepts_the_five_console_languages(info, language):
    info.language = language

    info.full_clean()


@pytest.mark.parametrize("language", ["fr_FR", "ja", "en-US", ""])
def test_language_rejects_anything_else(info, language):
    info.language = language

    assert "language" in _field_errors(info)


@pytest.mark.parametrize(
    ("language", "ui_language"),
    [("ja_JP", "ja"), ("en_US", "en"), ("ko_KR", "ko"), ("zh_TW", "zh-hant"), ("zh_CN", "zh-hans")],
)
def test_each_language_setting_has_its_own_ui_language(info, language, ui_language):
    info.language = language

    assert info.ui_language == ui_language


def test_every_language_setting_is_a_language_of_the_site(settings):
    assert {language.ui_language for language in Language} == dict(settings.LANGUAGES).keys()


def test_database_refuses_an_unknown_language(info):
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyInfo.objects.filter(pk=info.pk).update(language="fr_FR")


def test_time_zone_defaults_to_tokyo():
    info = CompanyInfo.objects.create(works_group=WorksGroup.objects.create(domain="mizl"))

    assert info.time_zone == "Asia/Tokyo"


@pytest.mark.parametrize("time_zone", ["Asia/Tokyo", "America/New_York", "Europe/London", "UTC"])
def test_time_zone_accepts_iana_names(info, time_zone):
    info.time_zone = time_zone

    info.full_clean()


@pytest.mark.parametrize("time_zone", ["Tokyo", "asia/tokyo", "Mars/Olympus", "+09:00", ""])
def test_time_zone_rejects_other_names(info, time_zone):
    info.time_zone = time_zone

    assert "time_zone" in _field_errors(info)


def test_a_works_group_has_only_one_company_info(info):
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyInfo.objects.create(works_group=info.works_group)


# CompanyInfo.is_complete ------------------------------------------------------------------


def test_company_info_is_complete_with_names_phone_and_admin_email(info):
    assert info.is_complete("admin@mizl.example")


@pytest.mark.parametrize("field", ["group_name", "company_name", "phone"])
def test_company_info_is_incomplete_without_each_field(info, field):
    setattr(info, field, "")

    assert not info.is_complete("admin@mizl.example")


@pytest.mark.parametrize("email", ["", None])
def test_company_info_is_incomplete_without_the_super_admin_email(info, email):
    assert not info.is_complete(email)


# User -------------------------------------------------------------------------------------


def test_create_user_stores_the_email_in_lowercase():
    group = WorksGroupFactory()

    user = User.objects.create_user(
        "Taro@Mizl.EXAMPLE", "pw", role=User.Role.SUPER_ADMIN, works_group=group
    )

    assert User.objects.get(pk=user.pk).email == "taro@mizl.example"


def test_email_is_unique_regardless_of_case(group):
    UserFactory(email="taro@mizl.example", works_group=group)

    user = User(email="TARO@mizl.example", role=User.Role.ADMIN, works_group=group)

    assert "email" in _field_errors(user)


def _memberships():
    """(role, belongs to a group, belongs to a partner) combinations the spec forbids."""
    return [
        pytest.param(User.Role.SUPER_ADMIN, False, False, id="super-admin-without-group"),
        pytest.param(User.Role.SUPER_ADMIN, True, True, id="super-admin-also-in-partner"),
        pytest.param(User.Role.ADMIN, False, False, id="admin-without-group"),
        pytest.param(User.Role.ADMIN, False, True, id="admin-in-partner"),
        pytest.param(User.Role.PARTNER_STAFF, False, False, id="staff-without-partner"),
        pytest.param(User.Role.PARTNER_STAFF, True, True, id="staff-also-in-group"),
        pytest.param(User.Role.PARTNER_STAFF, True, False, id="staff-in-group"),
        pytest.param(User.Role.OPERATOR, True, False, id="operator-in-group"),
        pytest.param(User.Role.OPERATOR, False, True, id="operator-in-partner"),
    ]


def _user(role, in_group, in_partner):
    return {
        "email": "someone@example.com",
        "role": role,
        "works_group": WorksGroupFactory() if in_group else None,
        "partner": PartnerFactory() if in_partner else None,
    }


@pytest.mark.parametrize(("role", "in_group", "in_partner"), _memberships())
def test_database_refuses_a_role_outside_its_tenant(role, in_group, in_partner):
    fields = _user(role, in_group, in_partner)

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(**fields)


@pytest.mark.parametrize(("role", "in_group", "in_partner"), _memberships())
def test_role_outside_its_tenant_is_a_validation_error(role, in_group, in_partner):
    user = User(**_user(role, in_group, in_partner))

    with pytest.raises(ValidationError):
        user.full_clean(exclude=["password"])


@pytest.mark.parametrize(
    ("role", "in_group", "in_partner"),
    [
        pytest.param(User.Role.SUPER_ADMIN, True, False, id="super-admin"),
        pytest.param(User.Role.ADMIN, True, False, id="admin"),
        pytest.param(User.Role.PARTNER_STAFF, False, True, id="partner-staff"),
        pytest.param(User.Role.OPERATOR, False, False, id="operator"),
    ],
)
def test_each_role_in_its_own_tenant_is_valid(role, in_group, in_partner):
    fields = _user(role, in_group, in_partner)

    user = User.objects.create_user(fields.pop("email"), "pw", **fields)

    assert User.objects.get(pk=user.pk).role == role


def test_database_refuses_a_second_super_admin_in_a_group(super_admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            email="second@example.com",
            role=User.Role.SUPER_ADMIN,
            works_group=super_admin.works_group,
        )


def test_second_super_admin_in_a_group_is_a_validation_error(super_admin):
    user = User(
        email="second@example.com", role=User.Role.SUPER_ADMIN, works_group=super_admin.works_group
    )

    with pytest.raises(ValidationError):
        user.full_clean(exclude=["password"])


def test_a_group_may_have_several_admins_beside_its_super_admin(super_admin):
    UserFactory.create_batch(2, works_group=super_admin.works_group, admin=True)

    assert super_admin.works_group.members.count() == 3
    assert super_admin.works_group.super_admin == super_admin


def test_each_group_has_its_own_super_admin(super_admin):
    other = UserFactory()

    assert other.works_group.super_admin == other
    assert super_admin.works_group.super_admin == super_admin


def test_apps_are_named_as_people_read_them_in_the_active_language():
    assert WorksApp.labels_of(["talk", "calendar", "drive", "mail"]) == [
        "トーク",
        "カレンダー",
        "Drive",
        "メール",
    ]
    with translation.override("en"):
        assert WorksApp.labels_of(["talk", "survey"]) == ["Talk", "Survey"]


def test_an_app_key_without_a_name_is_shown_as_it_is():
    assert WorksApp.labels_of(["talk", "whiteboard"]) == ["トーク", "whiteboard"]


@pytest.mark.parametrize("role", User.Role.values)
def test_role_label_is_the_role_s_display(role):
    user = User(role=role)

    with translation.override("en"):
        assert user.role_label == user.get_role_display()
    assert user.role_label == user.get_role_display()
