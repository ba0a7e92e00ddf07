"""Run the stand-in KashFlow server in the foreground until interrupted."""

import gc

from django.core.management.base import BaseCommand, CommandError

from kashflow.sandbox import FAULT_KINDS, Sandbox
from kashflow.sandbox.faults import parse_fault_spec
from kashflow.sandbox.server import build_state


class Command(BaseCommand):
    help = "Serve a stand-in KashFlow SOAP API (WSDL at /api/service.asmx?wsdl)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo")
        parser.add_argument("--state", metavar="FILE", help="JSON file kept after each write")
        parser.add_argument("--seed-suppliers", type=int, default=25)
        parser.add_argument("--seed-customers", type=int, default=25)
        parser.add_argument("--autoauth-key", help="enable AutoAuth with this key")
        parser.add_argument(
            "--restrict-ips",
            action="store_true",
            help="only listed IPs may call (AutoAuthIP with the right key lists the caller)",
        )
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="KIND[:OPERATION[:TIMES]]",
            help=f"inject a fault; KIND is one of {', '.join(FAULT_KINDS)}",
        )
        parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
        parser.add_argument("--api-disabled-text", help="refuse every call with this text")

    def handle(self, *args, **options):
        state = build_state(
            options["username"],
            options["password"],
            options["autoauth_key"],
            options["seed_suppliers"],
            options["seed_customers"],
            options["state"],
        )
        state.account.ip_restricted = options["restrict_ips"]
        # The seeded books live as long as the process: keep the collector from walking them
        # on every full collection, which otherwise slows each answer as the books grow.
        gc.freeze()
        sandbox = Sandbox(state, options["host"], options["port"])
        try:
            for spec in options["fault"]:
                sandbox.faults.add(**parse_fault_spec(spec))
            if options["latency"]:
                sandbox.faults.add("latency", seconds=options["latency"])
            if options["api_disabled_text"]:
                sandbox.faults.add("api_disabled", text=options["api_disabled_text"])
        except ValueError as exc:
            sandbox.stop()
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"KashFlow stand-in at {sandbox.url} (WSDL {sandbox.wsdl_url}), "
            f"{len(state.suppliers)} suppliers, {len(state.customers)} customers, "
            f"user {options['username']!r}. Ctrl-C stops it."
        )
        self.stdout.flush()
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            sandbox.stop()
