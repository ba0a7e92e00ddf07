"""Tesseract, run as a subprocess so its thread count and time limit are ours to set."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess

from PIL import Image

from .engine import OcrFailed
from .types import OcrPage, Word


class TesseractEngine:
    name = "tesseract"

    def __init__(
        self,
        lang: str = "eng",
        psm: int | None = None,
        timeout: float = 60.0,
        options: dict | None = None,
    ):
        # Without a psm the page decides: psm 6 (one uniform block) reads a till receipt's rows
        # whole, label and amount together, and read most real receipts right. On a page set
        # in columns psm 6 mixes rows of two columns into one garbled line, and psm 3's block
        # finder sometimes drops an invoice's details block as a table; psm 11 (sparse text)
        # reads every piece, and rows are rebuilt from word positions afterwards.
        self.lang = lang
        self.psm = psm
        self.timeout = timeout
        # Retrying every doubtful line as white-on-black cost about 8% of the time on real
        # receipts, which print no inverted text worth that.
        self.options = {"tessedit_do_invert": 0, **(options or {})}

    def read(self, image: Image.Image) -> OcrPage:
        binary = shutil.which("tesseract")
        if binary is None:
            raise OcrFailed("The tesseract program is not installed on this server.")
        buffer = io.BytesIO()
        # BMP costs nothing to encode; PNG's compression would add tens of milliseconds a page.
        image.save(buffer, format="BMP")
        # One thread per process: OpenMP inside Tesseract slows it down when several workers
        # share the cores, and throughput comes from running workers side by side.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        dpi = str(image.info.get("dpi", (300, 300))[0] or 300)
        psm = self.psm
        if psm is None:
            from .preprocess import looks_multi_column

            psm = 11 if looks_multi_column(image) else 6
        command = [binary, "stdin", "stdout", "-l", self.lang, "--psm", str(psm)]
        command += ["--dpi", str(int(float(dpi)))]
        for key, value in self.options.items():
            command += ["-c", f"{key}={value}"]
        command.append("tsv")
        try:
            done = subprocess.run(
                command,
                input=buffer.getvalue(),
                capture_output=True,
                env=env,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrFailed(f"Tesseract took longer than {self.timeout:.0f} s.") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise OcrFailed(f"Tesseract failed: {message[-1] if message else done.returncode}")
        return OcrPage(
            width=image.width,
            height=image.height,
            words=parse_tsv(done.stdout.decode("utf-8", "replace")),
            source="tesseract",
        )


def parse_tsv(tsv: str) -> list[Word]:
    words: list[Word] = []
    line_ids: dict[tuple[int, int, int], int] = {}
    reader = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(reader, None)
    for row in reader:
        if len(row) < 12 or row[0] != "5":
            continue
        text = row[11].strip()
        if not text:
            continue
        block, par, line = int(row[2]), int(row[3]), int(row[4])
        line_id = line_ids.setdefault((block, par, line), len(line_ids) + 1)
        words.append(
            Word(
                text=text,
                left=int(row[6]),
                top=int(row[7]),
                width=int(row[8]),
                height=int(row[9]),
                conf=max(0.0, float(row[10])),
                block=block,
                line=line_id,
            )
        )
    return words
