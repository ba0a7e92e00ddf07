"""Upload files from the command line, exactly as the upload page does."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capture.intake import ingest_file
from capture.models import Kind
from publisher.models import Business

KINDS = {"cost": Kind.COST, "sale": Kind.SALE, "expense": Kind.EXPENSE}


class Command(BaseCommand):
    help = "Add receipts and invoices to a business's inbox; exits 1 if any file is refused."

    def add_arguments(self, parser):
        parser.add_argument("--business", required=True, help="the business's slug")
        parser.add_argument("--kind", choices=sorted(KINDS), default="cost")
        parser.add_argument("--claimant", default="", help="who is claiming (expense claims)")
        parser.add_argument(
            "--split-pages", action="store_true", help="make one document of each page"
        )
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, **options):
        business = Business.objects.filter(slug=options["business"]).first()
        if business is None:
            raise CommandError(f"No business has the slug {options['business']!r}.")
        refused = 0
        for name in options["files"]:
            path = Path(name)
            try:
                data = path.read_bytes()
            except OSError as error:
                refused += 1
                self.stdout.write(f"refused    {name}: cannot read it ({error.strerror}).")
                continue
            for result in ingest_file(
                business,
                data,
                path.name,
                kind=KINDS[options["kind"]],
                claimant=options["claimant"],
                split_pages=options["split_pages"],
            ):
                refused += result.status == "refused"
                document = result.document
                ref = f" (document {document.pk})" if document else ""
                self.stdout.write(f"{result.status:<10} {result.name}{ref}: {result.message}")
        if refused:
            raise CommandError(f"{refused} file(s) refused.", returncode=1)
