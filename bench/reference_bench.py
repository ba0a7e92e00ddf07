"""How long a reference-data sync takes, and how much memory it needs, at scale.

    python -m bench.reference_bench [--n 20000]

The stand-in KashFlow serves N suppliers and N customers from a separate process (so its memory
is not counted), over real HTTP; this process syncs them into a fresh SQLite database (or the one
DATABASE_URL names) with a private redis-server for the sync lock, three times: the first sync
adds everything, the second finds nothing changed and must write nothing, the third follows 1% of
the suppliers renamed in KashFlow and must change only those. Then it times supplier matching
against what it synced. Peak memory is the measuring process's maximum resident set, Django and
all, as a worker would have it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30
TARGET_MB = 400


def _serve(n: int, conn) -> None:
    """The stand-in, in its own process; stops when the parent sends anything."""
    from kashflow.sandbox import Sandbox

    sandbox = Sandbox.start(port=0, suppliers=n, customers=n)
    conn.send((sandbox.url, sandbox.state.account.username, sandbox.state.account.password))
    # ("rename", k): a bookkeeper edits k suppliers in KashFlow; anything else: stop.
    while (message := conn.recv()) and message[0] == "rename":
        with sandbox.state.lock:
            for record in list(sandbox.state.suppliers.values())[: message[1]]:
                record["Name"] += " (renamed)"
        conn.send("done")
    sandbox.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(workdir: str) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is needed for the sync lock: run `make system-packages`.")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not start")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _time_matching(business, n: int) -> dict:
    """Median time of match_supplier against N suppliers: by VAT number, then by a misread name."""
    import statistics

    from kashflow.models import Supplier
    from publisher.matching import match_supplier

    # Twenty suppliers spread evenly over the list, the same ones every run.
    ids = list(
        Supplier.objects.filter(business=business).order_by("pk").values_list("pk", flat=True)
    )
    sample = list(Supplier.objects.filter(pk__in=ids[:: max(1, len(ids) // 20)][:20]))
    by_vat, by_name, found, wrong = [], [], 0, 0
    for supplier in sample:
        started = time.perf_counter()
        match_supplier(business, "", supplier.vat_number)
        by_vat.append(time.perf_counter() - started)
        # OCR drops a letter: "Thames Plumbing Ltd" read as "Thmes Plumbing Ltd".
        misread = supplier.name[:2] + supplier.name[3:]
        started = time.perf_counter()
        match = match_supplier(business, misread, "")
        by_name.append(time.perf_counter() - started)
        if match.record is not None:
            found += match.record.pk == supplier.pk
            wrong += match.record.pk != supplier.pk
    return {
        "commit": _commit(),
        "n": n,
        "sync": "match",
        "status": f"{found} right, {wrong} wrong, {len(sample) - found - wrong} asked",
        "seconds": round(statistics.median(by_name), 3),
        "vat_seconds": round(statistics.median(by_vat), 4),
        "peak_mb": round(_peak_mb(), 1),
        "suppliers": {},
        "customers": {},
        "error": "",
    }


def run(n: int = 20_000) -> list[dict]:
    """Sync N suppliers and N customers twice, then time matching; prints and returns the rows.

    The measuring runs in a fresh process, so its peak memory is the sync's own and its Django
    settings are its own whatever ran before it in this process.
    """
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    worker = context.Process(target=_measure_in_child, args=(n, child))
    worker.start()
    while not parent.poll(1):
        if not worker.is_alive():
            raise SystemExit(f"the bench process stopped (exit {worker.exitcode})")
    rows = parent.recv()
    worker.join(30)
    print(format_table(rows))
    return rows


def _measure_in_child(n: int, conn) -> None:
    conn.send(_measure(n))


def _measure(n: int) -> list[dict]:
    workdir = tempfile.mkdtemp(prefix="tillroll-bench-")
    parent, child = multiprocessing.get_context("spawn").Pipe()
    server = multiprocessing.get_context("spawn").Process(target=_serve, args=(n, child))
    server.start()
    redis_proc, redis_url = _start_redis(workdir)
    try:
        while not parent.poll(1):
            if not server.is_alive():
                raise SystemExit(f"the stand-in stopped before serving (exit {server.exitcode})")
        url, username, password = parent.recv()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "publisher.settings")
        os.environ["DATA_DIR"] = workdir
        os.environ["REDIS_URL"] = redis_url
        import django

        django.setup()
        from django.core.management import call_command

        from kashflow.models import Customer, Supplier
        from kashflow.sync import sync_business
        from publisher.models import Business

        call_command("migrate", verbosity=0)
        business = Business(name="Bench Ltd", slug=f"bench-{os.getpid()}")
        business.kashflow_username, business.kashflow_password = username, password
        business.kashflow_endpoint = url
        business.save()

        rows = []
        for label in ("first sync", "unchanged", "1% renamed"):
            if label == "1% renamed":
                parent.send(("rename", max(1, n // 100)))
                parent.recv()
            before = _rss_mb()
            started = time.perf_counter()
            result = sync_business(business, trigger="bench")
            seconds = time.perf_counter() - started
            counts = result.counts
            rows.append(
                {
                    "commit": _commit(),
                    "n": n,
                    "sync": label,
                    "status": result.status,
                    "seconds": round(seconds, 2),
                    "peak_mb": round(_peak_mb(), 1),
                    "rss_before_mb": round(before, 1),
                    "suppliers": counts.get("suppliers", {}),
                    "customers": counts.get("customers", {}),
                    "local_suppliers": Supplier.objects.filter(business=business).count(),
                    "local_customers": Customer.objects.filter(business=business).count(),
                    "error": result.error,
                }
            )
        rows.append(_time_matching(business, n))
        return rows
    finally:
        if server.is_alive():
            parent.send(("stop",))
            server.join(30)
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def format_table(rows: list[dict]) -> str:
    def changes(c: dict) -> str:
        return f"+{c.get('added', 0)} ~{c.get('changed', 0)} -{c.get('deactivated', 0)}"

    header = (
        f"{'commit':<9} {'N':>6} {'sync':<11} {'status':<9} {'seconds':>8} {'peak MB':>8} "
        f"{'suppliers':>16} {'customers':>16}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        if r["sync"] == "match":
            lines.append(
                f"{r['commit']:<9} {r['n']:>6} {'match':<11} {'':<9} {r['seconds']:>8.3f} "
                f"{r['peak_mb']:>8.1f}   median per misread name; by VAT number "
                f"{r['vat_seconds']:.4f}s; 20 names: {r['status']} (reviewer chooses)"
            )
            continue
        lines.append(
            f"{r['commit']:<9} {r['n']:>6} {r['sync']:<11} {r['status']:<9} "
            f"{r['seconds']:>8.2f} {r['peak_mb']:>8.1f} {changes(r['suppliers']):>16} "
            f"{changes(r['customers']):>16}"
        )
        if r["error"]:
            lines.append(f"  error: {r['error']}")
    first = rows[0]
    ok = first["seconds"] < TARGET_SECONDS and max(r["peak_mb"] for r in rows) < TARGET_MB
    lines.append(
        f"target: N={first['n']} under {TARGET_SECONDS}s and {TARGET_MB} MB peak: "
        + ("met" if ok else "NOT met")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="suppliers, and as many customers")
    args = parser.parse_args(argv)
    run(args.n)


if __name__ == "__main__":
    main()
