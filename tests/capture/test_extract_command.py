import json

import pytest
from django.core.management import CommandError, call_command

from .conftest import needs_tesseract


def run(capsys, *args):
    call_command("extract", *args)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_it_prints_one_json_object_per_file(samples, capsys):
    sample = samples["invoice_pdf"]
    [record] = run(capsys, str(sample.meta["path"]), "--json")
    truth = sample.truth
    assert record["file"] == str(sample.meta["path"])
    assert record["supplier_name"] == truth["supplier_name"]
    assert record["supplier_vat_number"] == truth["supplier_vat_number"]
    assert record["document_number"] == truth["document_number"]
    assert record["date"] == truth["date"].isoformat()
    assert record["due_date"] == truth["due_date"].isoformat()
    assert (record["net"], record["vat"], record["total"]) == (
        str(truth["net"]),
        str(truth["vat"]),
        str(truth["total"]),
    )
    assert record["currency"] == truth["currency"]
    assert [line["net"] for line in record["lines"]] == [str(t["net"]) for t in truth["lines"]]
    assert 0 < record["confidence"] <= 1


def test_it_uses_a_file_of_known_suppliers(samples, capsys, tmp_path):
    sample = samples["invoice_pdf"]
    names = tmp_path / "suppliers.txt"
    official = sample.truth["supplier_name"].upper().replace(" LTD", " LIMITED")
    names.write_text(f"Someone Else Ltd\n{official}\n\n")
    [record] = run(capsys, str(sample.meta["path"]), "--known-suppliers", str(names))
    assert record["supplier_name"] == official


@needs_tesseract
def test_it_reports_unreadable_files_and_fails_at_the_end(samples, capsys, tmp_path):
    junk = tmp_path / "notes.pdf"
    junk.write_text("not a pdf at all")
    good = samples["receipt"].meta["path"]
    with pytest.raises(CommandError, match="2 of 3 files"):
        call_command("extract", str(junk), str(good), str(tmp_path / "missing.png"))
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in records] == [str(junk), str(good), str(tmp_path / "missing.png")]
    assert "not a file we can read" in records[0]["error"]
    assert "error" not in records[1] and records[1]["total"] == str(
        samples["receipt"].truth["total"]
    )
    assert "Cannot open" in records[2]["error"]
