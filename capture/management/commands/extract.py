"""Read documents from the command line and print what extraction found, one JSON line each."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from capture.extraction.model import FIELD_NAMES, json_value
from capture.files import RejectedFile, sniff
from capture.ocr import OcrFailed
from capture.reading import read_and_extract

# The command prints what a bookkeeper checks; the type, rate and card stay in the JSON record.
FIELDS = [n for n in FIELD_NAMES if n not in ("document_type", "vat_rate", "card_last_four")]


class Command(BaseCommand):
    help = "Extract supplier, dates, amounts and lines from receipt and invoice files."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--known-suppliers", metavar="FILE", help="a file of supplier names, one a line"
        )
        parser.add_argument(
            "--json", action="store_true", help="print JSON lines (the default; kept for scripts)"
        )

    def handle(self, *args, **options):
        known: list[str] = []
        if options["known_suppliers"]:
            try:
                text = Path(options["known_suppliers"]).read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot read the known suppliers file: {exc}") from exc
            known = [line.strip() for line in text.splitlines() if line.strip()]
        failures = 0
        for name in options["files"]:
            record = self._read(name, known)
            failures += "error" in record
            self.stdout.write(json.dumps(record, ensure_ascii=False))
        if failures:
            raise CommandError(f"{failures} of {len(options['files'])} files could not be read.")

    def _read(self, name: str, known: list[str]) -> dict:
        try:
            data = Path(name).read_bytes()
            info = sniff(data)
            result = read_and_extract(data, info.mime, known).extraction
        except OSError as exc:
            return {"file": name, "error": f"Cannot open the file: {exc.strerror or exc}"}
        except (RejectedFile, OcrFailed) as exc:
            return {"file": name, "error": str(exc)}
        record: dict = {"file": name}
        for field in FIELDS:
            record[field] = json_value(result.value(field))
        record["lines"] = [
            {k: v for k, v in line.to_dict().items() if k != "boxes"} for line in result.lines
        ]
        record["confidence"] = result.confidence
        return record
