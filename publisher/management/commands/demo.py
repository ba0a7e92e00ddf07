"""Run the whole product on one machine: web, workers, scheduler, KashFlow stand-in and Redis.

Safe to run again: the demo data is created once and reused. Ctrl-C stops every process.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

import redis
from django.conf import settings
from django.core.management import BaseCommand, call_command

from publisher.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Seed the demo business and run every process of the product in the foreground."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8765)
        parser.add_argument("--capture-workers", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--seed-only", action="store_true", help="Seed the data and exit.")

    def handle(self, *args, port, sandbox_port, capture_workers, seed_only, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", verbosity=0, interactive=False)
        sandbox_url = f"http://127.0.0.1:{sandbox_port}/api/service.asmx"
        business, user, created = seed_demo(sandbox_url)
        self.stdout.write(
            f"{'Created' if created else 'Reusing'} the demo business {business.name!r}."
        )
        if seed_only:
            return

        procs: list[subprocess.Popen] = []
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONUNBUFFERED": "1"}

        def start(*cmd: str) -> None:
            procs.append(subprocess.Popen(cmd, env=env, start_new_session=True))

        # A supervisor (or `timeout`) stops us with SIGTERM: clean up exactly as for Ctrl-C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        # Started in the background from a script (`make demo &`), SIGINT arrives ignored and
        # `kill -INT` would do nothing: take it back.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        redis_proc = None
        try:
            redis_proc = self._ensure_redis()
            start(
                python,
                manage,
                "kashflow_sandbox",
                "--port",
                str(sandbox_port),
                "--state",
                str(settings.DATA_DIR / "kashflow-sandbox.json"),
            )
            for _ in range(max(1, capture_workers)):
                start(python, manage, "rqworker", "capture", "--with-scheduler")
            start(python, manage, "rqworker", "publish", "sync", "default")
            start(python, manage, "rqcron", "publisher.cron")
            start(python, manage, "runserver", "--noreload", f"127.0.0.1:{port}")
            _wait_for("127.0.0.1", sandbox_port)
            _wait_for("127.0.0.1", port)
            call_command("sync_reference_data", business=business.slug)
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nTillroll is running at http://127.0.0.1:{port}/\n"
                    f"Sign in as {user.username!r} with password {DEMO_PASSWORD!r}.\n"
                    f"The KashFlow stand-in answers at {sandbox_url}\n"
                    "Press Ctrl-C to stop everything.\n"
                )
            )
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
            self.stderr.write("A process stopped on its own; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            # Redis goes last: workers still talking to it would die with tracebacks.
            _stop(procs)
            _stop([redis_proc] if redis_proc is not None else [])

    def _ensure_redis(self) -> subprocess.Popen | None:
        """Use the Redis at REDIS_URL if it answers; otherwise start one there for the demo."""
        url = settings.REDIS_URL
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            return None
        except redis.ConnectionError:
            pass
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server is not installed: run `make demo`, which installs it.")
        parsed = urlparse(url)
        workdir = settings.DATA_DIR / "redis"
        workdir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(parsed.port or 6379),
                "--bind",
                parsed.hostname or "127.0.0.1",
                "--dir",
                str(workdir),
                "--save",
                "60 1",
                "--appendonly",
                "no",
            ],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            try:
                redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                self.stdout.write(f"Started redis-server for the demo on {url}.")
                return proc
            except redis.ConnectionError:
                time.sleep(0.1)
        proc.kill()
        raise SystemExit(f"Could not start redis-server at {url}.")


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _wait_for(host: str, port: int, seconds: float = 30) -> None:
    """Block until something listens on host:port, so the first request is not refused."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"Nothing started listening on {host}:{port} within {seconds:.0f} s.")
