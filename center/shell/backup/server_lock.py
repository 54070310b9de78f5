"""Whether a server is running on this data folder: every app process holds a shared lock on
data/server.lock while it serves; `center restore` asks for an exclusive lock and is refused while
any server holds its shared one. The kernel drops the lock when a process ends, however it ends,
so a crashed server never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "server.lock"


def _open(data_dir: Path) -> int:
    data_dir.mkdir(parents=True, exist_ok=True)
    return os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def serving(data_dir: Path) -> Iterator[None]:
    """Hold the shared lock while a server process runs."""
    fd = _open(data_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def exclusive(data_dir: Path) -> Iterator[bool]:
    """Yield True while holding the exclusive lock (no server runs, and none can start), False if
    a server holds the folder."""
    fd = _open(data_dir)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
