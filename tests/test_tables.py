"""Tables read as they are: a PDF table of figures keeps its rows, and every chunk that opens inside a
table is searched with the table's header row."""

from __future__ import annotations

from pathlib import Path

from qa import Assistant, Settings
from qa.ingest.chunking import _table_headers, chunk_document
from qa.ingest.registry import Limits, load
from qa.types import LoadedDocument

STATES = ["Alabama", "Alaska", "Arizona", "Arkansas", "Colorado", "Delaware", "Florida", "Georgia", "Illinois", "Kansas"]


def _figures_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    pdf.cell(0, 8, "Firearm background checks, November 2015", new_x="LMARGIN", new_y="NEXT")
    widths = [50, 30, 30, 30]
    for row in [["State", "Permit", "Handgun", "Totals"]] + [
        [name, f"{1000 + 7 * i:,}", f"{2000 + 11 * i:,}", f"{3000 + 18 * i:,}"] for i, name in enumerate(STATES)
    ]:
        for width, cell in zip(widths, row, strict=True):
            pdf.cell(width, 7, cell)
        pdf.ln(7)
    pdf.output(str(path))
    return path


def test_a_pdf_table_of_figures_keeps_its_rows_and_cells(tmp_path: Path) -> None:
    text = load(_figures_pdf(tmp_path / "checks.pdf"), Limits(10**7)).text
    assert "State | Permit | Handgun | Totals" in text
    assert "Illinois | 1,056 | 2,088 | 3,144" in text
    assert "Firearm background checks, November 2015" in text  # the text above the table stays plain


def test_prose_pdf_pages_are_read_as_before(tmp_path: Path) -> None:
    from tests.test_formats import make_pdf

    text = load(make_pdf(tmp_path / "prose.pdf", ["In 2024 the province had 14 clusters and 669 hectares."]), Limits(10**7)).text
    assert " | " not in text and "14 clusters and 669 hectares" in text


def test_rows_know_their_header_even_across_a_line_of_text() -> None:
    text = "Khu vực | Tỷ lệ (%/năm)\nNhóm 1: gồm:\n- Các phường | 1,2%\n- Các xã | 0,8%\nText.\nMore.\nAgain.\n- Khác | 0,5%\n"
    header = _table_headers(text)
    assert header(text.index("- Các phường")) == "Khu vực | Tỷ lệ (%/năm)"
    assert header(text.index("Các xã")) == "Khu vực | Tỷ lệ (%/năm)"  # inside a row, not at its start
    assert header(text.index("Khu vực")) == ""  # the header row itself
    assert header(text.index("- Khác")) == ""  # three lines of text part it from the table above
    assert header(text.index("Nhóm 1")) == ""
    checks = "Checks\nPre-Pawn | Redemption\nState | Permit | Handgun\nAlabama | 18,870 | 23,022\nIllinois | 87,190 | 24,412\n"
    assert _table_headers(checks)(checks.index("Illinois")) == "Pre-Pawn | Redemption\nState | Permit | Handgun"


def test_a_chunk_that_opens_inside_a_table_is_searched_with_its_header(tmp_path: Path, embedder) -> None:
    rows = "\n".join(f"{i} | Thủ tục cấp giấy phép số {i} cho cơ sở loại {i} | {i + 3} ngày làm việc" for i in range(1, 80))
    text = f"DANH MỤC THỦ TỤC\nSTT | Tên thủ tục | Thời hạn giải quyết\n{rows}\n"
    chunks = chunk_document(LoadedDocument(text, "Danh mục"), "d1", "danh-muc.txt", "h", 120, 0)
    assert len(chunks) > 3 and chunks[0].table_header == ""
    assert all(c.table_header == "STT | Tên thủ tục | Thời hạn giải quyết" for c in chunks[1:])
    assert chunks[-1].indexed_text.startswith("STT | Tên thủ tục | Thời hạn giải quyết\n")
    assert "Thời hạn" not in chunks[-1].text  # the text quoted and cited is the document's own slice
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "danh-muc.txt").write_text(text, encoding="utf-8")
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    assistant.ingest([tmp_path / "docs"])
    answer = assistant.ask("Thời hạn giải quyết thủ tục cấp giấy phép số 77 là bao lâu?")
    assert "80 ngày làm việc" in answer.answer, answer.answer
    assert "Thời hạn giải quyết" in answer.answer  # quoted with its header row


def _two_column_pdf(path: Path) -> Path:
    """A page set in two columns, drawn row by row across both (as some typesetters write them), so
    reading in drawing order interleaves the columns."""
    from fpdf import FPDF

    left = ("The agency proposes to require new software on every airplane of the fleet and to revise "
            "the flight manual before the next flight. Each operator must also test the sensor system "
            "and fly an operational readiness flight before returning an airplane to service. The "
            "agency must receive comments on this proposal by September 21, 2020, at the address "
            "given below.").split()
    right = ("Operators may ask for another way to comply when their procedures differ from the "
             "manufacturer's, and the agency will consider each request on its merits before it "
             "approves any alternative method of compliance. A request must show that the other way "
             "gives an acceptable level of safety, and it goes to the office named in this proposal.").split()
    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    rows = max(len(left), len(right)) // 5 + 1
    for r in range(rows):
        pdf.set_xy(10, 20 + 6 * r)
        pdf.cell(85, 6, " ".join(left[5 * r : 5 * r + 5]))
        pdf.set_xy(110, 20 + 6 * r)
        pdf.cell(85, 6, " ".join(right[5 * r : 5 * r + 5]))
    pdf.output(str(path))
    return path


def test_a_page_in_columns_is_read_column_by_column(tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = _two_column_pdf(tmp_path / "columns.pdf")
    drawn = PdfReader(str(path)).pages[0].extract_text()
    assert "comments on this proposal by September 21, 2020" not in " ".join(drawn.split())  # interleaved as drawn
    text = " ".join(load(path, Limits(10**7)).text.split())
    assert "The agency must receive comments on this proposal by September 21, 2020, at the address given below." in text
    assert text.index("address given below") < text.index("Operators may ask")



def test_a_model_is_told_what_a_rows_cells_are() -> None:
    from qa.answer.generated import source_block
    from qa.results import Retrieved
    from qa.types import Chunk

    rows = "77 | Thủ tục cấp giấy phép số 77 | 80 ngày làm việc"
    chunk = Chunk("c9", "d1", "danh-muc.txt", "Danh mục", "", 9, 500, 500 + len(rows), rows, "h",
                  table_header="STT | Tên thủ tục | Thời hạn giải quyết")
    block = source_block(1, Retrieved(chunk, 1.0, 0, 0, 0.9))
    assert 'table_header="STT | Tên thủ tục | Thời hạn giải quyết"' in block and rows in block


def test_a_blank_line_ends_a_table_and_a_year_can_name_a_column() -> None:
    text = ("Office | Fee | Time\n" + "\n".join(f"Office {i} | {i} | {i} days" for i in range(5)) + "\n\nRegion | Năm 2024 | Năm 2025\n"
            + "\n".join(f"Zone {i} | {i}% | {i}%" for i in range(5)))
    header = _table_headers(text)
    assert header(text.index("Office 3")) == "Office | Fee | Time"
    assert header(text.index("Zone 3")) == "Region | Năm 2024 | Năm 2025"


def test_a_form_of_labels_and_values_is_not_read_as_columns() -> None:
    from qa.ingest.pdf import _by_columns

    form = [f"{label + ':':<30}{value}" for label, value in [
        ("Applicant name", "John Smith"), ("Processing time", "Ten working days"), ("Issued by", "Border Force"),
        ("Fee", "None"), ("Reference", "AB 12"), ("Office", "Croydon"), ("Valid for", "Two years"), ("Status", "Open"),
        ("Route", "Skilled worker"), ("Sponsor", "Yes"), ("Decision", "Granted")]]
    assert _by_columns(form) is None


def test_a_row_is_quoted_with_its_real_header_not_the_tail_of_the_row_before() -> None:
    from qa.types import Chunk
    from tests.test_answers import Around, quoted_unit

    text = ("STT | Tên thủ tục | Thời gian giải quyết\n1 | Thủ tục cấp giấy phép vũ trường, karaoke, vũ trường. | 10 ngày\n"
            "2 | Thủ tục điều chỉnh giấy phép karaoke | 07 ngày làm việc")
    cut = text.index("karaoke, vũ trường.")  # the second chunk opens inside row 1
    head = Chunk("c0", "d", "s", "t", "", 0, 0, cut, text[:cut], "h")
    rows = Chunk("c1", "d", "s", "t", "", 1, cut, len(text), text[cut:], "h", table_header="STT | Tên thủ tục | Thời gian giải quyết")
    start = text.index("2 | Thủ tục")
    assert quoted_unit(rows, start, len(text), False, Around(text, head, rows))[0] == ["STT | Tên thủ tục | Thời gian giải quyết", text[start:]]

    checks = "Checks\nPre-Pawn | Redemption\nState | Permit | Handgun\nAlabama | 18,870 | 23,022\nKentucky | 264,140 | 12,155"
    whole = Chunk("c2", "d", "s", "t", "", 0, 0, len(checks), checks, "h")
    start = checks.index("Kentucky")
    assert quoted_unit(whole, start, len(checks), False, Around(checks, whole))[0] == [
        "Pre-Pawn | Redemption\nState | Permit | Handgun", checks[start:]]


def test_a_zero_run_into_the_figure_beside_it_is_two_cells() -> None:
    from qa.ingest.pdf import _laid_out

    lines = ["State        Permit     Handgun    Long Gun    Other     Totals"]
    lines += [f"{name:<12} {a:>8}   {b:>8}   {c:>8}   {d}" for name, a, b, c, d in [
        ("Illinois", "87,190", "24,412", "17,227", "0    0129,861"),
        ("Texas", "21,550", "56,941", "51,670", "2,532    0146,982"),
        ("Utah", "1,021", "9,874", "8,311", "12    019,218"),
    ]]
    read = _laid_out(lines)
    assert read is not None
    assert "Texas | 21,550 | 56,941 | 51,670 | 2,532 | 0 | 146,982" in read, read
    assert "0146,982" not in read


def test_a_row_of_empty_cells_under_merged_header_cells_does_not_hide_the_header() -> None:
    text = ("| TT | Dự án thành phần | Quy mô | | Sơ bộ tổng mức đầu tư (tỷ đồng) |\n|||||\n"
            "| | | Số làn xe | Cấp đường (km/h) | |\n"
            "| 6 | Bồi thường, hỗ trợ, tái định cư đoạn qua xã Nam Đàn | 6 | | 722,48 |\n")
    header = _table_headers(text)(text.index("| 6 |"))
    assert header.startswith("| TT | Dự án thành phần") and "(tỷ đồng)" in header, header
    assert header.endswith("Cấp đường (km/h) | |"), header


def test_a_page_in_two_columns_whose_gutter_wanders_is_read_column_by_column() -> None:
    """Layout mode spaces a proportional font, so the right column of IRS Notice 1036 starts 8 to 20
    characters apart from line to line: no position is blank on every line. Each line parts at the
    middle gap nearest where most lines part; a table row in the right column keeps its figure."""
    from qa.ingest.pdf import _by_columns, _by_ragged_columns, _laid_out

    left = ["Employers should implement the 2011 withholding", "tables as soon as possible, but not later than January",
            "31, 2011. Use the 2010 withholding tables until you", "implement the 2011 withholding tables. For 2011,",
            "the employee tax rate for social security is 4.2%.", "The employer tax rate for social security remains",
            "unchanged at 6.2%. The 2011 social security wage base", "limit is $106,800. In 2011, the Medicare tax rate is",
            "1.45% each for employers and employees, unchanged", "from 2010. There is no wage base limit for Medicare.",
            "Making Work Pay credit. The Making Work Pay credit", "expires on December 31, 2010. As a result the income",
            "tax withholding tables for 2011 are not adjusted for", "the credit, and there is no longer an optional",
            "additional withholding adjustment for pensions in", "this notice or in the tables that come after it.",
            "Advance payment of earned income credit. The option", "of receiving advance payroll payments of EIC expires",
            "on December 31, 2010. Individuals who received such", "payments in 2010 must file a 2010 federal return."]
    right = ["The wage amounts shown in the Percentage Method", "Tables for Income Tax Withholding are net wages after",
             "the deduction for total withholding allowances. The", "withholding allowance amounts by payroll period have",
             "changed. For 2011, they are:", "Weekly                                   $    71.15",
             "Biweekly                                      142.31", "Monthly                                       308.33",
             "When employers use the Percentage Method Tables for", "Income Tax Withholding, the tax for the pay period",
             "may be rounded to the nearest dollar. If rounding is", "used, it must be used consistently. Withheld tax",
             "amounts should be rounded to the nearest dollar by", "dropping amounts under 50 cents and increasing them",
             "from 50 to 99 cents to the next higher dollar. For", "example, $2.30 becomes $2 and $2.80 becomes $3.",
             "Withholding Adjustment for Nonresident Aliens. For", "2011, apply the procedure discussed on the next page",
             "to figure the amount of income tax to withhold from", "the wages of nonresident alien employees here."]
    lines = [a + " " * (3 + (i * 5) % 9) + b for i, (a, b) in enumerate(zip(left, right, strict=True))]
    assert _by_columns(lines) is None, "no position is blank on every line"
    text = _by_ragged_columns(lines)
    assert text is not None
    assert "tables as soon as possible, but not later than January\n31, 2011." in text
    assert "\nMonthly 308.33\n" in text and text.index("additional withholding") < text.index("The wage amounts")
    assert _laid_out(lines) == text, "a page's layout is read so when no gutter is blank on every line"
    # A table of several columns is no page of two prose columns.
    table = [f"{i}. 1.0139{i:02d}  {'Đăng ký biến động đất đai':<30}{'Nghị định số 49/2026/NĐ-CP':<32}{'Đất đai':<12}Văn phòng đăng ký"
             for i in range(24)]
    assert _by_ragged_columns(table) is None


def test_a_table_whose_rows_are_single_spaced_and_whose_names_wrap_keeps_its_cells() -> None:
    """The Secret Service report's Clery Act table: layout mode writes each row with single spaces
    ('2007 66 8 3,482 ...') and each column name over up to four lines. The rows keep their cells
    and the names become one header row, each over its column."""
    from qa.ingest.pdf import _laid_out

    lines = [
        "Table 2: Crime Statistics Reported in Compliance with the Clery Act, by Type of Crime and Year: 2005-08",
        "          Murder /                        Forcible     Non-                                              Motor",
        "            Non-           Negligent         Sex      Forcible   Robbery     Aggravated     Burglary    Vehicle    Arson",
        "          Negligent      Manslaughter     Offense       Sex                    Assault                   Theft",
        "        Manslaughter                                  Offense",
        "2005 28 33 3,583 55 5,432 5,943 37,800 11,890 1,219",
        "2006 25 0 3,490 56 4,921 5,472 35,124 9,811 1,086",
        "2007 66 8 3,482 62 4,985 5,234 33,010 8,744 915",
        "Total 174 46 13,842 222 19,900 21,675 137,785 37,910 4,045",
        "",
        "Although murder represents the second smallest percentage of crimes reported by campus officials.",
    ]
    text = _laid_out(lines)
    assert text is not None
    assert (" | Murder / Non- Negligent Manslaughter | Negligent Manslaughter | Forcible Sex Offense | Non- Forcible Sex "
            "Offense | Robbery | Aggravated Assault | Burglary | Motor Vehicle Theft | Arson\n") in text
    assert "\n2007 | 66 | 8 | 3,482 | 62 | 4,985 | 5,234 | 33,010 | 8,744 | 915\n" in text
    assert "\nTotal | 174 | 46 |" in text and text.endswith("percentage of crimes reported by campus officials.")
    header = _table_headers(text)
    assert "Robbery" in header(text.index("2007 | 66")), "a chunk opening on the row is searched with the column names"


def test_a_table_answer_names_the_cell_it_reads() -> None:
    from qa.answer.extractive import answer_extractively
    from qa.index.lexical import LexicalIndex
    from qa.question import parse_question
    from qa.types import Chunk
    from tests.test_answers import _retrieved

    text = ("Table 2. Crimes reported under the Clery Act\n"
            "| Murder | Robbery | Burglary | Arson\n2006 | 60 | 4,807 | 32,004 | 1,020\n2007 | 66 | 4,985 | 33,010 | 915\n"
            "2008 | 55 | 4,562 | 31,851 | 825")
    chunk = Chunk("c0", "d1", "clery.pdf", "Campus attacks", "", 0, 0, len(text), text, "h")
    other = "Campus police publish crime figures every year."
    rest = Chunk("o0", "o0", "o.txt", "Other", "", 0, 0, len(other), other, "h")
    lexical = LexicalIndex([chunk, rest])
    draft = answer_extractively(parse_question("How many robberies were reported in 2007?"), _retrieved([chunk]), lexical, 0.0, 1)
    assert draft.text.startswith("Robbery (2007): 4,985 [1, 2]. "), draft.text
    assert "2007 | 66 | 4,985" in draft.text, "the header and the row it is read from are quoted"
    # A question no heading answers names no cell: the row is quoted as it is.
    plain = answer_extractively(parse_question("What figures were reported in 2007?"), _retrieved([chunk]), lexical, 0.0, 1)
    assert "2007 | 66" in plain.text and ": 4,985" not in plain.text, plain.text

    procedures = ("STT | Tên thủ tục | Thời gian giải quyết | Phí, lệ phí\nI | THỦ TỤC THUỘC THẨM QUYỀN CỦA SỞ\n"
                  "1 | Cấp giấy phép kinh doanh vũ trường | 10 ngày làm việc | 10.000.000 đồng/Giấy phép.\n"
                  "2 | Điều chỉnh giấy phép kinh doanh vũ trường | 07 ngày làm việc | 500.000 đồng/Giấy phép.")
    table = Chunk("c1", "d2", "qd.docx", "Quyết định 241/QĐ-UBND", "", 0, 0, len(procedures), procedures, "h")
    fee = answer_extractively(parse_question("Phí cấp giấy phép kinh doanh vũ trường là bao nhiêu?"), _retrieved([table]),
                              LexicalIndex([table, rest]), 0.0, 1)
    # The header's line over the row's cells, not the section line under it.
    assert fee.text.startswith("Phí, lệ phí (Cấp giấy phép kinh doanh vũ trường): 10.000.000 đồng/Giấy phép [1, 2]. "), fee.text
    # Chosen by its heading's words, a row's long label is cut too.
    long_name = procedures.replace("Cấp giấy phép kinh doanh vũ trường", "Cấp giấy phép kinh doanh dịch vụ vũ trường cho doanh nghiệp ở khu du lịch")
    table = Chunk("c2", "d3", "qd.docx", "Quyết định 241/QĐ-UBND", "", 0, 0, len(long_name), long_name, "h")
    fee = answer_extractively(parse_question("Phí cấp giấy phép kinh doanh dịch vụ vũ trường ở khu du lịch là bao nhiêu?"),
                              _retrieved([table]), LexicalIndex([table, rest]), 0.0, 1)
    assert fee.text.startswith("Phí, lệ phí (Cấp giấy phép kinh doanh dịch vụ vũ trường cho …): 10.000.000"), fee.text


def test_a_row_label_is_cut_not_dropped_and_a_lone_cell_of_the_asked_unit_is_read() -> None:
    from qa.answer.extractive import read_cell
    from qa.question import parse_question
    from qa.types import Chunk

    def cell(question: str, header: str, row: str) -> str | None:
        text = f"{header}\n{row}"
        chunk = Chunk("c", "d", "nq.docx", "t", "", 0, 0, len(text), text, "h")
        return read_cell(parse_question(question), {}, (chunk, 0, len(header)), (chunk, len(header) + 1, len(text)))

    rates = "Khu vực | Tỷ lệ (%/năm)"
    long_row = "- Các phường (trừ trường hợp quy định về đất thuộc khu công nghiệp và đất sử dụng) | 1,2%"
    # No heading shares a word with an English question, but one cell alone holds the percentage asked;
    # its row's long label is cut (before the bracket it would leave open), so the value does not
    # read as the answer for any row.
    assert cell("What percentage applies to land in wards?", rates, long_row) == "Tỷ lệ (%/năm) (Các phường …): 1,2%"
    # A number asked without its unit, or a cell without the unit asked, is no lone cell.
    assert parse_question("How many apply to land in wards?").answer_type == "number"
    assert cell("How many apply to land in wards?", rates, long_row) is None
    assert cell("What percentage applies to land in wards?", rates, "- Các phường | 1,2") is None
    # Ten words are named whole; an eleventh is cut.
    ten = "Đất xây dựng công trình ngầm nằm ngoài phần riêng"
    assert cell("What percentage applies?", rates, f"{ten} | 1,2%") == f"Tỷ lệ (%/năm) ({ten}): 1,2%"
    assert cell("What percentage applies?", rates, f"{ten} khác | 1,2%") == f"Tỷ lệ (%/năm) ({ten} …): 1,2%"
    # A cell listing numbered items is no label.
    lists = "I. Đặc biệt khó khăn | II. Khó khăn"
    assert cell("Tỷ lệ phần trăm là bao nhiêu?", lists, "Long Điền 45. Xã Đông Hải 46. Xã Hòa Bình | 2,5%") == "II. Khó khăn: 2,5%"


def test_a_pdf_row_wrapped_over_lines_is_quoted_whole_without_the_tail_of_the_row_before() -> None:
    from qa.question import parse_question
    from qa.types import Chunk
    from tests.test_answers import Around, quoted_unit

    text = ("- Trực tuyến tại Cổng Dịch vụ công quốc gia hoặc ứng dụng định\n"
            "danh quốc gia. | Có | Toàn trình | Không | - Nghị định số 352/2025/NĐ-CP của Chính phủ. | Cấp tỉnh | x |\n"
            "| 3 | Gia hạn Giấy phép hoạt động dịch vụ việc làm\n"
            "2.002826.H21 | 03 ngày làm việc | - Trực tiếp hoặc qua đường bưu điện\n"
            "| 4 | Thu hồi Giấy phép hoạt động dịch vụ việc làm")
    chunk = Chunk("c0", "d", "qd-145.pdf", "t", "", 0, 0, len(text), text, "h")
    opens, wrapped = text.index("| 3 | Gia hạn"), text.index("2.002826.H21")
    end_of_row = text.index("\n| 4 |")
    question = parse_question("Gia hạn giấy phép hoạt động dịch vụ việc làm mất bao nhiêu ngày và có mất phí không?")
    # The best line is the row's second: its first line comes with it, not 'danh quốc gia. | Có | ...' as a header.
    assert quoted_unit(chunk, wrapped, end_of_row, False, Around(text, chunk), question)[0] == [text[opens:end_of_row]]
    # The best line is the row's first, which holds no days: the line the row wraps onto comes with it.
    first_line_end = text.index("\n", opens)
    assert quoted_unit(chunk, opens, first_line_end, False, Around(text, chunk), question)[0] == [
        text[opens:first_line_end], text[wrapped:end_of_row]]


def test_asked_for_a_total_the_tables_total_row_answers() -> None:
    from qa.answer.extractive import answer_extractively
    from qa.index.lexical import LexicalIndex
    from qa.question import parse_question
    from qa.types import Chunk
    from tests.test_answers import _retrieved

    text = ("| TT | Dự án thành phần | Chiều dài (km) | Sơ bộ tổng mức đầu tư (tỷ đồng) |\n"
            "| 1 | Dự án thành phần 1: Đầu tư xây dựng đường cao tốc | 60,00 | 21.118,08 |\n"
            "| 2 | Dự án thành phần 2: Bồi thường, hỗ trợ, tái định cư | 2,63 | 133,05 |\n"
            "| Tổng cộng | | | 23.940,34 |")
    chunk = Chunk("c0", "d1", "nq-255.docx", "Nghị quyết 255/2025/QH15", "", 0, 0, len(text), text, "h")
    other = "Quốc hội quyết định chủ trương đầu tư các dự án quan trọng quốc gia."
    rest = Chunk("o0", "o0", "o.txt", "Other", "", 0, 0, len(other), other, "h")
    draft = answer_extractively(parse_question("Sơ bộ tổng mức đầu tư của Dự án là bao nhiêu tỷ đồng?"),
                                _retrieved([chunk]), LexicalIndex([chunk, rest]), 0.0, 1)
    assert "23.940,34" in draft.text, draft.text
    # A row the question names still answers for its own record.
    first = answer_extractively(parse_question("Dự án thành phần 1 có sơ bộ tổng mức đầu tư bao nhiêu tỷ đồng?"),
                                _retrieved([chunk]), LexicalIndex([chunk, rest]), 0.0, 1)
    assert "21.118,08" in first.text and "23.940,34" not in first.text, first.text


def test_a_row_is_quoted_with_the_section_of_its_table_it_is_in() -> None:
    from qa.types import Chunk
    from tests.test_answers import Around, quoted_unit

    text = ("II. THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ\n"
            "| STT | Mã số TTHC | Tên TTHC | Cơ quan thực hiện |\n"
            "| THỦ TỤC HÀNH CHÍNH CẤP TỈNH | | | |\n"
            "| 1 | 1.000953 | Thủ tục cấp Giấy chứng nhận đủ điều kiện kinh doanh môn Yoga | Sở Văn hóa và Thể thao |\n"
            "| THỦ TỤC HÀNH CHÍNH CẤP XÃ | | | |\n"
            "| 1 | 2.000794 | Thủ tục công nhận câu lạc bộ thể dục thể thao cơ sở | UBND xã |")
    chunk = Chunk("c0", "d", "qd-325.docx", "t", "", 0, 0, len(text), text, "h")
    row = "| 1 | 2.000794 | Thủ tục công nhận câu lạc bộ thể dục thể thao cơ sở | UBND xã |"
    start = text.index(row)
    assert quoted_unit(chunk, start, start + len(row), False, Around(text, chunk))[0] == [
        "II. THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ", "| STT | Mã số TTHC | Tên TTHC | Cơ quan thực hiện |",
        "| THỦ TỤC HÀNH CHÍNH CẤP XÃ | | | |", row], "the heading over the table and the nearest section row, not the first"
    # A chunk that opens under the header (no header to quote) still says the row's section.
    rows = Chunk("c1", "d", "qd-325.docx", "t", "", 1, start - 40, len(text), text[start - 40 :], "h")
    assert quoted_unit(rows, start, start + len(row), False, Around(text, chunk, rows))[0][-2:] == ["| THỦ TỤC HÀNH CHÍNH CẤP XÃ | | | |", row]


def test_the_end_of_a_header_a_pdf_wrapped_is_no_section_row() -> None:
    from qa.answer.extractive import _SECTION_ROW

    assert _SECTION_ROW.match("| THỦ TỤC HÀNH CHÍNH CẤP TỈNH | | | | | |")
    assert _SECTION_ROW.match("I | THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT CỦA SỞ VĂN HÓA")
    assert _SECTION_ROW.match("| B | Thủ tục hành chính cấp tỉnh | | | | |")
    assert not _SECTION_ROW.match("Căn cứ pháp lý |")
    assert not _SECTION_ROW.match("| 1 | 2.002819 | Cấp giấy chứng nhận | 04 ngày làm việc |")


def test_a_row_whose_label_adds_words_of_its_own_is_named_less() -> None:
    from qa.answer.extractive import _label_share, question_weights
    from qa.index.lexical import LexicalIndex
    from qa.question import parse_question
    from qa.types import Chunk

    first = "1 | Thủ tục cấp giấy phép đủ điều kiện kinh doanh dịch vụ karaoke/ 1.001029.H50 | 10 ngày làm việc"
    second = "2 | Thủ tục cấp giấy phép điều chỉnh Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke/ 1.000963.H50 | 07 ngày"
    text = f"{first}\n{second}\nThủ tục điều chỉnh quy hoạch."
    lexical = LexicalIndex([Chunk("c0", "d1", "qd.docx", "Quyết định", "", 0, 0, len(text), text, "h")])
    question = parse_question("Thủ tục cấp giấy phép đủ điều kiện kinh doanh dịch vụ karaoke giải quyết trong bao nhiêu ngày?")
    weights = question_weights(question, lexical.idf)
    assert _label_share(first, weights, lexical.idf) == 1.0, "every word of its label is asked (its code is no word)"
    assert _label_share(second, weights, lexical.idf) < 0.95, "'điều chỉnh' is its own"


def test_the_header_line_that_gives_the_documents_own_number_is_no_row_the_question_names() -> None:
    """'Số: 66/2025/TT-BXD | Hà Nội, ngày 31 tháng 12 năm 2025' reads as a row under a header; a
    question 'Theo Thông tư 66/2025/TT-BXD ...' names the document, not that line."""
    from qa.answer.extractive import _names_the_row
    from qa.question import parse_question
    from qa.text import doc_number_key

    question = parse_question("Theo Thông tư 66/2025/TT-BXD, có được hoán cải tàu vỏ gỗ thành tàu lưu trú du lịch không?")
    weights = dict.fromkeys(question.content_terms, 1.0)
    line = "Số: 66/2025/TT-BXD | Hà Nội, ngày 31 tháng 12 năm 2025"
    assert _names_the_row(line, weights), "by its words alone the line is named"
    assert not _names_the_row(line, weights, doc_number_key("66/2025/TT-BXD"))
    assert _names_the_row("Xã Sốp Cộp | 1,5%", dict.fromkeys(parse_question("Tỷ lệ tại Xã Sốp Cộp?").content_terms, 1.0),
                          doc_number_key("607/NQ-HĐND")), "a record's own name still names it"
