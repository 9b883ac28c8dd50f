"""The one place that reaches into Chroma's internals. tests/test_store_contract.py fails when
Chroma changes what this relies on.

Embedded Chroma keeps one System (with its in-memory vector index) per persist path per process,
and public API offers no way to reload one path without dropping every other path's System
(`clear_system_cache()` does that, and breaks open clients). After another process writes to the
same path, forgetting this path's System is the only way to see its new vectors without a restart.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.shared_system_client import SharedSystemClient


def forget_client(persist_path: str) -> None:
    """Make the next PersistentClient(path=persist_path) in this process start a fresh System.
    Clients already open on that path follow it once it is created."""
    SharedSystemClient._identifier_to_system.pop(persist_path, None)


def has_system(persist_path: str) -> bool:
    systems: dict[str, Any] = SharedSystemClient._identifier_to_system
    return persist_path in systems
