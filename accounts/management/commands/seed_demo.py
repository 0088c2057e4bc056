from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORDS, seed_demo


class Command(BaseCommand):
    help = "Create the demo works groups, partners and users (safe to run again)."

    def handle(self, *args, **options):
        seed_demo()
        self.stdout.write("Demo log-ins:")
        for email, password in DEMO_PASSWORDS.items():
            self.stdout.write(f"  {email:<24} {password}")
