"""How fast the inbox answers with 100,000 documents in one business.

Builds a throw-away SQLite database, bulk-creates the documents in a realistic mix of states,
then times each kind of inbox page through Django's test client (the whole request: middleware,
queries, template). Prints one row per page with the median and the slowest of the runs.

    python -m bench.inbox_bench [--documents N] [--runs N]
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BUDGET_MS = 300
ROOT = Path(__file__).resolve().parent.parent


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _setup_django(data_dir: str) -> dict:
    """Point Django at a throw-away SQLite file; returns what to put back afterwards.

    ``python -m bench`` runs every bench in one process, so Django may already be set up with
    another bench's database (or the developer's own): the default database is re-pointed in
    place rather than trusted to follow DATA_DIR."""
    os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publisher.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    saved = {
        "database": dict(database),
        "caches": settings.CACHES,
        "debug": settings.DEBUG,
        "hosts": settings.ALLOWED_HOSTS,
    }
    connections["default"].close()
    database.update(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(data_dir) / "inbox-bench.sqlite3"),
            "OPTIONS": {"timeout": 30},
        }
    )
    del connections["default"]
    # The bench measures the inbox, not Redis: keep sessions and the cache in-process.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return saved


def _restore_django(saved: dict) -> None:
    from django.conf import settings
    from django.db import connections

    connections["default"].close()
    database = settings.DATABASES["default"]
    database.clear()
    database.update(saved["database"])
    del connections["default"]
    settings.CACHES = saved["caches"]
    settings.DEBUG = saved["debug"]
    settings.ALLOWED_HOSTS = saved["hosts"]


# A mix like a busy practice's: most published, a working queue on top.
STATE_MIX = [
    ("published", 0.80),
    ("ready", 0.06),
    ("needs_attention", 0.05),
    ("rejected", 0.03),
    ("failed", 0.01),
    ("publish_failed", 0.01),
    ("processing", 0.02),
    ("publishing", 0.02),
]
OCR_WORD = {"text": "SUBTOTAL", "left": 412, "top": 1833, "width": 163, "height": 38,
            "conf": 91.5, "block": 4, "line": 27}  # fmt: skip
OCR_PAGE = {
    "pages": [{"width": 1240, "height": 3100, "source": "tesseract", "words": [OCR_WORD] * 150}]
}
SUPPLIERS = ["Screwfix", "Wickes", "Travis Perkins", "Tesco", "Shell", "Amazon", "Costa", "B&Q"]


def _populate(count: int) -> tuple:
    import datetime as dt

    from django.contrib.auth import get_user_model

    from capture.models import Document
    from publisher.models import Business, Membership, Role

    rng = random.Random(42)  # noqa: S311 - repeatable data, not security
    business = Business.objects.create(name="Bench Trading Ltd", slug="bench")
    Business.objects.create(name="Neighbour Ltd", slug="neighbour")
    user = get_user_model().objects.create_user("bench", "bench@example.com", "x")
    Membership.objects.create(user=user, business=business, role=Role.REVIEWER)
    states = [s for s, _ in STATE_MIX]
    weights = [w for _, w in STATE_MIX]
    start = dt.date(2022, 1, 1)
    batch = []
    for i in range(count):
        total = Decimal(rng.randint(100, 250_000)) / 100
        batch.append(
            Document(
                business=business,
                state=rng.choices(states, weights)[0],
                original="originals/bench/none",
                original_name=f"receipt-{i}.jpg",
                content_type="image/jpeg",
                size=100_000,
                sha256=f"{i:064x}",
                supplier_name=rng.choice(SUPPLIERS),
                document_number=f"INV-{i}",
                document_date=start + dt.timedelta(days=i % 1400),
                total=total,
                net=(total / Decimal("1.2")).quantize(Decimal("0.01")),
                vat=total - (total / Decimal("1.2")).quantize(Decimal("0.01")),
                # Real rows carry OCR words (a receipt has ~150); the inbox must not pay for them.
                ocr=OCR_PAGE,
            )
        )
        if len(batch) == 5000:
            Document.objects.bulk_create(batch)
            batch = []
    if batch:
        Document.objects.bulk_create(batch)
    return business, user


def _pages(business) -> list[tuple[str, str]]:
    from django.urls import reverse

    from capture.models import Document

    inbox = reverse("inbox", args=[business.slug])
    live = ",".join(
        str(pk)
        for pk in Document.objects.filter(business=business, state="processing").values_list(
            "pk", flat=True
        )[:50]
    )
    return [
        ("inbox, all, page 1", inbox),
        ("ready tab", inbox + "?state=ready"),
        ("needs attention tab", inbox + "?state=needs_attention"),
        ("published tab, page 1", inbox + "?state=published"),
        ("published tab, page 800", inbox + "?state=published&page=800"),
        ("search supplier", inbox + "?q=screwfix"),
        ("search a name not there", inbox + "?q=nobody"),
        ("search number", inbox + "?q=INV-4242"),
        ("search amount", inbox + "?q=123.45"),
        ("date range", inbox + "?date_from=2023-03-01&date_to=2023-03-31"),
        ("live rows (50 ids)", reverse("inbox_live", args=[business.slug]) + f"?ids={live}"),
    ]


def run(documents: int = 100_000, runs: int = 15) -> list[dict]:
    data_dir = tempfile.mkdtemp(prefix="tillroll-bench-")
    saved = None
    try:
        saved = _setup_django(data_dir)
        from django.test import Client

        began = time.perf_counter()
        business, user = _populate(documents)
        built = time.perf_counter() - began
        client = Client()
        client.force_login(user)
        rows = []
        for label, url in _pages(business):
            client.get(url)  # warm the page cache and the template loader
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            rows.append(
                {
                    "page": label,
                    "median_ms": statistics.median(times),
                    "max_ms": max(times),
                    "ok": max(times) < BUDGET_MS,
                }
            )
        _print(rows, documents, runs, built)
        return rows
    finally:
        if saved is not None:
            _restore_django(saved)
        shutil.rmtree(data_dir, ignore_errors=True)


def _print(rows, documents, runs, built) -> None:
    print(
        f"inbox bench · commit {_commit()} · {documents:,} documents in one business "
        f"(built in {built:.0f} s) · SQLite · {runs} runs each · budget {BUDGET_MS} ms"
    )
    print(f"{'page':<28} {'median ms':>10} {'max ms':>8}  result")
    for row in rows:
        verdict = "ok" if row["ok"] else "OVER BUDGET"
        print(f"{row['page']:<28} {row['median_ms']:>10.1f} {row['max_ms']:>8.1f}  {verdict}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    rows = run(args.documents, args.runs)
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
