from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_DOMAINS
from sandbox import errors, selectors, services
from sandbox.services import Via
from sandbox.tenant import require_enabled


class Command(BaseCommand):
    help = (
        "Reset the demo works groups to exactly what seed_demo creates (or one sandbox tenant "
        "with --domain). Needs SANDBOX=true; refuses any tenant that is not a sandbox."
    )

    def add_arguments(self, parser):
        parser.add_argument("--domain", help="reset only this sandbox tenant")

    def handle(self, *args, domain=None, **options):
        try:
            require_enabled()
        except errors.SandboxOff as exc:
            raise CommandError(f"{exc.message} (SANDBOX=false)") from exc
        refused = []
        for name in [domain] if domain else DEMO_DOMAINS:
            try:
                group = selectors.sandbox_group_get(domain=name)
            except errors.CustomerNotFound:
                refused.append(f"{name}: no such works group (manage.py seed_demo creates it)")
                continue
            try:
                services.sandbox_tenant_reset(works_group=group, by=None, via=Via.COMMAND)
            except errors.FlowError as exc:
                refused.append(f"{name}: {exc.message}")
            else:
                self.stdout.write(f"{name}: reset to its starting state")
        if refused:
            raise CommandError("\n".join(refused))
