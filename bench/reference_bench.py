"""How long a reference-data sync takes, and how much memory it needs, at scale.

    python -m bench.reference_bench [--n 20000]

The stand-in KashFlow serves N suppliers and N customers from a separate process (so its memory
is not counted), over real HTTP; this process syncs them into a fresh SQLite database (or the one
DATABASE_URL names) with a private redis-server for the sync lock, twice: the first sync adds
everything, the second finds nothing changed and must write nothing. Peak memory is this
process's maximum resident set, Django and all, as a worker would have it.
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
    conn.recv()
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


def run(n: int = 20_000) -> list[dict]:
    """Sync N suppliers and N customers twice; returns one row per sync."""
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
        for label in ("first sync", "unchanged"):
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
        return rows
    finally:
        if server.is_alive():
            parent.send("stop")
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
    print(format_table(run(args.n)))


if __name__ == "__main__":
    main()
