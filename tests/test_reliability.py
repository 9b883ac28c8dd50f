"""Faults and hostile input: kill -9 mid-ingest, two writers, ingest while answering, hostile names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from qa import Assistant, Settings
from qa.errors import InputError
from tests.conftest import SAMPLE, seed_vectors
from ui.uploads import safe_name, store_upload


def make_corpus(folder: Path, files: int) -> Path:
    """Real sample text, cut into many files so an ingest takes long enough to interrupt."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs = [p for f in sorted(SAMPLE.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n") if len(p) > 80]
    for i in range(files):
        body = "\n".join(paragraphs[(i * 3 + k) % len(paragraphs)] for k in range(6))
        (folder / f"part-{i:03}.txt").write_text(f"Part {i}\n{body}\n", encoding="utf-8")
    return folder


def qa_ingest(index: Path, docs: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qa", "--index-dir", str(index), "ingest", str(docs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_consistent(assistant: Assistant, expected_files: int) -> None:
    chunks = list(assistant.store.iter_chunks())
    by_doc = Counter(c.doc_id for c in chunks)
    docs = assistant.documents()
    assert len(docs) == expected_files
    for doc in docs:
        hashes, present, expected = assistant.store.doc_state(doc.doc_id)
        assert len(hashes) == 1 and present == expected == by_doc[doc.doc_id]
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert len(assistant.retriever.lexical()) == len(chunks), "BM25 holds exactly the stored chunks"


def started_ingesting(proc: subprocess.Popen[str], files: int) -> None:
    """Wait for `qa ingest`'s first progress line: the model is loaded, the index locked, and the
    files are being read (their chunks are embedded next, which takes seconds)."""
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith(f"ingest: 0/{files} files"):
            return
    raise AssertionError(f"qa ingest ended before it started ingesting (exit {proc.wait()})")


def test_kill_9_mid_ingest_then_rerun_leaves_a_consistent_index(tmp_path: Path, embedder) -> None:
    docs = make_corpus(tmp_path / "docs", 12)
    index = tmp_path / "idx"
    proc = qa_ingest(index, docs)
    started_ingesting(proc, 12)
    time.sleep(1)  # into the embedding of the files' chunks
    assert proc.poll() is None, "ingest finished before it could be interrupted; make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rerun = qa_ingest(index, docs)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert "skipped" not in out.split("Done:")[-1].replace("0 skipped", "")
    assert_consistent(Assistant(Settings(index_dir=index), embedder=embedder), 12)


def test_two_writers_one_fails_clearly_and_nothing_corrupts(tmp_path: Path, embedder) -> None:
    # 16 files keep the winner writing for seconds; the loser meets the lock about a second after it starts.
    docs = make_corpus(tmp_path / "docs", 16)
    index = tmp_path / "idx"
    first, second = qa_ingest(index, docs), qa_ingest(index, docs)
    results = [p.communicate(timeout=600) + (p.returncode,) for p in (first, second)]
    codes = sorted(r[2] for r in results)
    assert codes == [0, 1], results
    loser = next(r for r in results if r[2] == 1)
    assert "Another ingest is writing" in loser[1]
    assert_consistent(Assistant(Settings(index_dir=index), embedder=embedder), 16)


def test_questions_keep_answering_during_an_ingest(tmp_path: Path, embedder, sample_vectors: Path) -> None:
    assistant = Assistant(Settings(index_dir=seed_vectors(tmp_path / "idx", sample_vectors)), embedder=embedder)
    assistant.ingest([SAMPLE / "khanh-hoa-industrial-clusters.txt"])
    docs = make_corpus(tmp_path / "docs", 6)
    errors: list[BaseException] = []
    answers = []
    done = threading.Event()

    def ask_repeatedly() -> None:
        while not done.is_set():
            try:
                answers.append(assistant.ask("How many industrial clusters are planned in Khanh Hoa?"))
            except BaseException as exc:  # noqa: BLE001 - any failure is what this test looks for
                errors.append(exc)

    worker = threading.Thread(target=ask_repeatedly)
    worker.start()
    try:
        assistant.ingest([docs])
    finally:
        done.set()
        worker.join(timeout=60)
    assert errors == []
    assert len(answers) >= 3
    assert all("14" in a.answer for a in answers)


def test_hostile_upload_names_stay_inside_the_folder(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("hello", encoding="utf-8")
    folder = tmp_path / "uploads"
    for name in ["../../etc/passwd", "/etc/shadow", "..", "a/../../b.txt", "C:\\Windows\\x.txt", "ｅｖｉｌ\u202e.txt",
                 "\x00null.txt", ".hidden", "  ", "x" * 500 + ".md", "../../etc/passwd.txt", "/etc/shadow.md"]:
        try:
            stored = store_upload(source, name, folder, 1000)
        except InputError as exc:  # a name left without a readable extension is refused before copying
            assert "unsupported file type" in str(exc)
            continue
        assert folder.resolve() in stored.parents and stored.read_text() == "hello"
    assert not (tmp_path / "etc").exists()


def test_oversized_upload_is_refused(tmp_path: Path) -> None:
    import pytest

    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 5000)
    with pytest.raises(InputError, match="over the"):
        store_upload(big, "big.txt", tmp_path / "uploads", 1000)
    assert not (tmp_path / "uploads" / "big.txt").exists()


@given(st.text(max_size=200))
def test_safe_name_never_leaves_the_folder(name: str) -> None:
    result = safe_name(name)
    assert result and "/" not in result and "\\" not in result
    assert result not in (".", "..") and not result.startswith(".")
    assert len(result) <= 111


def test_secrets_are_not_in_settings_repr() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:1/v1", llm_model="m", llm_api_key="sk-hidden-123",
                        ui_auth="u:pw-hidden")
    text = repr(settings) + str(settings.model_dump())
    assert "sk-hidden-123" not in text and "pw-hidden" not in text


def test_an_ingest_in_another_process_reaches_both_dense_and_bm25(tmp_path: Path, embedder, sample_vectors: Path) -> None:
    """`qa serve` with `qa ingest` in another terminal: the serving process answers throughout, and
    then from the new document too (embedded Chroma keeps vectors in memory per process)."""
    index = seed_vectors(tmp_path / "idx", sample_vectors)
    serving = Assistant(Settings(index_dir=index), embedder=embedder)
    serving.ingest([SAMPLE / "khanh-hoa-industrial-clusters.txt"])
    assert "14" in serving.ask("How many industrial clusters are planned in Khanh Hoa?").answer
    docs = make_corpus(tmp_path / "docs", 6)
    (docs / "harbour.txt").write_text(
        "Harbour note. The Cam Ranh harbour dredging plan was approved with a budget of 12 billion dong.\n", encoding="utf-8"
    )
    other = qa_ingest(index, docs)
    answers = []
    while other.poll() is None:
        answers.append(serving.ask("How many industrial clusters are planned in Khanh Hoa?"))
    _, err = other.communicate(timeout=600)
    assert other.returncode == 0, err
    assert all("14" in a.answer for a in answers)

    harbour = str((docs / "harbour.txt").resolve())
    hits = serving.retrieve("Cam Ranh harbour dredging plan budget")
    assert any(h.chunk.source == harbour and h.dense_rank is not None for h in hits), "the dense side sees it"
    answer = serving.ask("What budget was the Cam Ranh harbour dredging plan approved with?")
    assert "12 billion dong" in answer.answer and answer.citations[0].source == harbour
    assert_consistent(serving, 8)
