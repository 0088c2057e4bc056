from django.core.management.base import BaseCommand

from partners.demo import CUSTOMERS, PARTNER, demo_customers_seed


class Command(BaseCommand):
    help = (
        f"Create demo customers that switched to {PARTNER} (run seed_demo first; safe to run "
        "again), so that the partner API has customers to list."
    )

    def handle(self, *args, **options):
        created = demo_customers_seed()
        domains = ", ".join(domain for domain, *_rest in CUSTOMERS)
        state = f"created: {', '.join(created)}" if created else "already there, or no partner"
        self.stdout.write(f"Customers of {PARTNER}: {domains} ({state})")
