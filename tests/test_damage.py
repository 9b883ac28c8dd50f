"""Damaged state: each kind gives one clear message (never a traceback or a silently empty index),
and answering works from a read-only index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qa import Assistant, Settings
from tests.conftest import SAMPLE

QUESTION = "How many industrial clusters are planned in Khanh Hoa?"


def qa(index: Path, *args: str | bytes) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa", "--index-dir", str(index), *args], capture_output=True, text=True,
                          timeout=600)


def one_error_line(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 1, (run.stdout, run.stderr)
    lines = [line for line in run.stderr.strip().splitlines() if not line.startswith("ingest: ")]  # progress lines
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    return lines[0]


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    index = tmp_path_factory.mktemp("built") / "idx"
    assistant = Assistant(Settings(index_dir=index), embedder=embedder)
    assistant.ingest([SAMPLE / "khanh-hoa-industrial-clusters.txt"])
    assistant.retriever.bm25.persist()
    return index


def copy_of(index: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(index, tmp_path / "idx"))


@contextmanager
def mounted(target: Path, *options: str) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(["mount", *options, str(target)], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip(f"needs permission to mount ({run.stderr.strip()})")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True)


@contextmanager
def read_only_view(folder: Path) -> Iterator[Path]:
    """The folder as a process without write access sees it: a read-only bind mount for root (who
    writes through any permission), no write permission for anyone else."""
    if os.geteuid() == 0:
        view = folder.parent / "read-only-view"
        with mounted(view, "--bind", str(folder)):
            subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
            yield view
        return
    paths = [folder, *folder.rglob("*")]
    for path in paths:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        yield folder
    finally:
        for path in paths:
            path.chmod(path.stat().st_mode | 0o200)


def test_a_corrupt_chroma_database_is_one_clear_error(built_index: Path, tmp_path: Path) -> None:
    index = copy_of(built_index, tmp_path)
    database = index / "chroma" / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    data[100:4096] = b"\xff" * 3996
    database.write_bytes(bytes(data))
    for command in (("ask", QUESTION), ("documents",)):
        line = one_error_line(qa(index, *command))
        assert "is damaged" in line and "qa repair" in line


def test_an_emptied_chroma_database_is_not_a_silently_empty_index(built_index: Path, tmp_path: Path) -> None:
    index = copy_of(built_index, tmp_path)
    (index / "chroma" / "chroma.sqlite3").write_bytes(b"")
    line = one_error_line(qa(index, "ask", QUESTION))
    assert "chroma.sqlite3 is missing or empty" in line and "qa repair" in line


def test_a_chroma_database_damaged_inside_is_one_clear_error(built_index: Path, tmp_path: Path) -> None:
    """Zeroed pages in the middle: depending on which pages, Chroma fails to read, or reads the
    collections as missing and would open an empty index (SQLite's own check catches that)."""
    index = copy_of(built_index, tmp_path)
    database = index / "chroma" / "chroma.sqlite3"
    data = bytearray(database.read_bytes())
    data[200_000:260_000] = bytes(60_000)
    database.write_bytes(bytes(data))
    for command in (("ask", QUESTION), ("documents",)):
        line = one_error_line(qa(index, *command))
        assert "is damaged" in line and "qa repair" in line


def test_a_corrupt_embedding_cache_is_set_aside_and_the_ingest_goes_on(built_index: Path, tmp_path: Path, embedder) -> None:
    index = copy_of(built_index, tmp_path)
    (index / "embeddings.sqlite3").write_bytes(b"not a database " * 1000)
    assistant = Assistant(Settings(index_dir=index), embedder=embedder)
    report = assistant.ingest([SAMPLE / "khanh-hoa-ket-luan-544-KL-TU-2024.txt"])
    assert report.count("added") == 1
    assert any("embedding cache was damaged" in note for note in report.notes)
    assert list(index.glob("embeddings.sqlite3.damaged-*"))
    again = Assistant(Settings(index_dir=index), embedder=embedder).ingest([SAMPLE / "khanh-hoa-ket-luan-544-KL-TU-2024.txt"])
    assert again.notes == [] and again.count("unchanged") == 1


def test_a_read_only_index_answers_and_refuses_writes_clearly(built_index: Path, tmp_path: Path) -> None:
    index = copy_of(built_index, tmp_path)
    before = sorted(p.name for p in index.iterdir())
    with read_only_view(index) as view:
        asked = qa(view, "ask", QUESTION)
        assert asked.returncode == 0, asked.stderr
        assert "14 industrial clusters" in asked.stdout
        listed = qa(view, "documents")
        assert listed.returncode == 0, listed.stderr
        doc_id = listed.stdout.split()[0]  # the first document's id: it exists, so only read-only can refuse it
        for command in (("ingest", str(SAMPLE / "khanh-hoa-ket-luan-544-KL-TU-2024.txt")), ("delete", doc_id)):
            line = one_error_line(qa(view, *command))
            assert "is read-only" in line and "QA_INDEX_DIR" in line
    assert sorted(p.name for p in index.iterdir()) == before


def test_a_full_disk_says_so_and_the_next_ingest_completes(tmp_path: Path, embedder) -> None:
    # The first stored batch (11 files of 25 chunks) fills the 3 MB disk; five more files follow it.
    docs = tmp_path / "docs"
    docs.mkdir()
    words = (SAMPLE / "khanh-hoa-industrial-clusters.txt").read_text(encoding="utf-8").split()
    for i in range(16):
        (docs / f"part-{i:02}.txt").write_text(" ".join(words[(i * 7 + k) % len(words)] for k in range(3000)) + ".",
                                               encoding="utf-8")
    with mounted(tmp_path / "disk", "-t", "tmpfs", "-o", "size=3m", "tmpfs") as disk:
        index = disk / "idx"
        line = one_error_line(qa(index, "ingest", str(docs)))
        assert f"The disk holding {index} is full" in line
        subprocess.run(["mount", "-o", "remount,size=200m", str(disk)], check=True)
        rerun = qa(index, "ingest", str(docs))
        assert rerun.returncode == 0, rerun.stderr
        assert "0 skipped" in rerun.stdout
        assert len(Assistant(Settings(index_dir=index), embedder=embedder).documents()) == 16


def test_a_question_with_a_byte_that_is_not_utf8_is_a_clear_error(built_index: Path) -> None:
    line = one_error_line(qa(built_index, "ask", b"How many clusters \xff are planned?"))
    assert "not valid UTF-8" in line
