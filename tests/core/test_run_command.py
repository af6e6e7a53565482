"""``aftersale run`` serves the web and runs the worker together; Ctrl-C stops both.

The server is waited for until it answers, however long a busy machine takes to migrate and
start it (``READY_SECONDS`` is only there so that a broken start ends the test at all).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.own_database]

READY_SECONDS = 600  # generous: a busy machine is slow, never wrong
STOP_SECONDS = 60  # generous bound; the command itself gives its children 4 s


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_migrates_serves_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    # No SECRET_KEY either: `aftersale run` keeps a random one in var/ for web and worker.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "EMAIL_URL", "SECRET_KEY"}
    }
    env.update(
        AFTERSALE_VAR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "run.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "aftersale.cli", "run", "--no-demo", "--port", str(port)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + READY_SECONDS
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as reply:
                    status = reply.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200, log.read_text()
        while time.monotonic() < deadline and "worker started" not in log.read_text():
            time.sleep(0.3)
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/aftersale/aftersale.css", timeout=10
        ) as reply:
            assert reply.status == 200
        process.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        process.wait(timeout=STOP_SECONDS * 2)
        took = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = log.read_text()
    assert f"Aftersale is running at http://127.0.0.1:{port}/" in output
    assert "worker started" in output
    assert f"E-mails sent:  {tmp_path / 'mail'}/" in output
    assert "Stopped." in output
    assert len((tmp_path / "secret_key").read_text().strip()) >= 50
    assert process.returncode == 0
    assert took < STOP_SECONDS, f"stopping took {took:.1f} s"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
