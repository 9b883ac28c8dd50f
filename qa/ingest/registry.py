"""Files -> documents: one loader per file extension, registered with @loader.

A loader returns the document text in its stored form (NFC) plus its title and section headings,
each heading with the character offset where its section starts. The format modules register
themselves when imported, and the `qa.ingest` package imports them all, so anything that reaches
this module through the package finds every loader, and this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qa.types import LoadedDocument


@dataclass(frozen=True)
class Limits:
    """What one file may cost at ingest (the QA_MAX_* settings), so no single file holds the
    ingest lock for long or fills the memory."""

    max_bytes: int
    max_pages: int = 2000
    max_ocr_seconds: float = 600.0
    max_unpacked_bytes: int = 200_000_000
    max_zip_ratio: float = 200.0
    ocr_cache: Path | None = None


Loader = Callable[[Path, Limits], LoadedDocument]
_LOADERS: dict[str, Loader] = {}


class SkipFile(Exception):
    """A file that cannot be ingested; the message is the reason shown in the summary."""


def loader(*extensions: str) -> Callable[[Loader], Loader]:
    """Register a function as the loader of these extensions ('.pdf')."""

    def register(function: Loader) -> Loader:
        for extension in extensions:
            _LOADERS[extension.lower()] = function
        return function

    return register


def read_bytes(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size == 0:
        raise SkipFile("empty file")
    if size > max_bytes:
        raise SkipFile(f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (QA_MAX_FILE_MB)")
    try:
        return path.read_bytes()
    except PermissionError:
        raise SkipFile("permission denied: cannot read the file") from None


def supported_extensions() -> list[str]:
    return sorted(_LOADERS)


def load(path: Path, limits: Limits) -> LoadedDocument:
    found = _LOADERS.get(path.suffix.lower())
    if found is None:
        supported = ", ".join(supported_extensions())
        raise SkipFile(f"unsupported file type '{path.suffix or '(none)'}' (supported: {supported})")
    return found(path, limits)
