from pathlib import Path

import pytest

from qa import Assistant, Settings
from qa.errors import IndexBusyError, InputError
from qa.ingest.pipeline import index_lock


@pytest.fixture
def assistant(tmp_path: Path, embedder) -> Assistant:
    return Assistant(Settings(index_dir=tmp_path / "idx"), embedder=embedder)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unchanged_files_are_not_embedded_again(tmp_path: Path, assistant: Assistant, embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "Resolution 06-NQ/TU sets out the urban programme. It runs to 2030.")
    write(docs, "b.md", "# Plan\n\nThe plan builds 14 industrial clusters.")
    first = assistant.ingest([docs])
    assert (first.count("added"), first.count("unchanged")) == (2, 0)
    calls = embedder.passage_calls
    chunks = assistant.store.count()

    second = assistant.ingest([docs])
    assert (second.count("added"), second.count("unchanged")) == (0, 2)
    assert embedder.passage_calls == calls
    assert assistant.store.count() == chunks


def test_changed_file_replaces_its_chunks(tmp_path: Path, assistant: Assistant) -> None:
    docs = tmp_path / "docs"
    path = write(docs, "a.txt", "The old plan had 9 clusters.")
    assistant.ingest([docs])
    path.write_text("The new plan has 14 clusters.", encoding="utf-8")
    report = assistant.ingest([docs])
    assert report.count("updated") == 1
    texts = [c.text for c in assistant.store.iter_chunks()]
    assert texts == ["The new plan has 14 clusters."]


def test_prune_removes_vanished_files_only_with_the_flag(tmp_path: Path, assistant: Assistant) -> None:
    docs = tmp_path / "docs"
    write(docs, "keep.txt", "Kept document about Khanh Hoa.")
    gone = write(docs, "gone.txt", "Document that will vanish.")
    assistant.ingest([docs])
    gone.unlink()
    assert assistant.ingest([docs]).count("removed") == 0
    assert len(assistant.documents()) == 2
    report = assistant.ingest([docs], prune=True)
    assert report.count("removed") == 1
    assert [Path(d.source).name for d in assistant.documents()] == ["keep.txt"]


def test_bad_files_are_skipped_with_reasons_and_good_ones_ingested(tmp_path: Path, assistant: Assistant) -> None:
    docs = tmp_path / "docs"
    write(docs, "good.txt", "Conclusion 544-KL/TU was issued on 06/02/2024.")
    write(docs, "empty.txt", "")
    write(docs, "blank.md", "   \n\n ")
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04")
    (docs / "latin1.txt").write_bytes("Quyết định".encode("utf-16"))
    write(docs, "deck.pptx", "not really")
    report = assistant.ingest([docs])
    reasons = {Path(f.path).name: f.reason for f in report.files if f.status == "skipped"}
    assert reasons["empty.txt"] == "empty file"
    assert "only whitespace" in reasons["blank.md"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"] or "binary" in reasons["latin1.txt"]
    assert "unsupported file type '.pptx'" in reasons["deck.pptx"]
    assert report.count("added") == 1
    assert assistant.ask("When was Conclusion 544-KL/TU issued?").citations[0].source.endswith("good.txt")


def test_missing_path_is_an_error_and_touches_nothing(tmp_path: Path, assistant: Assistant) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "Some policy text about clusters.")
    with pytest.raises(InputError, match="No such file or folder"):
        assistant.ingest([docs, tmp_path / "nope"])
    assert assistant.store.count() == 0


def test_a_second_writer_fails_clearly(tmp_path: Path, assistant: Assistant) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "Some policy text.")
    with index_lock(assistant.settings):
        with pytest.raises(IndexBusyError, match="Another ingest"):
            assistant.ingest([docs])
    assert assistant.ingest([docs]).count("added") == 1


def test_settings_change_uses_a_new_collection(tmp_path: Path, embedder) -> None:
    docs = tmp_path / "docs"
    write(docs, "a.txt", "Some policy text about clusters and hectares.")
    small = Assistant(Settings(index_dir=tmp_path / "idx", chunk_tokens=64, chunk_overlap=8), embedder=embedder)
    small.ingest([docs])
    large = Assistant(Settings(index_dir=tmp_path / "idx", chunk_tokens=256, chunk_overlap=8), embedder=embedder)
    assert small.store.name != large.store.name
    assert large.store.count() == 0


def test_identical_text_is_never_embedded_twice(tmp_path: Path, assistant: Assistant) -> None:
    docs = tmp_path / "docs"
    text = "Resolution 06-NQ/TU sets out the urban programme for Khanh Hoa to 2030."
    write(docs, "a.txt", text)
    first = assistant.ingest([docs])
    assert first.embedded == first.chunks == 1
    write(docs, "copy.txt", text)  # same paragraph in another file
    second = assistant.ingest([docs])
    assert second.count("added") == 1 and second.embedded == 0
    assistant.delete(next(d.doc_id for d in assistant.documents() if d.source.endswith("a.txt")))
    third = assistant.ingest([docs])  # re-adding a removed document
    assert third.count("added") == 1 and third.embedded == 0


def test_many_small_files_are_embedded_together(tmp_path: Path, assistant: Assistant, embedder) -> None:
    docs = tmp_path / "docs"
    for i in range(100):
        write(docs, f"note-{i:03}.txt", f"Note {i}. District office {i} opens at {i % 12 + 1} o'clock on weekdays.")
    calls = embedder.passage_calls
    report = assistant.ingest([docs])
    assert report.count("added") == 100 and report.embedded == 100
    assert embedder.passage_calls - calls == 4, "100 one-chunk files embed in batches of 32, not one call each"
    for doc in assistant.documents():
        hashes, present, expected = assistant.store.doc_state(doc.doc_id)
        assert hashes == {doc.doc_hash} and present == expected == doc.chunks == 1
    hits = assistant.retrieve("When does district office 57 open?")
    assert hits[0].chunk.source.endswith("note-057.txt")


def test_progress_is_printed_as_lines_when_not_on_a_terminal(tmp_path: Path) -> None:
    import subprocess
    import sys

    docs = tmp_path / "docs"
    for i in range(3):
        write(docs, f"note-{i}.txt", f"Note {i}. The office opens at {i + 8} o'clock.")
    run = subprocess.run([sys.executable, "-m", "qa", "--index-dir", str(tmp_path / "idx"), "ingest", str(docs)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert lines[0].startswith("ingest: 0/3 files (note-0.txt)") and lines[-1] == "ingest: 3/3 files"
    assert "\r" not in run.stderr
