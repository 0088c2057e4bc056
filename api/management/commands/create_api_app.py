import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.services import api_app_create
from core.errors import FlowError


class Command(BaseCommand):
    help = (
        "Register an API app acting as a partner staff member, and print its credentials as "
        "JSON (clientId, clientSecret, serviceAccount, privateKey, scope), once: the secret "
        "and the private key are not stored and cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="e-mail address of the partner staff member")
        parser.add_argument("--name", default="create_api_app", help="what the app is for")
        parser.add_argument(
            "--scopes",
            default="partner partner.read",
            help="space-separated OAuth scopes the app may ask for",
        )

    def handle(self, *args, email, name, scopes, **options):
        staff = User.objects.filter(email=email.strip().lower()).first()
        if staff is None:
            raise CommandError(f"No user with the e-mail address {email!r}.")
        try:
            created = api_app_create(staff=staff, name=name, scopes=scopes.split())
        except FlowError as exc:
            raise CommandError(f"{staff.email}: {exc.message}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Registered the app {created.app.name!r} acting as {staff.email} for "
            f"{created.app.partner.name}. Its secret and private key are shown only this once:"
        )
        self.stdout.write(json.dumps(created.as_json(), indent=2))
