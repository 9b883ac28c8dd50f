"""Hostile and damaged files: each one is that file's skip reason, and the rest of the ingest goes on."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from qa import Assistant, Settings
from tests.test_formats import make_docx

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
    )
    + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
    b"<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


def rewrite_docx(source: Path, target: Path, member: str, data: bytes, extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a real .docx with one part replaced (and any parts added)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            copy.writestr(item.filename, data if item.filename == member else original.read(item.filename))
        for name, content in (extra or {}).items():
            copy.writestr(name, content)
    return target


def hostile_docx_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    good = make_docx(folder / "good.docx")
    (folder / "notes.txt").write_text("The ferry terminal at Cam Ranh has 8 berths.", encoding="utf-8")
    (folder / "plan.md").write_text("# Plan\n\nThe plan builds 14 industrial clusters.", encoding="utf-8")
    with zipfile.ZipFile(good) as package:
        document = package.read("word/document.xml")
    rewrite_docx(good, folder / "truncated.docx", "word/document.xml", document[: len(document) // 2])
    rewrite_docx(good, folder / "laughs.docx", "word/document.xml", BILLION_LAUGHS)
    # 60 MB of zeros squeezed to about 60 KB: inflating such members is how a zip bomb fills memory.
    rewrite_docx(good, folder / "bomb.docx", "word/document.xml", document, {"word/media/blob.bin": bytes(60_000_000)})
    return folder


def test_hostile_word_files_are_skipped_and_the_good_files_ingested(tmp_path: Path) -> None:
    docs = hostile_docx_folder(tmp_path / "docs")
    index = tmp_path / "idx"
    run = subprocess.run([sys.executable, "-m", "qa", "--index-dir", str(index), "ingest", str(docs)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = {line.split()[1].rstrip(":").rsplit("/", 1)[-1]: line for line in run.stdout.splitlines() if line.startswith(("added", "skipped"))}
    assert "corrupt or unreadable Word file" in lines["truncated.docx"]
    assert "declares a DOCTYPE or entities" in lines["laughs.docx"]
    assert "zip bomb" in lines["bomb.docx"] and "QA_MAX_ZIP_RATIO" in lines["bomb.docx"]
    assert all(lines[name].startswith("added") for name in ("good.docx", "notes.txt", "plan.md"))
    assert "Done: 3 added, 0 updated, 0 unchanged, 0 removed, 3 skipped." in run.stdout
    assert list(index.glob("bm25-*.npz")), "BM25 was saved"


def test_a_word_file_that_unpacks_too_large_is_skipped(tmp_path: Path, embedder) -> None:
    good = make_docx(tmp_path / "good.docx")
    with zipfile.ZipFile(good) as package:
        document = package.read("word/document.xml")
    padded = document.replace(b"</w:body>", b"<!--" + b"x" * 2_000_000 + b"--></w:body>")
    big = rewrite_docx(good, tmp_path / "big.docx", "word/document.xml", padded)
    report = Assistant(Settings(index_dir=tmp_path / "idx", max_unpacked_mb=1), embedder=embedder).ingest([big])
    assert report.files[0].status == "skipped"
    assert "over the 1 MB limit (QA_MAX_UNPACKED_MB)" in report.files[0].reason
