"""`qa bench`, hostile files: what one awkward file costs to read and chunk, so no single upload
holds the ingest lock for long. A growing single-line text (no sentence ends, so it is one unit
cut at whitespace) must scale linearly; a PDF of 2,000 blank scanned-size pages must never reach OCR;
thousands of one-sentence files are embedded and stored in batches.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.index.embedders import Embedder
from qa.ingest.anatomy import read_anatomy
from qa.ingest.chunking import chunk_document
from qa.ingest.pipeline import limits_for, read_document

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def single_line(size: int) -> str:
    """Sample words on one line, without sentence ends, to `size` bytes of UTF-8."""
    words = re.sub(r"[.!?:;\"”’)\n]", " ", " ".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt")))).split()
    line, total, i = [], 0, 0
    while total < size:
        word = words[i % len(words)]
        line.append(word)
        total += len(word.encode()) + 1
        i += 1
    return " ".join(line)


def parse_and_chunk_seconds(settings: Settings, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    doc = read_document(path, limits_for(settings), settings.max_chars)
    chunks = chunk_document(doc, "bench", str(path), "0" * 64, settings.chunk_tokens, settings.chunk_overlap, read_anatomy(doc.text))
    return time.perf_counter() - started, len(chunks)


def blank_pdf(path: Path, pages: int) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.write(path)
    return path


def tiny_files(settings: Settings, embedder: Embedder, count: int) -> dict[str, Any]:
    """Ingest `count` one-sentence files into a fresh index: files per second, by stage."""
    from qa.assistant import Assistant

    with tempfile.TemporaryDirectory(prefix="qa-bench-tiny-") as folder:
        docs = Path(folder) / "docs"
        docs.mkdir()
        for i in range(count):
            (docs / f"note-{i:05}.txt").write_text(
                f"Note {i}. District office {i} opens at {i % 12 + 1} o'clock on weekdays.", encoding="utf-8"
            )
        assistant = Assistant(settings.model_copy(update={"index_dir": Path(folder) / "idx"}), embedder=embedder)
        started = time.perf_counter()
        report = assistant.ingest([docs])
        seconds = time.perf_counter() - started
    return {"files": count, "seconds": round(seconds, 1), "files_per_s": round(count / seconds, 1),
            "stages": {k: round(v, 1) for k, v in report.seconds.items()}}


def hostile_files(settings: Settings, quick: bool) -> dict[str, Any]:
    sizes = [50_000, 500_000] if quick else [50_000, 500_000, 5_000_000]
    settings = settings.model_copy(update={"max_chars": 10**9})
    rows = []
    parse_and_chunk_seconds(settings, SAMPLE / "khanh-hoa-industrial-clusters.txt")  # load the tokenizer first
    with tempfile.TemporaryDirectory(prefix="qa-bench-files-") as folder:
        for size in sizes:
            path = Path(folder) / f"line-{size}.txt"
            path.write_text(single_line(size), encoding="utf-8")
            seconds, chunks = parse_and_chunk_seconds(settings, path)
            rows.append({"bytes": size, "seconds": round(seconds, 2), "chunks": chunks,
                         "us_per_byte": round(seconds / size * 1e6, 3)})
        pdf = blank_pdf(Path(folder) / "blank.pdf", 2000)
        started = time.perf_counter()
        try:
            read_document(pdf, limits_for(settings), settings.max_chars)
            outcome = "read"
        except Exception as exc:  # noqa: BLE001 - the bench reports what happened, whatever it was
            outcome = str(exc)
        blank = {"pages": 2000, "bytes": pdf.stat().st_size, "seconds": round(time.perf_counter() - started, 2), "outcome": outcome}
    return {"single_line": rows, "blank_pdf": blank}


def lines(report: dict[str, Any]) -> list[str]:
    rows = report["single_line"]
    first = rows[0]
    out = ["one awkward file (read + chunk, no embedding):"]
    for row in rows:
        out.append(f"  single-line text {row['bytes'] / 1e3:,.0f} KB: {row['seconds']} s, {row['chunks']} chunks, "
                   f"{row['us_per_byte']} µs/byte ({row['us_per_byte'] / max(first['us_per_byte'], 1e-9):.1f}x the 50 KB rate)")
    blank = report["blank_pdf"]
    out.append(f"  PDF of {blank['pages']} blank pages ({blank['bytes'] / 1e3:.0f} KB): {blank['seconds']} s ({blank['outcome']})")
    tiny = report.get("tiny_files")
    if tiny:
        stages = ", ".join(f"{stage} {seconds} s" for stage, seconds in tiny["stages"].items())
        out.append(f"  {tiny['files']:,} one-sentence files: {tiny['files_per_s']} files/s ({tiny['seconds']} s: {stages})")
    return out
