import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from publisher.demo import DEMO_PASSWORD, DEMO_USERNAME
from publisher.models import Business, Membership, Role


@pytest.mark.django_db
def test_it_seeds_the_demo_once_however_often_it_runs(capsys):
    call_command("demo", seed_only=True, sandbox_port=8765)
    call_command("demo", seed_only=True, sandbox_port=9876)

    business = Business.objects.get()
    assert business.kashflow_endpoint == "http://127.0.0.1:9876/api/service.asmx"
    assert business.kashflow_password == "demo"
    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert user.check_password(DEMO_PASSWORD)
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert Membership.objects.count() == 2
    out = capsys.readouterr().out
    assert "Created the demo business" in out and "Reusing the demo business" in out


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_stops_everything_on_ctrl_c_even_when_started_in_the_background(tmp_path):
    """`make demo &` from a script starts it with SIGINT ignored; `kill -INT` must still stop
    it, and stopping must not leave the workers printing tracebacks about a vanished Redis."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: run `make test`.")
    root = Path(__file__).resolve().parents[2]
    web, sandbox, redis_port = _free_port(), _free_port(), _free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        # A port nobody listens on: the demo starts (and must stop) its own Redis.
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DJANGO_SETTINGS_MODULE": "publisher.settings",
    }
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(root / "manage.py"), "demo", "--port", str(web)]
            + ["--sandbox-port", str(sandbox), "--capture-workers", "1"],
            cwd=root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
        try:
            deadline = time.monotonic() + 90
            while b"Press Ctrl-C" not in log.read_bytes():
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
            time.sleep(2)  # the workers are listening on their queues
            proc.send_signal(signal.SIGINT)
            assert proc.wait(40) == 0
        finally:
            if proc.poll() is None:
                # SIGTERM lets the demo stop the processes it started; SIGKILL would orphan them.
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
    text = log.read_text()
    assert "Stopping" in text
    assert "Traceback" not in text, text[-3000:]
