"""PP-OCR (PaddleOCR's detection and recognition networks) run by ONNX Runtime.

The networks ship inside the ``rapidocr-onnxruntime`` package, so nothing is downloaded at run
time. Detection finds each run of print as a box; recognition reads the box. It reads faint
thermal digits and bold letterheads that Tesseract misreads, but it is slower (about 0.8 s a
receipt on one core) and often runs words together ("SDNBHD"), so Tesseract reads first and this
engine reads again only where the first reading is doubtful, or the letterhead alone
(``capture.reading``).
"""

from __future__ import annotations

import threading
import unicodedata

from PIL import Image

from .engine import OcrFailed
from .types import OcrPage, Word

_LOCK = threading.Lock()
# Detection only has to find where print is. On a prepared page (printed lines about 32 px tall)
# it finds the same boxes at 45% of the size, lines about 14 px, in a tenth of the time, and no
# page is looked at more than 1,280 px long. Recognition still reads each box from the full page.
DETECTION_SCALE = 0.45
DETECTION_SIDE = 1280
# Detection pads each box round its print (its "unclip" step): boxes come out about 1.6 to 1.8
# times as tall as Tesseract's words on the same pages. Words are given the print's own height,
# centred in the box, so that padded boxes of neighbouring lines do not read as one row.
BOX_PADDING = 1.6
_MODELS = None


def load_models():
    """The networks, loaded once per worker process: loading them takes about a second."""
    global _MODELS
    with _LOCK:
        if _MODELS is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:
                raise OcrFailed(f"The PP-OCR networks are not installed: {exc}") from exc
            # One thread each, like Tesseract: throughput comes from worker processes. Pages are
            # already turned upright by preprocessing, so the 180-degree classifier is not run.
            _MODELS = RapidOCR(
                intra_op_num_threads=1,
                inter_op_num_threads=1,
                use_cls=False,
                print_verbose=False,
                rec_batch_num=1,
            )
            _MODELS.text_det.get_preprocess = _detection_size(_MODELS.text_det)
        return _MODELS


def _detection_size(detector):
    """Detection sees the page at DETECTION_SCALE, and at most DETECTION_SIDE pixels long."""
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    def preprocess(longest_side: int):
        side = max(32, min(DETECTION_SIDE, round(longest_side * DETECTION_SCALE)))
        return DetPreProcess(side, "max", detector.mean, detector.std)

    return preprocess


class PpOcrEngine:
    name = "ppocr"

    def read(self, image: Image.Image) -> OcrPage:
        import numpy as np

        models = load_models()
        # The networks take three channels in OpenCV's blue-green-red order.
        pixels = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        try:
            found, _ = models(pixels, use_cls=False)
        except Exception as exc:  # onnxruntime and OpenCV raise their own types
            raise OcrFailed(f"PP-OCR failed: {exc}") from exc
        words: list[Word] = []
        for number, (corners, text, score) in enumerate(found or [], start=1):
            words += split_box(corners, text, float(score), number)
        return OcrPage(width=image.width, height=image.height, words=words, source="ppocr")


def split_box(corners, text: str, score: float, line: int) -> list[Word]:
    """One detected box read as ``text`` -> its words, each given its share of the box's width.

    Recognition reads a whole box at once and says nothing of where each word sits; a word's
    place is estimated from its characters' share of the box, which is enough to highlight it.
    """
    xs = [point[0] for point in corners]
    ys = [point[1] for point in corners]
    left, right = max(0, int(min(xs))), int(max(xs))
    top, bottom = max(0, min(ys)), max(ys)
    height = max(1, round((bottom - top) / BOX_PADDING))
    top = max(0, round((top + bottom - height) / 2))
    # The recogniser's alphabet includes full-width forms ("（", "＆") that mean "(" and "&".
    parts = unicodedata.normalize("NFKC", text).split()
    if not parts:
        return []
    span = max(1, right - left)
    characters = sum(len(part) for part in parts) + len(parts) - 1
    words, start = [], 0
    for part in parts:
        x = left + span * start // characters
        width = max(1, span * len(part) // characters)
        words.append(Word(part, x, top, width, height, score * 100, 1, line))
        start += len(part) + 1
    return words
