"""Extraction benchmark: real receipts (sroie-dev), the generated UK set, and OCR speed.

python -m bench.extraction_bench [--uk 100] [--skip-speed]
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def truth_total(text: str) -> Decimal | None:
    """The labelled total without currency letters, symbols, spaces or thousands commas."""
    cleaned = re.sub(r"[A-Za-z£$€\s,]", "", text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def truth_date(text: str) -> date | None:
    """A labelled date read day-first; 20YY for two-digit years; month-first only where day-first
    is impossible; eight digits as yyyymmdd, else ddmmyyyy."""
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        return _make(int(text[:4]), int(text[4:6]), int(text[6:])) or _make(
            int(text[4:]), int(text[2:4]), int(text[:2])
        )
    named = re.search(
        r"(\d{1,2})\s*[-/. ]?\s*([A-Za-z]{3})[A-Za-z]*\.?\s*[-/., ]?\s*(\d{2,4})", text
    )
    if named and named.group(2).lower() in MONTHS:
        year = int(named.group(3))
        year = 2000 + year if year < 100 else year
        return _make(year, MONTHS.index(named.group(2).lower()) + 1, int(named.group(1)))
    numbers = re.findall(r"\d+", text)
    if len(numbers) < 3:
        return None
    a, b, c = numbers[:3]
    if len(a) == 4:
        return _make(int(a), int(b), int(c))
    year = int(c) + 2000 if len(c) == 2 else int(c)
    return _make(year, int(b), int(a)) or _make(year, int(a), int(b))


def comparable_name(text: str) -> str:
    """Upper-cased, every punctuation mark a space, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", " ", text.upper())).strip()


def score_receipt(result, truth: dict) -> dict[str, bool | None]:
    """Right or wrong per field, None where the label is empty (scored as the README says)."""
    import difflib

    scores: dict[str, bool | None] = {}
    if truth.get("total", "").strip():
        wanted = truth_total(truth["total"])
        scores["total"] = wanted is not None and result.value("total") == wanted
    if truth.get("date", "").strip():
        scores["date"] = result.value("date") is not None and result.value("date") == truth_date(
            truth["date"]
        )
    if truth.get("company", "").strip():
        found = comparable_name(result.value("supplier_name") or "")
        wanted = comparable_name(truth["company"])
        scores["supplier"] = found == wanted
        scores["supplier_similar"] = difflib.SequenceMatcher(None, found, wanted).ratio() >= 0.9
    return scores


def dataset_dir():
    from pathlib import Path

    from django.conf import settings

    return Path(settings.BASE_DIR).parent / "shared" / "datasets" / "sroie-dev"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _accuracy(rows: list[dict], name: str) -> float | None:
    marks = [row[name] for row in rows if row.get(name) is not None]
    return sum(marks) / len(marks) if marks else None


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract runs as a child)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_sroie(limit: int | None = None) -> dict | None:
    """Every receipt read once (timed), then extracted without and with the known names."""
    import json
    import time

    from capture.reading import LETTERHEAD_GROUPS, read_and_extract

    folder = dataset_dir()
    if not (folder / "images").is_dir():
        return None
    images = sorted((folder / "images").glob("*.jpg"))[:limit]
    truths = {p.stem: json.loads((folder / "truth" / f"{p.stem}.json").read_text()) for p in images}
    known = sorted({t["company"] for t in truths.values() if t.get("company")})
    _load_engines()
    plain, with_known, seconds, cpu, read_twice, letterheads = [], [], [], [], 0, 0
    for image in images:
        started, used = time.perf_counter(), _cpu_seconds()
        reading = read_and_extract(image.read_bytes(), "image/jpeg")
        seconds.append(time.perf_counter() - started)
        cpu.append(_cpu_seconds() - used)
        read_twice += len(reading.second_groups) > 1
        letterheads += reading.second_groups == LETTERHEAD_GROUPS
        plain.append(score_receipt(reading.extraction, truths[image.stem]))
        with_known.append(score_receipt(reading.extract_again(known), truths[image.stem]))
    all_three = [all(row.get(k) for k in ("total", "date", "supplier")) for row in plain]
    return {
        "receipts": len(images),
        "total": _accuracy(plain, "total"),
        "date": _accuracy(plain, "date"),
        "supplier": _accuracy(plain, "supplier"),
        "supplier_similar": _accuracy(plain, "supplier_similar"),
        "all_three": sum(all_three) / len(all_three) if all_three else None,
        "supplier_known": _accuracy(with_known, "supplier"),
        "read_twice": read_twice / len(images) if images else None,
        "letterheads": letterheads / len(images) if images else None,
        "median_s": _percentile(seconds, 0.5),
        "p95_s": _percentile(seconds, 0.95),
        "median_cpu_s": _percentile(cpu, 0.5),
        "p95_cpu_s": _percentile(cpu, 0.95),
        "images": images,
    }


UK_FIELDS = ("total", "date", "vat", "supplier_name", "net", "supplier_vat_number",
             "document_number", "due_date", "currency", "card_last_four",
             "customer_name")  # fmt: skip


def bench_uk(count: int = 100, seed: int = 2026) -> dict:
    """The generated UK set: every field with a truth is scored exactly."""
    from capture.fixtures.generator import uk_set
    from capture.reading import read_and_extract

    marks: dict[str, list[bool]] = {name: [] for name in UK_FIELDS}
    kinds: dict[str, int] = {}
    for sample in uk_set(count, seed):
        kinds[sample.variant] = kinds.get(sample.variant, 0) + 1
        result = read_and_extract(sample.data, sample.mime).extraction
        for name in UK_FIELDS:
            wanted = sample.truth.get(name)
            if wanted in (None, ""):
                continue
            found = result.value(name)
            if name in ("supplier_name", "customer_name"):
                marks[name].append(comparable_name(found or "") == comparable_name(wanted))
            else:
                marks[name].append(found == wanted)
    scores = {name: sum(m) / len(m) for name, m in marks.items() if m}
    return {"documents": count, "kinds": kinds, **scores}


def bench_known_suppliers(count: int = 20_000, documents: int = 20, seed: int = 7) -> dict:
    """Extraction against a large synced supplier list: time per document and names found.

    Each document's own supplier is in the list among ``count`` others; OCR runs once,
    outside the timing, so the figure is the matching's own cost.
    """
    import random
    import statistics
    import time

    from capture.fixtures.generator import make_supplier, uk_set
    from capture.reading import read_and_extract

    rng = random.Random(seed)
    names = {f"{make_supplier(rng).name} {rng.randint(1, 99_999)}" for _ in range(count)}
    samples = list(uk_set(documents, seed))
    known = sorted(names | {s.truth["supplier_name"] for s in samples})[: count + documents]
    seconds, right = [], 0
    for sample in samples:
        reading = read_and_extract(sample.data, sample.mime)
        started = time.perf_counter()
        result = reading.extract_again(known)
        seconds.append(time.perf_counter() - started)
        right += result.value("supplier_name") == sample.truth["supplier_name"]
    return {"suppliers": len(known), "median_s": statistics.median(seconds),
            "found": right / len(samples)}  # fmt: skip


def _read_one(path) -> float:
    import time
    from pathlib import Path

    from capture.reading import read_and_extract

    started = time.perf_counter()
    read_and_extract(Path(path).read_bytes(), "image/jpeg")
    return time.perf_counter() - started


def _load_engines() -> None:
    """Load the second engine's networks once per process, as a capture worker does."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publisher.settings")
    django.setup()
    from capture.ocr import OcrFailed
    from capture.ocr.ppocr import load_models

    try:
        load_models()
    except OcrFailed:
        pass  # not installed: Tesseract reads alone


def bench_throughput(images, count: int = 16) -> dict:
    """Receipts per second with one worker process and with two."""
    import multiprocessing
    import time

    chosen = [str(p) for p in images[:count]]
    rates = {}
    context = multiprocessing.get_context("spawn")
    for workers in (1, 2):
        with context.Pool(workers, initializer=_load_engines) as pool:
            pool.map(_read_one, chosen[:workers])  # warm the workers up
            started = time.perf_counter()
            pool.map(_read_one, chosen, chunksize=1)
            rates[workers] = len(chosen) / (time.perf_counter() - started)
    return {"one": rates[1], "two": rates[2], "ratio": rates[2] / rates[1]}


def bench_text_layer(count: int = 20) -> float:
    import time

    from capture.fixtures.generator import invoice_sample
    from capture.ocr import read_document

    seconds = []
    for seed in range(count):
        sample = invoice_sample(seed, "pdf")
        started = time.perf_counter()
        read_document(sample.data, sample.mime)
        seconds.append(time.perf_counter() - started)
    return _percentile(seconds, 0.5)


def git_commit() -> str:
    import subprocess

    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def _row(name: str, value, floor, higher_is_better: bool = True, unit: str = "%") -> str:
    if value is None:
        return f"{name:<44} {'skipped':>10}"
    shown = f"{value * 100:.1f}%" if unit == "%" else f"{value:.2f}{unit}"
    if floor is None:
        return f"{name:<44} {shown:>10}"
    met = value >= floor if higher_is_better else value <= floor
    limit = f"{floor * 100:.0f}%" if unit == "%" else f"{floor:g}{unit}"
    sign = ">=" if higher_is_better else "<="
    return f"{name:<44} {shown:>10}   floor {sign} {limit:<6} {'met' if met else 'NOT MET'}"


def run(uk_count: int = 100, sroie_limit: int | None = None, speed: bool = True) -> dict:
    import os

    os.environ["OMP_THREAD_LIMIT"] = "1"
    sroie = bench_sroie(sroie_limit)
    uk = bench_uk(uk_count)
    figures: dict = {"commit": git_commit(), "sroie": sroie, "uk": uk}
    load = os.getloadavg()[0]
    lines = [
        f"Extraction benchmark at commit {figures['commit']}",
        f"{os.cpu_count()} cores, load average {load:.1f} when done (wall-clock figures include "
        "time lost to other work on the machine; CPU seconds do not)",
        "",
    ]
    if sroie is None:
        lines.append(f"sroie-dev: skipped ({dataset_dir()} is absent)")
    else:
        lines += [
            f"sroie-dev, {sroie['receipts']} real receipts",
            _row("  gross total", sroie["total"], 0.95),
            _row("  date", sroie["date"], 0.95),
            _row("  supplier exact", sroie["supplier"], 0.80),
            _row("  supplier similarity >= 0.9", sroie["supplier_similar"], None),
            _row("  all three right", sroie["all_three"], None),
            _row("  supplier, names given as known", sroie["supplier_known"], 0.97),
            _row("  receipts read again whole (PP-OCR)", sroie["read_twice"], None),
            _row("  receipts whose letterhead was read again", sroie["letterheads"], None),
            _row("  median seconds per receipt", sroie["median_s"], 1.0, False, " s"),
            _row("  p95 seconds per receipt", sroie["p95_s"], 3.0, False, " s"),
            _row("  median CPU seconds per receipt", sroie["median_cpu_s"], 1.0, False, " s"),
            _row("  p95 CPU seconds per receipt", sroie["p95_cpu_s"], 3.0, False, " s"),
        ]
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(uk["kinds"].items()))
    lines += ["", f"generated UK set, {uk['documents']} documents ({kinds})"]
    for name in UK_FIELDS:
        floor = 0.98 if name in ("total", "date", "vat", "supplier_name") else None
        lines.append(_row(f"  {name.replace('_', ' ')}", uk.get(name), floor))
    if speed:
        known = figures["known"] = bench_known_suppliers()
        lines += ["", f"extraction with {known['suppliers']:,} known suppliers (OCR not timed)"]
        lines.append(_row("  supplier found in the list", known["found"], None))
        lines.append(_row("  median seconds per document", known["median_s"], None, unit=" s"))
        figures["text_layer_s"] = bench_text_layer()
        lines += ["", "speed"]
        lines.append(
            _row("  text-layer PDF page, median", figures["text_layer_s"], 0.1, False, " s")
        )
        if sroie is not None:
            throughput = bench_throughput(sroie["images"])
            figures["throughput"] = throughput
            lines.append(_row("  receipts/s, one worker", throughput["one"], None, unit="/s"))
            lines.append(_row("  receipts/s, two workers", throughput["two"], None, unit="/s"))
            lines.append(_row("  two workers / one", throughput["ratio"], 1.8, unit="x"))
    if sroie is not None:
        sroie.pop("images")
    print("\n".join(lines))
    return figures


def main(argv: list[str] | None = None) -> None:
    import argparse
    import os

    import django

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uk", type=int, default=100, help="generated UK documents to score")
    parser.add_argument("--sroie-limit", type=int, default=None, help="score only the first N")
    parser.add_argument("--skip-speed", action="store_true")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publisher.settings")
    django.setup()
    run(options.uk, options.sroie_limit, not options.skip_speed)


if __name__ == "__main__":
    main()
