"""manage.py create_api_token <staff-email> [--name ...]"""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from partners.models import ApiToken
from partners.tokens import api_token_authenticate

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_the_token_alone_once_and_stores_its_hash(staff):
    out, err = run(staff.email.upper(), "--name", "curl demo")

    secret = out.strip()
    token = ApiToken.objects.get()
    assert out == secret + "\n" and secret.startswith("wa_")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert (token.name, token.created_by, token.partner) == ("curl demo", staff, staff.partner)
    assert secret not in err and token.prefix in err
    assert api_token_authenticate(secret) == token


def test_name_defaults_to_the_command_s(staff):
    run(staff.email)

    assert ApiToken.objects.get().name == "create_api_token"


def test_unknown_email_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user with the e-mail address 'nobody@example.com'"):
        run("nobody@example.com")

    assert not ApiToken.objects.exists()


def test_a_user_who_is_not_partner_staff_is_a_clear_error(super_admin):
    with pytest.raises(CommandError, match="is not active partner staff"):
        run(super_admin.email)

    assert not ApiToken.objects.exists()


def test_an_overlong_name_is_a_clear_error(staff):
    with pytest.raises(CommandError, match="100"):
        run(staff.email, "--name", "x" * 101)

    assert not ApiToken.objects.exists()


def test_the_command_stops_at_the_token_allowance(settings, staff):
    settings.API_TOKENS_PER_STAFF = 1
    run(staff.email)

    with pytest.raises(CommandError, match="1個まで"):
        run(staff.email)
