from django.core.management.base import BaseCommand

from partners.services import codes_record_expiry_and_lapse


class Command(BaseCommand):
    help = "Record partner codes that expired or lapsed and send the lapse notices."

    def handle(self, *args, **options):
        closed = codes_record_expiry_and_lapse()
        self.stdout.write(f"{closed} code(s) closed.")
