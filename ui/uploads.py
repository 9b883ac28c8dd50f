"""Uploaded files are copied under the index folder with names that cannot escape it."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import InputError
from qa.ingest.pipeline import IngestReport, Progress
from qa.ingest.registry import supported_extensions

if TYPE_CHECKING:
    from qa.assistant import Assistant

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_name(name: str) -> str:
    """A plain file name: no folders, no '..', no control or odd characters, at most 120 characters."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[:100] or "upload"
    return f"{stem}.{ext[:10]}" if ext else stem


def store_upload(temp_path: Path, original_name: str, folder: Path, max_bytes: int) -> Path:
    """Copy an upload into the uploads folder; a file of a type nothing reads never lands there."""
    extension = Path(safe_name(original_name)).suffix.lower()
    if extension not in supported_extensions():
        raise InputError(
            f"{original_name}: unsupported file type '{extension or '(none)'}' (supported: {', '.join(supported_extensions())})."
        )
    size = temp_path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{original_name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit.")
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, safe_name(original_name), temp_path)
    if folder.resolve() not in target.parents:
        raise InputError(f"Refused the file name {original_name!r}.")
    shutil.copyfile(temp_path, target)
    return target


def _free_name(folder: Path, name: str, upload: Path) -> Path:
    """The upload's own place: its name, or 'name-2.ext', 'name-3.ext'... when another file with
    other bytes holds it, so a second 'notes.txt' never replaces the first. The same bytes again
    keep their place (and the ingest finds them unchanged)."""
    stem, suffix = Path(name).stem, Path(name).suffix
    content = upload.read_bytes()
    for n in range(1, 10_000):
        target = (folder / (name if n == 1 else f"{stem}-{n}{suffix}")).resolve()
        if not target.exists() or target.read_bytes() == content:
            return target
    raise InputError(f"Too many uploads named {name!r}; rename the file.")


def ingest_uploads(
    assistant: Assistant, stored: list[Path], folder: Path, progress: Progress | None = None, added_by: str = "",
    shared: bool = True,
) -> IngestReport:
    """Ingest stored uploads as `added_by`'s (seen by everyone when shared), then delete the ones the
    ingest refused (corrupt, empty, over a budget): a rejected upload must not stay on the server."""
    report = assistant.ingest(stored, progress=progress, added_by=added_by, shared=shared)
    inside = folder.resolve()
    for result in report.files:
        path = Path(result.path)
        if result.status == "skipped" and inside in path.parents:
            path.unlink(missing_ok=True)
    return report
