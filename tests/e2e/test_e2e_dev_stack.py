"""`make dev` on embedded defaults: all three services come up ready, clean Ctrl-C."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from samspill.infra import drop_database, port_answers

# The demo data it loads is laid out from today: terms, school holidays, windows.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.calendar, pytest.mark.timeout(360)]

# Bounds a hang only: a slow or busy machine must not fail the test.
READY_WITHIN_S = 300


@pytest.fixture
async def dev_databases(infra):
    """A database prefix of the test's own; the databases are dropped afterwards."""
    prefix = f"t_dev_{uuid.uuid4().hex[:6]}_"
    yield prefix
    for name in ("facilities", "booking", "notifications"):
        await drop_database(infra.postgres.url, prefix + name)


def _free_base_port() -> int:
    for _ in range(50):
        base = random.randrange(20_000, 40_000)
        if not any(port_answers("127.0.0.1", base + i, 0.1) for i in range(3)):
            return base
    raise RuntimeError("no three free ports in a row")


def test_dev_stack_comes_up_and_stops_cleanly(tmp_path, dev_databases):
    base = _free_base_port()
    db_prefix = dev_databases
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "SAMSPILL_ENV"}
        },
        "SAMSPILL_DEV_BASE_PORT": str(base),
        "SAMSPILL_DATA_DIR": str(tmp_path / ".samspill"),
        "SAMSPILL_DEV_DB_PREFIX": db_prefix,
    }
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "samspill.cli", "dev"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if "Stopp med Ctrl-C" in line or process.poll() is not None:
                break
            assert time.monotonic() - started < READY_WITHIN_S, "".join(output)
        for offset in range(3):
            response = httpx.get(f"http://127.0.0.1:{base + offset}/readyz", timeout=5)
            assert response.status_code == 200, "".join(output)
        assert "Admin-token" in "".join(output)
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
        output.append(rest or "")
    assert process.returncode == 0, "".join(output)
    assert not any(port_answers("127.0.0.1", base + i, 0.2) for i in range(3))
