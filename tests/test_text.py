from hypothesis import given
from hypothesis import strategies as st

from qa.question import parse_question
from qa.text import DOC_NUMBER, fold, has_diacritics, normalize, sentence_spans, terms


def test_fold_removes_vietnamese_diacritics() -> None:
    assert fold("Nghị quyết số 06-NQ/TU của Tỉnh ủy Đắk Lắk") == "nghi quyet so 06-nq/tu cua tinh uy dak lak"
    assert fold("Nghi quyét") == "nghi quyet"


def test_ocr_spelling_and_accented_query_share_terms() -> None:
    assert set(terms("Nghị quyết")) == set(terms("Nghi quyét")) == {"nghi", "quyet"}


def test_document_numbers_are_whole_tokens() -> None:
    for number in ["544-KL/TU", "06-NQ/TU", "60-NQ/TW", "123/QD-TTg"]:
        assert number.lower() in terms(f"Theo {number}, ngày 06/02/2024")
    assert "544-kl/tu" not in terms("544 KL TU")


def test_thousands_separators_do_not_split_numbers() -> None:
    assert "4440" in terms("about 4,440 workers")
    assert "4440" in terms("khoảng 4.440 lao động")


def test_has_diacritics() -> None:
    assert has_diacritics("Kết luận")
    assert not has_diacritics("Ket luan 544-KL/TU")


def test_sentence_spans_join_wrapped_ocr_lines_but_not_headings() -> None:
    text = "KET LUAN\nCUA BAN THUONG VU TINH UY ve tiep tuc trien khai thuc hien Nghi quyet\nso 06-NQ/TU.\n\nResolution No. 09 sets goals. Next one."
    spans = [text[s.start : s.end] for s in sentence_spans(text)]
    assert spans[0] == "KET LUAN"
    assert spans[1].endswith("so 06-NQ/TU.")
    assert "Resolution No. 09 sets goals." in spans
    assert spans[-1] == "Next one."


def test_an_amount_on_the_next_line_stays_with_its_sum() -> None:
    text = "AOA sensor system test ........ 40 work-hours × $85 per hour =\n$3,400.\nThe next item."
    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "AOA sensor system test ........ 40 work-hours × $85 per hour =\n$3,400.", "The next item."]


def test_a_table_row_is_one_sentence_whatever_its_cells_say() -> None:
    text = ("Danh mục thủ tục. Như sau.\n| 2 | 1.000063 | Cấp chứng chỉ hạng I | Nghị định số 39/2026/NĐ-CP . | Cục Đo đạc |\n"
            "| 3 | 1.011672 | Cung cấp dữ liệu. | Cục Đo đạc |")
    spans = [text[s.start : s.end] for s in sentence_spans(text)]
    assert spans == [
        "Danh mục thủ tục.", "Như sau.", "| 2 | 1.000063 | Cấp chứng chỉ hạng I | Nghị định số 39/2026/NĐ-CP . | Cục Đo đạc |",
        "| 3 | 1.011672 | Cung cấp dữ liệu. | Cục Đo đạc |",
    ]


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n:;,Ếế1|")), max_size=300))
def test_sentence_spans_are_exact_disjoint_and_lose_no_text(text: str) -> None:
    text = normalize(text)
    spans = sentence_spans(text)
    covered: set[int] = set()
    previous_end = 0
    for span in spans:
        assert span.start >= previous_end
        piece = text[span.start : span.end]
        assert piece == piece.strip() and piece
        covered.update(range(span.start, span.end))
        previous_end = span.end
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_a_line_that_cannot_end_a_sentence_wraps_into_the_next() -> None:
    from qa.text import sentence_spans

    text = ("SUMMARY: The FAA proposes to supersede Airworthiness Directive (AD)\n2018–23–51, which applies to all The\n"
            "Boeing Company Model 737–8 and 737–\n9 (737 MAX) airplanes. Since then\nĐiều 1. Phạm vi\nThông tư này quy định (“Luật”).")
    units = [text[s.start : s.end] for s in sentence_spans(text)]
    assert units[0].startswith("SUMMARY:") and units[0].endswith("(737 MAX) airplanes.")  # '(AD)' and 'The' do not end it
    assert "Điều 1. Phạm vi" in units and "Thông tư này quy định (“Luật”)." in units  # a heading stays its own, label and all


def test_list_items_stay_apart_whatever_they_end_with() -> None:
    from qa.text import sentence_spans

    for text, units in [
        ("- Hà Nội (khu vực I)\n- TP HCM (khu vực I)\n- Bắc Ninh", ["- Hà Nội (khu vực I)", "- TP HCM (khu vực I)", "- Bắc Ninh"]),
        ("See Appendix A\nThe next part begins here", ["See Appendix A", "The next part begins here"]),
    ]:
        assert [text[s.start : s.end] for s in sentence_spans(text)] == units


def test_a_label_stays_with_its_line_and_a_heading_starts_a_unit() -> None:
    from qa.text import sentence_spans

    text = ("Hướng dẫn xếp lương đối với người được tuyển dụng vào công chức\nĐiều 1. Phạm vi điều chỉnh\n"
            "Thông tư này hướng dẫn một số nội dung của\nĐiều 20 Nghị định số 170/2025/NĐ-CP.\n"
            "1.4. Thời hạn giải quyết: 02 ngày làm việc.\nArticle 3. Scope\nIt costs 5. Then more.")
    units = [text[s.start : s.end] for s in sentence_spans(text)]
    assert units == [
        "Hướng dẫn xếp lương đối với người được tuyển dụng vào công chức",
        "Điều 1. Phạm vi điều chỉnh",
        "Thông tư này hướng dẫn một số nội dung của\nĐiều 20 Nghị định số 170/2025/NĐ-CP.",  # a wrapped line, not a heading
        "1.4. Thời hạn giải quyết: 02 ngày làm việc.",
        "Article 3. Scope",
        "It costs 5.",
        "Then more.",
    ]


def test_a_blank_line_tesseract_puts_inside_a_paragraph_does_not_cut_its_sentence() -> None:
    from qa.ingest.pdf import rewrapped

    ocr = ("b) Trường hợp không xác định được doanh thu của công trình, hạng mục công trình xây\n\n"
           "dựng, căn cứ vào tỷ lệ (%) giá trị đầu tư của công trình tại từng địa bàn xã.\n\n"
           "2. Đối với công trình ở xã khác\n\nĐiều 3. Tổ chức thực hiện")
    text = rewrapped(ocr)
    spans = [text[s.start : s.end] for s in sentence_spans(text)]
    assert spans[0].startswith("b) Trường hợp") and spans[0].endswith("từng địa bàn xã."), spans
    assert "2. Đối với công trình ở xã khác" in spans and "Điều 3. Tổ chức thực hiện" in spans  # headings keep their lines
    # A capital, Vietnamese ones included ('Đ', 'Ư'), opens a paragraph of its own.
    heading = "QUYẾT ĐỊNH VỀ VIỆC BAN HÀNH QUY CHẾ QUẢN LÝ HOẠT ĐỘNG CỦA CÁC CỤM CÔNG NGHIỆP\n\nĐối với các dự án cũ."
    assert rewrapped(heading) == heading


def test_an_english_compound_of_a_number_and_a_measure_is_no_document_number() -> None:
    """'68-year-old' was read as a document number no document holds, and the question was refused."""
    assert DOC_NUMBER.findall("a 68-year-old doctor, an 18-week course, a 24-hour line, a 12-month plan, a 100-acre farm") == []
    assert DOC_NUMBER.findall("Kết luận 544-KL/TU, Nghị quyết 06-NQ/TU, nghi quyet 06-nq/tu, 01/2026/TT-BNV") == [
        "544-KL/TU", "06-NQ/TU", "06-nq/tu", "01/2026/TT-BNV"]
    assert parse_question("I'm a 68-year-old retired physician. How much salary support does the city offer?").doc_numbers == frozenset()
