from django.core.management.base import BaseCommand

from partners.services import code_close_due


class Command(BaseCommand):
    help = "Record partner codes that expired or lapsed and send the lapse notices."

    def handle(self, *args, **options):
        closed = code_close_due()
        self.stdout.write(f"{closed} code(s) closed.")
