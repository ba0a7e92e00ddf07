import pytest
from django.core.management import CommandError, call_command

from capture.models import Document, Kind, State
from tests.web.conftest import receipt_png


def test_it_ingests_files_and_prints_a_result_for_each(cast, tmp_path, capsys):
    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(receipt_png("one"))
    second.write_bytes(receipt_png("two"))
    call_command(
        "ingest",
        "--business",
        "acme",
        "--kind",
        "expense",
        "--claimant",
        "Sam",
        str(first),
        str(second),
    )
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["accepted", "accepted"]
    assert "a.png (document" in out[0]
    assert set(Document.objects.values_list("kind", "claimant")) == {(Kind.EXPENSE, "Sam")}


def test_it_exits_non_zero_when_a_file_is_refused(cast, tmp_path, capsys):
    good, bad = tmp_path / "a.png", tmp_path / "notes.txt"
    good.write_bytes(receipt_png("one"))
    bad.write_text("not a receipt")
    with pytest.raises(CommandError) as refused:
        call_command(
            "ingest", "--business", "acme", str(good), str(bad), str(tmp_path / "missing.pdf")
        )
    assert refused.value.returncode == 1
    out = capsys.readouterr().out
    assert "accepted   a.png" in out
    assert "refused    notes.txt: This is not a file we can read" in out
    assert "missing.pdf: cannot read it (No such file or directory)." in out
    assert Document.objects.count() == 1


def test_it_reports_a_duplicate(cast, tmp_path, capsys):
    path = tmp_path / "a.png"
    path.write_bytes(receipt_png("same"))
    call_command("ingest", "--business", "acme", str(path))
    call_command("ingest", "--business", "acme", str(path))
    assert "duplicate  a.png" in capsys.readouterr().out
    assert Document.objects.filter(state=State.REJECTED).count() == 1


def test_it_refuses_an_unknown_business(db, tmp_path):
    with pytest.raises(CommandError, match="No business has the slug"):
        call_command("ingest", "--business", "nope", str(tmp_path / "a.png"))


def test_it_splits_pages_when_asked(cast, tmp_path, capsys):
    import io

    from PIL import Image

    frames = [Image.new("RGB", (200, 300), "white") for _ in range(2)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "PDF", save_all=True, append_images=frames[1:])
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    call_command("ingest", "--business", "acme", "--split-pages", str(path))
    assert Document.objects.count() == 2
