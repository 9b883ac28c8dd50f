"""Files from outside and hostile names: links out of an ingested folder are not followed, names
cannot forge or reverse the CLI summary, and rejected uploads do not stay on the server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qa import Assistant, Settings
from qa.errors import InputError
from ui.uploads import ingest_uploads, store_upload


def qa_ingest(index: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qa", "--index-dir", str(index), "ingest", *map(str, paths)],
                          capture_output=True, text=True, timeout=600)


def test_links_out_of_the_folder_are_not_followed_and_the_summary_says_so(tmp_path: Path) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "secret.txt").write_text("The vault code is 4417.", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "plan.txt").write_text("The plan builds 14 industrial clusters.", encoding="utf-8")
    (docs / "secret-link.txt").symlink_to(outside / "secret.txt")
    (docs / "plan-link.txt").symlink_to(docs / "plan.txt")  # inside the folder: the same document
    run = qa_ingest(tmp_path / "idx", docs)
    assert run.returncode == 0, run.stderr
    assert f"skipped   {docs / 'secret-link.txt'}: a link to a file outside {docs}: not followed" in run.stdout
    assert "Done: 1 added, 0 updated, 0 unchanged, 0 removed, 1 skipped." in run.stdout
    sources = [d.source for d in Assistant(Settings(index_dir=tmp_path / "idx")).documents()]
    assert sources == [str((docs / "plan.txt").resolve())]


def test_control_characters_in_file_names_are_escaped_in_the_summary(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    forged = "notes\nDone: 9 added, 0 updated, 0 unchanged, 0 removed, 0 skipped.\n.txt"
    reversed_name = "report\u202etxt.exe.txt"
    (docs / forged).write_text("The ferry terminal has 8 berths.", encoding="utf-8")
    (docs / reversed_name).write_text("", encoding="utf-8")
    (docs / "bell\x07.md").write_text("# Bell\n\nThe bell rings at 7.", encoding="utf-8")
    run = qa_ingest(tmp_path / "idx", docs)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line for line in lines if line.startswith("Done:")] == ["Done: 2 added, 0 updated, 0 unchanged, 0 removed, 1 skipped."]
    assert any("notes\\nDone: 9 added" in line for line in lines)
    assert any("report\\u202etxt.exe.txt: empty file" in line for line in lines)
    assert any("bell\\x07.md" in line for line in lines)
    assert not any(ch in run.stdout for ch in "\u202e\x07")


def test_an_upload_of_a_type_nothing_reads_never_lands_in_the_folder(tmp_path: Path) -> None:
    temp = tmp_path / "tmp-upload"
    temp.write_bytes(b"MZ\x90\x00 not really a program")
    folder = tmp_path / "uploads"
    with pytest.raises(InputError, match=r"unsupported file type '\.exe'"):
        store_upload(temp, "setup.exe", folder, 10_000)
    assert not folder.exists() or list(folder.iterdir()) == []


def test_uploads_the_ingest_rejects_are_removed(tmp_path: Path, embedder) -> None:
    folder = tmp_path / "uploads"
    good, broken = tmp_path / "good-temp", tmp_path / "broken-temp"
    good.write_text("The coastal road is 42 kilometres long.", encoding="utf-8")
    broken.write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF")
    stored = [store_upload(good, "road.txt", folder, 10_000), store_upload(broken, "scan.pdf", folder, 10_000)]
    report = ingest_uploads(Assistant(Settings(index_dir=tmp_path / "idx"), embedder=embedder), stored, folder)
    assert {Path(f.path).name: f.status for f in report.files} == {"road.txt": "added", "scan.pdf": "skipped"}
    assert sorted(p.name for p in folder.iterdir()) == ["road.txt"]


def test_a_second_upload_with_the_same_name_never_replaces_the_first(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_text("Alice's notes on the budget.", encoding="utf-8")
    second.write_text("Bob's notes on the schools.", encoding="utf-8")
    kept = store_upload(first, "notes.txt", folder, 10_000)
    other = store_upload(second, "notes.txt", folder, 10_000)
    assert kept != other and other.name == "notes-2.txt"
    assert kept.read_text(encoding="utf-8") == "Alice's notes on the budget."
    assert store_upload(first, "notes.txt", folder, 10_000) == kept, "the same bytes again keep their place"
