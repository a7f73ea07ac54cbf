"""The processes one `api` command serves with, and the one among them that runs the workers
that must run once (consumers, schedulers).

uvicorn's workers are the children of one parent process; `ProcessGroupLock` is an exclusive
`flock` on a file named by the service and that parent, so it is shared by exactly that group.
The holder keeps it until it exits (or dies: the kernel releases it); the others try again
every `retry_s`, so a restarted group's survivor takes over.

`prepare_multiprocess_metrics` is the parent's part of Prometheus' multiprocess mode: the
workers write their metrics to files in `PROMETHEUS_MULTIPROC_DIR` and whichever is scraped
adds them all up (`samspill.observability.Metrics.render`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import tempfile
from pathlib import Path
from typing import IO

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


class ProcessGroupLock:
    def __init__(self, name: str, *, group: int | None = None, retry_s: float = 1.0) -> None:
        group = os.getppid() if group is None else group
        self.path = Path(tempfile.gettempdir()) / f"samspill-{name}-{group}.lock"
        self.retry_s = retry_s
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process holds the lock (True) or `stop` is set (False)."""
        while not stop.is_set():
            if self.try_acquire():
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_s)
        return False

    def try_acquire(self) -> bool:
        if self._file is not None:
            return True
        handle = self.path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()  # closing the file releases the lock


def prepare_multiprocess_metrics() -> Path:
    """In the parent, before the workers start: `PROMETHEUS_MULTIPROC_DIR` as given (emptied of
    an earlier run's files) or a new temporary directory, set for the workers to inherit."""
    given = os.environ.get(MULTIPROC_DIR)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink(missing_ok=True)
    else:
        directory = Path(tempfile.mkdtemp(prefix="samspill-metrics-"))
        os.environ[MULTIPROC_DIR] = str(directory)
    return directory


def multiprocess_metrics_dir() -> str | None:
    """The directory of Prometheus' multiprocess mode, when this process is in it."""
    return os.environ.get(MULTIPROC_DIR) or None
