"""Per-file budgets: pages, OCR seconds and characters, each a setting with a clear skip reason;
blank pages never reach OCR; PDFs locked with an empty password open."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from qa import Assistant, Settings
from qa.ingest.chunking import _split_long, count_tokens, cut_before
from qa.text import Span

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract not installed (make test installs it)")


def scanned_pages(path: Path, pages: list[str]) -> Path:
    """An image-only PDF: one scanned page per entry, an empty entry being a blank scanned page."""
    images = []
    for line in pages:
        image = Image.new("RGB", (1240, 1754), "white")
        if line:
            ImageDraw.Draw(image).text((80, 120), line, fill="black", font=ImageFont.load_default(size=44))
        images.append(image)
    images[0].save(path, "PDF", resolution=150, save_all=True, append_images=images[1:])
    return path


@needs_tesseract
def test_blank_scanned_pages_never_reach_ocr(tmp_path: Path, embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    import qa.ingest.pdf as pdf_module

    calls: list[int] = []
    real = pdf_module.ocr_page_image

    def counting(image: Image.Image, timeout: float = 300) -> str:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("OCR was asked to read a blank page")
        return real(image, timeout)

    monkeypatch.setattr(pdf_module, "ocr_page_image", counting)
    path = scanned_pages(tmp_path / "scan.pdf", ["", "The ferry terminal has 8 berths.", *[""] * 60])
    report = Assistant(Settings(index_dir=tmp_path / "idx"), embedder=embedder).ingest([path])
    assert report.files[0].status == "added", report.files[0]
    assert "61 blank page(s) left out" in report.files[0].reason
    assert len(calls) == 1


def test_a_pdf_over_the_page_limit_is_skipped(tmp_path: Path, embedder) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(30):
        writer.add_blank_page(595, 842)
    writer.write(tmp_path / "long.pdf")
    report = Assistant(Settings(index_dir=tmp_path / "idx", max_pages=20), embedder=embedder).ingest([tmp_path / "long.pdf"])
    assert report.files[0].status == "skipped"
    assert report.files[0].reason == "the PDF has 30 pages, over the 20 page limit (QA_MAX_PAGES)"


@needs_tesseract
def test_ocr_stops_at_the_files_budget(tmp_path: Path, embedder) -> None:
    path = scanned_pages(tmp_path / "scan.pdf", [f"Page {i}: the ferry terminal has 8 berths." for i in range(4)])
    report = Assistant(Settings(index_dir=tmp_path / "idx", max_ocr_seconds=0.3), embedder=embedder).ingest([path])
    assert report.files[0].status == "skipped"
    assert "needs more than 0.3 s (QA_MAX_OCR_SECONDS; stopped at page 1 of 4)" in report.files[0].reason


def test_text_over_the_character_limit_is_skipped(tmp_path: Path, embedder) -> None:
    (tmp_path / "long.txt").write_text("The plan builds clusters. " * 100, encoding="utf-8")
    (tmp_path / "short.txt").write_text("The plan builds 14 clusters.", encoding="utf-8")
    report = Assistant(Settings(index_dir=tmp_path / "idx", max_chars=1000), embedder=embedder).ingest([tmp_path])
    reasons = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert reasons["long.txt"] == ("skipped", "2,600 characters of text, over the 1,000 limit (QA_MAX_CHARS)")
    assert reasons["short.txt"][0] == "added"


def test_a_pdf_locked_with_an_empty_password_opens(tmp_path: Path, embedder) -> None:
    from pypdf import PdfReader, PdfWriter

    from tests.test_formats import make_pdf

    plain = make_pdf(tmp_path / "plain.pdf", ["The coastal road is 42 kilometres long."])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner-secret")
    writer.write(tmp_path / "locked.pdf")
    plain.unlink()
    assistant = Assistant(Settings(index_dir=tmp_path / "idx"), embedder=embedder)
    report = assistant.ingest([tmp_path / "locked.pdf"])
    assert report.files[0].status == "added", report.files[0].reason
    assert "42 kilometres" in assistant.ask("How long is the coastal road?").answer


def test_a_long_unit_splits_the_same_way_as_recounting_each_remainder() -> None:
    """The linear splitter cuts exactly where recounting the whole remainder at each cut would."""
    words = ["Quyết", "định", "số", "494/QĐ-BNNMT", "ngày", "12.3.2026", "về", "điều", "tiết", "nước", "hồ", "chứa,",
             "(phương", "án)", "x" * 40, "12345678", "—", "“trích”", "don't", "  ", "\t", "emoji🙂"]
    text = " ".join(words[(i * 7) % len(words)] for i in range(3000))

    def recounting(span: Span, max_tokens: int) -> list[Span]:
        pieces, start = [], span.start
        while start < span.end:
            tokens = count_tokens(text[start : span.end])
            if tokens <= max_tokens:
                pieces.append(Span(start, span.end))
                break
            cut = cut_before(text, start, start + (span.end - start) * max_tokens // tokens)
            pieces.append(Span(start, cut))
            start = cut
            while start < span.end and text[start].isspace():
                start += 1
        return pieces

    for span in (Span(0, len(text)), Span(5, len(text) - 3)):
        for max_tokens in (50, 220):
            assert _split_long(text, span, max_tokens) == recounting(span, max_tokens)


def test_a_blank_page_image_can_be_prepared_for_ocr() -> None:
    """A page of one grey level reaches OCR when it is not quite blank enough to be left out; the
    deskew threshold once failed on it with 'All-NaN slice encountered'."""
    from qa.ingest.ocr import prepare_page

    assert prepare_page(Image.new("L", (600, 800), 255)).size == (600, 800)
