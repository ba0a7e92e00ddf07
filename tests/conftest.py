"""Shared fixtures: a private Redis, real RQ workers, and the personas every test speaks of."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis
from django.conf import settings

pytest_plugins = ["tests.kashflow_fixtures", "tests.business_fixtures"]

TEST_REDIS_DB = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A Redis for this test run only: TEST_REDIS_URL if given, else a private redis-server."""
    given = os.environ.get("TEST_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.exit("redis-server is not installed: run `make test`, which installs it.", 3)
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="tillroll-redis-")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/{TEST_REDIS_DB}"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.exit("the private redis-server did not start", 3)
    yield url
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _point_queues_at_test_redis(redis_url):
    # django-rq reads these dicts on every get_queue(), so changing them in place is enough.
    for config in settings.RQ_QUEUES.values():
        config["URL"] = redis_url
    yield


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def redis_conn(redis_url):
    conn = redis.Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()


@pytest.fixture
def run_jobs(redis_conn):
    """Run every queued job to completion with a real RQ worker in burst mode.

    A SimpleWorker runs jobs in this process, so they see the test database.
    """
    import django_rq
    from rq import SimpleWorker

    def run(*queue_names: str) -> None:
        names = queue_names or ("capture", "publish", "sync", "default")
        queues = [django_rq.get_queue(name) for name in names]
        worker = SimpleWorker(queues, connection=queues[0].connection)
        worker.work(burst=True)

    return run
