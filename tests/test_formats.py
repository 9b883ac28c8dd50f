"""PDF pages, scanned pages (OCR), DOCX headings, HTML main text, metadata, and bad files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qa import Assistant, Filters, Settings
from qa.ingest.anatomy import read_anatomy
from qa.ingest.registry import Limits, load
from tests.conftest import SAMPLE


def make_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.set_auto_page_break(auto=False)
    for i, text in enumerate(pages, start=1):
        pdf.add_page()
        pdf.cell(0, 10, "Khanh Hoa Provincial Gazette", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 8, text)
        pdf.set_y(-20)
        pdf.cell(0, 10, str(i))
    pdf.output(str(path))
    return path


def make_scanned_pdf(path: Path, lines: list[str]) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1700, 900), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    for i, line in enumerate(lines):
        draw.text((80, 80 + i * 90), line, fill="black", font=font)
    image.save(path, "PDF", resolution=150)
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Resolution on coastal roads", level=1)
    document.add_paragraph("The province will build 42 kilometres of coastal road.")
    document.add_heading("Funding", level=2)
    document.add_paragraph("The budget is 3,150 billion VND from the provincial budget.")
    document.save(str(path))
    return path


HTML = """<html><head><title>Harbour decision</title><style>body{color:red}</style>
<script>var menu = "Home About Contact";</script></head><body>
<nav><a href="/">Home</a> <a href="/about">About us</a> <a>Subscribe newsletter</a></nav>
<header>Site banner text</header>
<main><h1>Decision on the harbour</h1><p>The harbour will handle 12 million tonnes a year by 2030.</p>
<h2>Timeline</h2><p>Construction starts in March 2026.</p></main>
<footer>Copyright footer text</footer></body></html>"""


def test_pdf_pages_are_cited_and_headers_page_numbers_removed(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "gazette.pdf", [
        "Plan No. 7 covers water supply. The reservoir holds 5 million cubic metres.",
        "Second page. The treatment plant serves 120,000 people in Nha Trang.",
        "Third page. Work on the pipes begins in 2025 and ends in 2027.",
    ])
    doc = load(path, Limits(10**7))
    assert "Khanh Hoa Provincial Gazette" not in doc.text, "a header repeated on every page is removed"
    assert "\n1\n" not in doc.text and not doc.text.rstrip().endswith("3")
    assert [n for _, n in doc.pages] == [1, 2, 3]
    assistant = Assistant(Settings(index_dir=tmp_path / "idx", chunk_tokens=40, chunk_overlap=0))
    assistant.ingest([path])
    answer = assistant.ask("How many people does the treatment plant serve?")
    assert answer.citations[0].page == 2 and "120,000" in answer.citations[0].quote
    assert assistant.ask("When does work on the pipes end?").citations[0].page == 3


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract not installed (make test installs it)")
def test_scanned_pdf_is_read_with_ocr(tmp_path: Path) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["The ferry terminal has 8 berths.", "It opened in 2019."])
    report = Assistant(Settings(index_dir=tmp_path / "idx")).ingest([path])
    assert report.count("added") == 1 and "OCR" in report.files[0].reason
    answer = Assistant(Settings(index_dir=tmp_path / "idx")).ask("How many berths does the ferry terminal have?")
    assert not answer.refused and "8 berths" in answer.answer


def test_scanned_pages_without_tesseract_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["The ferry terminal has 8 berths."])
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    report = Assistant(Settings(index_dir=tmp_path / "idx")).ingest([path])
    assert report.files[0].status == "skipped"
    assert "Tesseract is not installed" in report.files[0].reason and "apt-get install tesseract-ocr" in report.files[0].reason


def test_docx_headings_become_sections(tmp_path: Path) -> None:
    assistant = Assistant(Settings(index_dir=tmp_path / "idx", chunk_tokens=32, chunk_overlap=0))
    assistant.ingest([make_docx(tmp_path / "roads.docx")])
    answer = assistant.ask("What is the budget for the coastal road?")
    assert answer.citations[0].section == "Funding" and "3,150 billion" in answer.citations[0].quote
    assert answer.citations[0].title == "Resolution on coastal roads"


def test_html_keeps_main_text_only(tmp_path: Path) -> None:
    path = tmp_path / "harbour.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load(path, Limits(10**7))
    for noise in ("Home", "Subscribe", "banner", "Copyright", "color:red", "var menu"):
        assert noise not in doc.text
    assert "12 million tonnes" in doc.text and doc.title == "Harbour decision"
    assert [h.text for h in doc.headings] == ["Decision on the harbour", "Timeline"]


def test_metadata_of_the_sample_conclusion() -> None:
    meta = read_anatomy((SAMPLE / "khanh-hoa-ket-luan-544-KL-TU-2024.txt").read_text(encoding="utf-8"))
    assert meta.doc_number is not None and meta.doc_number.value == "544-KL/TU"
    assert meta.doc_type == "conclusion"
    assert meta.issued is not None and meta.issued.value == "2024-02-06"
    assert meta.issuer is not None and meta.issuer.value.lower().replace("ỷ", "y") in ("tinh uy khanh hoa", "tỉnh ủy khánh hòa")


@pytest.mark.parametrize(
    "text, number, kind, issued",
    [
        ("QUYẾT ĐỊNH\nSố: 123/QĐ-TTg\nHà Nội, ngày 5 tháng 3 năm 2023", "123/QĐ-TTg", "decision", "2023-03-05"),
        ("NGHỊ QUYẾT\nSố 60-NQ/TW ngày 12/04/2025 của Ban Chấp hành Trung ương", "60-NQ/TW", "resolution", "2025-04-12"),
        ("Resolution No. 09 of the Politburo, dated January 28, 2022, on Khanh Hoa", "Resolution No. 09", "resolution",
         "2022-01-28"),
        ("Workshop news. On the morning of July 25 the province met experts.", None, "news", None),
    ],
)
def test_metadata_patterns(text: str, number: str | None, kind: str, issued: str | None) -> None:
    meta = read_anatomy(text)
    assert (meta.doc_number.value if meta.doc_number else None) == number
    assert meta.doc_type == kind
    assert (meta.issued.value if meta.issued else None) == issued


def test_metadata_filters_in_the_api(sample_assistant: Assistant) -> None:
    conclusions = sample_assistant.ask("Nghị quyết 06-NQ/TU", filters=Filters(doc_type="conclusion", year=2024))
    assert conclusions.citations and all("544" in c.source for c in conclusions.citations)
    by_number = sample_assistant.retrieve("programme", filters=Filters(doc_number="544-kl/tu"))
    assert by_number and all(r.chunk.doc_number == "544-KL/TU" for r in by_number)
    assert sample_assistant.retrieve("clusters", filters=Filters(year=1999)) == []
    nothing = sample_assistant.ask("How many clusters?", filters=Filters(doc_type="no-such-type"))
    assert nothing.refused and "No indexed document matches these filters" in nothing.notice
    assert not sample_assistant.ask("How many industrial clusters are planned in Khanh Hoa?").notice
    issued_2024 = {Path(d.source).name for d in sample_assistant.documents() if d.issued.startswith("2024")}
    assert issued_2024 == {"khanh-hoa-ket-luan-544-KL-TU-2024.txt", "khanh-hoa-industrial-clusters.txt"}


def test_bad_files_are_skipped_and_good_ones_answerable(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    docs = tmp_path / "docs"
    docs.mkdir()
    make_docx(docs / "good.docx")
    (docs / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n%%EOF")
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with open(docs / "locked.pdf", "wb") as handle:
        writer.write(handle)
    (docs / "zero.pdf").write_bytes(b"")
    (docs / "binary.txt").write_bytes(os.urandom(2048).replace(b"\x00", b"\x01") + b"\x00")
    (docs / "huge.txt").write_text("word " * 400_000, encoding="utf-8")
    (docs / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (docs / "broken.docx").write_bytes(b"not a zip")
    assistant = Assistant(Settings(index_dir=tmp_path / "idx", max_file_mb=1))
    report = assistant.ingest([docs])
    reasons = {Path(f.path).name: f.reason for f in report.files if f.status == "skipped"}
    assert "corrupt" in reasons["corrupt.pdf"] or "no text" in reasons["corrupt.pdf"]
    assert "encrypted" in reasons["locked.pdf"]
    assert reasons["zero.pdf"] == "empty file"
    assert "binary" in reasons["binary.txt"] or "UTF-8" in reasons["binary.txt"]
    assert "over the 1 MB limit" in reasons["huge.txt"]
    assert "unsupported file type '.xlsx'" in reasons["sheet.xlsx"]
    assert "corrupt" in reasons["broken.docx"]
    assert report.count("added") == 1
    assert "42 kilometres" in assistant.ask("How long is the coastal road?").answer


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file, so permissions cannot be denied here")
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("text", encoding="utf-8")
    path.chmod(0)
    report = Assistant(Settings(index_dir=tmp_path / "idx")).ingest([path])
    assert "permission denied" in report.files[0].reason


def count_ocr_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per page that reaches Tesseract."""
    from PIL import Image

    import qa.ingest.pdf as pdf_module

    calls: list[int] = []
    real = pdf_module.ocr_page_image

    def counting(image: Image.Image, timeout: float = 300) -> str:
        calls.append(1)
        return real(image, timeout)

    monkeypatch.setattr(pdf_module, "ocr_page_image", counting)
    return calls


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract not installed (make test installs it)")
def test_an_unchanged_scan_is_never_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_ocr_calls(monkeypatch)
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["The ferry terminal has 8 berths.", "It opened in 2019."])
    assistant = Assistant(Settings(index_dir=tmp_path / "idx"))
    assert assistant.ingest([path]).count("added") == 1
    assert len(calls) == 1  # one scanned page
    again = Assistant(Settings(index_dir=tmp_path / "idx")).ingest([path])
    assert again.count("unchanged") == 1 and len(calls) == 1, "re-ingesting an unchanged scan ran OCR again"
    path.touch()  # same bytes, new time: still unchanged, still no OCR
    assert Assistant(Settings(index_dir=tmp_path / "idx")).ingest([path]).count("unchanged") == 1 and len(calls) == 1


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract not installed (make test installs it)")
def test_a_scan_is_read_once_whatever_index_it_goes_into(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_ocr_calls(monkeypatch)
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["The ferry terminal has 8 berths.", "It opened in 2019."])
    first = Assistant(Settings(index_dir=tmp_path / "one"))
    first.ingest([path])
    second = Assistant(Settings(index_dir=tmp_path / "two"))
    assert second.ingest([path]).count("added") == 1 and len(calls) == 1, "the second index read the scan again"
    texts = [a.store.document_text(a.documents()[0].doc_id) for a in (first, second)]
    assert texts[0] == texts[1] and "8 berths" in texts[0]
    uncached = Assistant(Settings(index_dir=tmp_path / "three", ocr_cache_dir=None))
    assert uncached.ingest([path]).count("added") == 1 and len(calls) == 2


def test_split_ligatures_are_joined() -> None:
    from qa.ingest.pdf import join_ligatures

    assert join_ligatures("Artiﬁcial intelligence and ﬂood defences") == "Artificial intelligence and flood defences"
    assert join_ligatures("Artifi cial intelligence, offi cial figures") == "Artificial intelligence, official figures"
    assert join_ligatures("the staff office") == "the staff office"


def test_docx_tables_stay_in_place_as_rows(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH tổ chức lễ hội")
    document.add_paragraph("2. Tiểu ban văn nghệ")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Trưởng tiểu ban", "Nguyễn Văn An"
    table.cell(1, 0).text, table.cell(1, 1).text = "Phó trưởng tiểu ban", "Lê Thị Bình"
    document.add_paragraph("3. Tiểu ban hậu cần")
    path = tmp_path / "plan.docx"
    document.save(str(path))
    text = load(path, Limits(10**7)).text
    assert text.splitlines()[1:5] == [
        "2. Tiểu ban văn nghệ", "Trưởng tiểu ban | Nguyễn Văn An", "Phó trưởng tiểu ban | Lê Thị Bình", "3. Tiểu ban hậu cần",
    ]


def test_docx_line_breaks_inside_a_paragraph_end_lines(tmp_path: Path) -> None:
    """Some decrees are one paragraph whose articles, signature and annex are split by <w:br/>."""
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph()
    for i, line in enumerate(["Điều 5. Trách nhiệm thi hành", "CHỦ TỊCH QUỐC HỘI", "Trần Thanh Mẫn", "PHỤ LỤC"]):
        run = paragraph.add_run(line)
        if i < 3:
            run.add_break()
            run.add_break()
    path = tmp_path / "one-paragraph.docx"
    document.save(str(path))
    assert load(path, Limits(10**7)).text.splitlines() == ["Điều 5. Trách nhiệm thi hành", "CHỦ TỊCH QUỐC HỘI", "Trần Thanh Mẫn", "PHỤ LỤC"]


def test_html_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "latin.html"
    page = '<html><head><meta charset="windows-1252"><title>Caf\xe9 rules</title></head>'
    path.write_bytes((page + "<body><main><p>Caf\xe9s close at 11pm.</p></main></body></html>").encode("cp1252"))
    doc = load(path, Limits(10**7))
    assert doc.text == "Cafés close at 11pm." and doc.title == "Café rules"


def test_a_pdf_reference_broken_after_its_dash_is_one_token_again() -> None:
    from qa.ingest.pdf import clean_pages

    text = clean_pages(["applies to all Model 737–8 and 737–\n9 (737 MAX) airplanes, superseding AD 2018–23–\n51."])[0]
    assert "737–9 (737 MAX)" in text and "2018–23–51" in text
