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
        self, lang: str = "eng", psm: int = 6, timeout: float = 60.0, options: dict | None = None
    ):
        # psm 6 (one uniform block) keeps a receipt's label and its amount on one line even
        # across a wide gap, which the extractor relies on; psm 3 and 4 split them into columns.
        self.lang = lang
        self.psm = psm
        self.timeout = timeout
        self.options = dict(options or {})

    def read(self, image: Image.Image) -> OcrPage:
        binary = shutil.which("tesseract")
        if binary is None:
            raise OcrFailed("The tesseract program is not installed on this server.")
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        # One thread per process: OpenMP inside Tesseract slows it down when several workers
        # share the cores, and throughput comes from running workers side by side.
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        dpi = str(image.info.get("dpi", (300, 300))[0] or 300)
        command = [binary, "stdin", "stdout", "-l", self.lang, "--psm", str(self.psm)]
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
