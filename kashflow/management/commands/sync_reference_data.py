from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from kashflow.sync import sync_business


class Command(BaseCommand):
    help = "Copy nominal codes, VAT rates, suppliers, customers and the rest from KashFlow now."

    def add_arguments(self, parser):
        parser.add_argument("--business", metavar="SLUG", help="only this business")

    def handle(self, *args, business=None, **options):
        Business = apps.get_model("publisher", "Business")
        businesses = Business.objects.connected().order_by("slug")
        if business:
            businesses = Business.objects.filter(slug=business)
            if not businesses:
                raise CommandError(f"No business with the slug {business!r}.")
        failed = 0
        for each in businesses:
            run = sync_business(each, trigger="command")
            summary = ", ".join(
                f"{kind} +{c['added']} ~{c['changed']} -{c['deactivated']}"
                for kind, c in run.counts.items()
            )
            self.stdout.write(f"{each.slug}: {run.status}. {summary}")
            if run.error:
                failed += 1
                self.stderr.write(f"{each.slug}: {run.error}")
        if failed:
            raise CommandError(f"{failed} business(es) did not sync completely.")
