from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from partners import errors
from partners.tokens import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token acting as a partner staff member. The token alone goes to "
        "stdout, once; it cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="e-mail address of the partner staff member")
        parser.add_argument("--name", default="create_api_token", help="what the token is for")

    def handle(self, *args, email, name, **options):
        staff = User.objects.filter(email=email.strip().lower()).first()
        if staff is None:
            raise CommandError(f"No user with the e-mail address {email!r}.")
        try:
            token, secret = api_token_create(staff=staff, name=name)
        except errors.NotAllowed as exc:
            raise CommandError(f"{staff.email} is not active partner staff: {exc.message}") from exc
        except errors.FlowError as exc:  # e.g. already holding API_TOKENS_PER_STAFF tokens
            raise CommandError(str(exc.message)) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Created API token {token.prefix}… ({token.name}) acting as {staff.email} "
            f"for {token.partner.name}. It is shown only this once:"
        )
        self.stdout.write(secret)
