"""File locks on the index folder: one writer at a time, and one opener of a new embedded index."""

from __future__ import annotations

import errno
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.errors import IndexBusyError, StoreError
from qa.index.damage import disk_full_error, read_only_error


@contextmanager
def folder_lock(folder: Path, name: str, wait: bool, busy_message: str = "") -> Iterator[None]:
    """Hold `folder/name` locked. wait=False fails at once with IndexBusyError(busy_message)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / name, "w")
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise read_only_error(folder) from None
        if exc.errno == errno.ENOSPC:
            raise disk_full_error(folder, exc.strerror or str(exc)) from None
        raise StoreError(f"Cannot use the index folder {folder}: {exc.strerror}. Set QA_INDEX_DIR.") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(busy_message) from None
        yield
