"""KashFlow client and stand-in benchmark: how reading suppliers and publishing receipts grow.

For 1,000 / 5,000 / 20,000 suppliers it starts the stand-in in its own process (so its memory
is not counted), then

* fetches and parses every supplier with ``KashFlowClient.get_suppliers()`` in a fresh child
  process, three times, reporting the median wall time and the highest peak RSS (targets:
  < 5 s, < 300 MB at 20,000);
* publishes 500 receipts of 5 lines each through one client from 8 threads, reporting receipts
  per second.

Run: ``.venv/bin/python -m bench.kashflow_bench`` (or ``python -m bench`` for every benchmark).
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 5_000, 20_000)
RECEIPTS, LINES, WORKERS = 500, 5, 8
FETCH_RUNS = 3  # the median is reported: the machine is shared, single runs wander
FETCH_SECONDS_LIMIT, FETCH_RSS_LIMIT_MB = 5.0, 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


class StandIn:
    """The stand-in in a separate process, started with ``suppliers`` suppliers."""

    def __init__(self, suppliers: int):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/service.asmx"
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "kashflow_sandbox", "--port", str(self.port),
             "--seed-suppliers", str(suppliers), "--seed-customers", "10"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def __enter__(self) -> StandIn:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "?wsdl", timeout=1).raise_for_status()
                return self
            except requests.RequestException:
                if self.process.poll() is not None:
                    raise RuntimeError("the stand-in exited while starting") from None
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the stand-in did not start within 60 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(10)


def fetch_in_child(url: str) -> dict:
    """Time get_suppliers() in a fresh interpreter, so its peak RSS is this fetch alone."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.kashflow_bench", "--fetch", url],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=300,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def fetch(url: str) -> None:
    from kashflow.client import KashFlowClient

    client = KashFlowClient("demo", "demo", endpoint=url, read_timeout=120)
    client.get_vat_rates()  # load the WSDL and open the connection before timing
    started, cpu_started = time.perf_counter(), time.process_time()
    suppliers = client.get_suppliers()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"count": len(suppliers), "seconds": seconds, "cpu": cpu,
                      "rss_mb": peak_kb / 1024}))  # fmt: skip


def publish(url: str) -> dict:
    from kashflow.client import KashFlowClient
    from kashflow.types import Invoice, InvoiceLine

    client = KashFlowClient("demo", "demo", endpoint=url, read_timeout=60)
    supplier_ids = [s.id for s in client.get_suppliers()[:50]]
    nominals = [n.id for n in client.get_nominal_codes() if 7000 <= n.code < 8000]

    def one(n: int) -> int:
        lines = [
            InvoiceLine(Decimal(1 + k), f"Item {k}", Decimal("12.34"),
                        nominals[(n + k) % len(nominals)], Decimal(20), Decimal("2.47") * (1 + k))
            for k in range(LINES)
        ]  # fmt: skip
        receipt = Invoice(date(2026, 11, 1), date(2026, 12, 1), supplier_ids[n % len(supplier_ids)],
                          f"BENCH-{n:05d}", lines)  # fmt: skip
        return client.insert_receipt(receipt)

    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        numbers = list(pool.map(one, range(RECEIPTS)))
    seconds = time.perf_counter() - started
    assert sorted(numbers) == list(range(1, RECEIPTS + 1)), "receipt numbers went astray"
    return {"seconds": seconds, "per_second": RECEIPTS / seconds}


def run(sizes: tuple[int, ...] = SIZES) -> list[dict]:
    print(f"KashFlow client and stand-in, commit {git_commit()}, Python {sys.version.split()[0]}")
    print(f"fetch: median of {FETCH_RUNS} runs, each in a fresh process (peak RSS: the highest);")
    print("  client CPU is the parsing side alone, which load on a shared machine barely moves")
    print(f"publish: {RECEIPTS} receipts x {LINES} lines, {WORKERS} threads, one client")
    header = (
        f"{'suppliers':>9} | {'fetch s':>7} | {'client CPU s':>12} | {'peak RSS MB':>11} | "
        f"{'publish s':>9} | {'receipts/s':>10}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for size in sizes:
        with StandIn(size) as stand_in:
            runs = sorted((fetch_in_child(stand_in.url) for _ in range(FETCH_RUNS)),
                          key=lambda r: r["seconds"])  # fmt: skip
            fetched = runs[len(runs) // 2] | {"rss_mb": max(r["rss_mb"] for r in runs)}
            assert fetched["count"] == size, fetched
            published = publish(stand_in.url)
        row = {"suppliers": size, **fetched, "publish": published}
        rows.append(row)
        print(
            f"{size:>9,} | {fetched['seconds']:>7.2f} | {fetched['cpu']:>12.2f} | "
            f"{fetched['rss_mb']:>11.0f} | "
            f"{published['seconds']:>9.2f} | {published['per_second']:>10.1f}"
        )
    largest = rows[-1]
    verdict = largest["seconds"] < FETCH_SECONDS_LIMIT and largest["rss_mb"] < FETCH_RSS_LIMIT_MB
    print(
        f"fetch of {largest['suppliers']:,} suppliers: "
        f"{'within' if verdict else 'OVER'} the {FETCH_SECONDS_LIMIT:.0f} s / "
        f"{FETCH_RSS_LIMIT_MB} MB budget"
    )
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fetch":
        sys.path.insert(0, str(ROOT))
        os.chdir(ROOT)
        fetch(sys.argv[2])
    else:
        run()
