"""Generated documents, made once per test session and shared by the capture tests."""

import shutil

import pytest

from capture.fixtures.generator import invoice_sample, receipt_sample

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="the tesseract binary is not installed"
)


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    """Named samples, each also written to a file so commands can be given a path."""
    folder = tmp_path_factory.mktemp("documents")
    made = {
        "receipt": receipt_sample(11),
        "receipt_photo": receipt_sample(12, "photo"),
        "receipt_jpeg": receipt_sample(13, "jpeg"),
        "receipt_webp": receipt_sample(14, "webp"),
        "receipt_heic": receipt_sample(15, "heic"),
        "receipt_tiff": receipt_sample(16, "tiff"),
        "invoice": invoice_sample(21),
        "invoice_photo": invoice_sample(22, "photo"),
        "invoice_pdf": invoice_sample(23, "pdf"),
        "invoice_scan_pdf": invoice_sample(24, "scan-pdf"),
        "credit_note_pdf": invoice_sample(25, "pdf", credit=True),
        "credit_note": invoice_sample(26, "png", credit=True),
    }
    for name, sample in made.items():
        path = folder / f"{name}.{sample.mime.split('/')[-1]}"
        path.write_bytes(sample.data)
        sample.meta["path"] = path
    return made
