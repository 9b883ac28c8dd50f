"""What went wrong with the index on disk, said once and plainly: a full disk, a read-only folder,
or damaged data, each with what to do about it."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chromadb.errors import ChromaError

from qa.errors import StoreError

_DISK_FULL = ("disk is full", "no space left", "database or disk is full", "quota exceeded")
_READ_ONLY = ("readonly database", "read-only file system", "read only file system")
# Chroma reports a write that ran out of space as a failed compaction or log write, without the
# cause; with this little room left, the cause is the disk.
NEARLY_FULL_BYTES = 64 * 2**20


def nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def disk_full_error(folder: Path, detail: str) -> StoreError:
    return StoreError(
        f"The disk holding {folder} is full ({detail}). Free some space and run the command again: what was "
        "stored before is kept, and an interrupted ingest is completed by the next one."
    )


def read_only_error(folder: Path) -> StoreError:
    return StoreError(
        f"The index folder {folder} is read-only: questions can be answered from it, but documents cannot be "
        "added, changed or removed. Make it writable, or set QA_INDEX_DIR to a writable folder."
    )


def damaged_error(folder: Path, detail: str) -> StoreError:
    return StoreError(
        f"The index in {folder} is damaged ({detail}). Run `qa repair` to rebuild it from what is intact; "
        "if that fails, move the folder aside and ingest your documents again."
    )


def classify(folder: Path, exc: BaseException) -> StoreError:
    """The one message for a storage failure below us (Chroma, SQLite or the file system)."""
    detail = " ".join(str(exc).split())[:160] or type(exc).__name__
    lowered = detail.lower()
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT) or any(s in lowered for s in _DISK_FULL):
        return disk_full_error(folder, detail)
    if isinstance(exc, OSError) and exc.errno == errno.EROFS or any(s in lowered for s in _READ_ONLY):
        return read_only_error(folder)
    if nearly_full(folder):
        return disk_full_error(folder, f"{shutil.disk_usage(folder).free // 1024} KB free; {detail}")
    return damaged_error(folder, detail)


def check_database(database: Path, folder: Path) -> None:
    """SQLite's own consistency check, read-only. Chroma reads some damaged databases as empty, so
    an index that opens empty is checked (on a full one it would cost seconds at every start)."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)").fetchall()]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems != ["ok"]:
        raise damaged_error(folder, f"{database.name}: {' '.join('; '.join(problems).split())[:160]}")


@contextmanager
def storage_errors(folder: Path) -> Iterator[None]:
    """Turn a storage failure into one StoreError; anything else is a bug and passes through."""
    try:
        yield
    except StoreError:
        raise
    except (ChromaError, sqlite3.DatabaseError, OSError) as exc:
        raise classify(folder, exc) from None
