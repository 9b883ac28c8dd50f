"""Questions asked in one language of documents written in the other, and documents named by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa import Assistant, Settings
from qa.answer.extractive import unknown_names
from qa.question import language_of, parse_question
from qa.retrieve.filters import Filters
from qa.retrieve.hybrid import HybridRetriever, garbled
from qa.text import doc_number_key

VIETNAMESE_CIRCULAR = (
    "BỘ NỘI VỤ\nSố: 01/2026/TT-BNV\nHà Nội, ngày 09 tháng 01 năm 2026\nTHÔNG TƯ\n"
    "Hướng dẫn xếp lương đối với người được tuyển dụng vào công chức\n"
    "Điều 1. Phạm vi điều chỉnh\nThông tư này hướng dẫn Điều 20 Nghị định số 170/2025/NĐ-CP về xếp lương.\n"
)
ENGLISH_PETS = (
    "Consultation on pet travel rules\nFrom: Department for Environment, Food & Rural Affairs\n"
    "GOV.UK publishes this consultation. New rules would apply to pet owners travelling with more than five pets.\n"
)


@pytest.fixture(scope="module")
def mixed_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    docs = tmp_path_factory.mktemp("mixed")
    (docs / "tt-01-2026-bnv.txt").write_text(VIETNAMESE_CIRCULAR, encoding="utf-8")
    (docs / "pets.txt").write_text(ENGLISH_PETS, encoding="utf-8")
    # English passages about civil servants and recruitment, which an English question's words
    # and the embedder's sense of language both favour over the Vietnamese circular.
    for n in range(6):
        (docs / f"cfr-{n}.txt").write_text(
            f"Part {n}. Salary placement of newly recruited civil servants: agencies implement Article {20 + n} of the "
            "decree on pay when they place recruited staff on a salary grade.\n", encoding="utf-8")
    # Vietnamese passages about pets and travel, which a Vietnamese question's words favour.
    for n in range(6):
        (docs / f"thu-cung-{n}.txt").write_text(
            f"Quy định {n} về du lịch cùng thú cưng: chủ vật nuôi đi cùng con vật phải tiêm phòng dại trước khi đi du lịch.\n",
            encoding="utf-8")
    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("mixed-index")), embedder=embedder)
    assistant.ingest([docs])
    return assistant


def test_a_document_named_by_number_is_found_whatever_the_language(mixed_assistant: Assistant) -> None:
    question = "Circular 1/2026/TT-BNV on salary placement for newly recruited civil servants implements Article 20 of which decree?"
    found = mixed_assistant.retrieve(question)
    assert Path(found[0].chunk.source).name == "tt-01-2026-bnv.txt"


def test_a_vietnamese_question_finds_an_english_page_by_the_names_it_shares(mixed_assistant: Assistant) -> None:
    question = "Theo trang GOV.UK về tham vấn du lịch cùng thú cưng, quy định mới áp dụng cho chủ vật nuôi đi cùng hơn bao nhiêu con vật?"
    assert parse_question(question).bridge_terms[:2] == ("gov", "uk")
    found = mixed_assistant.retrieve(question)
    assert Path(found[0].chunk.source).name == "pets.txt"


def test_document_numbers_match_without_leading_zeros(mixed_assistant: Assistant) -> None:
    assert doc_number_key("01/2026/TT-BNV") == doc_number_key("1/2026/tt-bnv") == "1/2026/tt-bnv"
    assert doc_number_key("02302/QĐ-UBND") == "2302/qd-ubnd"
    assert doc_number_key("10/2026/TT-BNV") != doc_number_key("1/2026/TT-BNV")
    found = mixed_assistant.retrieve("xếp lương", filters=Filters(doc_number="1/2026/TT-BNV"))
    assert found and {Path(r.chunk.source).name for r in found} == {"tt-01-2026-bnv.txt"}


def test_vietnamese_with_marks_french_shares_is_vietnamese() -> None:
    question = "Báo cáo 'Special measures: 1 year on' về các quỹ tín thác NHS dài bao nhiêu trang?"
    assert language_of(question) == "vi" and parse_question(question).language == "vi"
    assert language_of("Le café de la région est très apprécié à Paris.") == "en"  # not Vietnamese, whatever else
    # An English question's Vietnamese names are not bridges: they are common syllables in Vietnamese text.
    assert parse_question("How many industrial clusters are planned in Khanh Hoa?").bridge_terms == ()


def test_each_is_not_what_is_counted() -> None:
    from qa.answer.extractive import holds_unit

    monthly = parse_question("Bác sĩ được hỗ trợ lương bao nhiêu mỗi tháng?")  # an amount of money, not a count of 'mỗi'
    assert holds_unit(monthly, "lương 9.000.000 đồng mỗi tháng") and not holds_unit(monthly, "mỗi tháng một lần")
    assert parse_question("Tỉnh có bao nhiêu cụm công nghiệp?").unit is not None


def test_english_passages_are_searched_by_language_in_the_index() -> None:
    from qa.index.lexical import LexicalIndex
    from qa.types import Chunk

    english = Chunk("e", "d1", "e.txt", "t", "", 0, 0, 40, "The GOV.UK page says five pets at most.", "h")
    vietnamese = Chunk("v", "d2", "v.txt", "t", "", 0, 0, 40, "Trang GOV.UK nói về thú cưng và vật nuôi.", "h")
    lexical = LexicalIndex([english, vietnamese])
    assert [c.chunk_id for c, _ in lexical.search(["gov", "uk"], 5, language="en")] == ["e"]
    assert [c.chunk_id for c, _ in lexical.search(["gov", "uk"], 5, language="vi")] == ["v"]


def test_a_year_is_not_an_amount_and_a_number_is_matched_whole() -> None:
    from qa.answer.extractive import _numbers_in

    assert parse_question("Mức phạt 2000 đồng áp dụng từ năm 2024 là gì?").years == ("2024",)
    assert _numbers_in("Căn cứ Quyết định số 11/QĐ-UBND") == {"11/qd-ubnd"}  # not the document '1/QĐ-UBND'
    assert _numbers_in("Số: 01/2026/TT-BNV") == {"1/2026/tt-bnv"}


def test_an_english_question_is_answered_from_the_vietnamese_text_not_its_header(mixed_assistant: Assistant) -> None:
    # The embedder finds the header's short lines ('THÔNG TƯ', 'Số: 01/2026/TT-BNV') close to any
    # question that names the document; the answer is in the body.
    answer = mixed_assistant.ask(
        "Circular 1/2026/TT-BNV on salary placement for newly recruited civil servants implements Article 20 of which decree?")
    assert not answer.refused and "170/2025/NĐ-CP" in answer.answer, answer.answer
    assert "THÔNG TƯ" not in answer.answer and "Số: 01/2026" not in answer.answer


def test_the_glossary_reads_a_question_in_the_other_language() -> None:
    from qa.glossary import translate

    english = translate("Theo trang tham vấn về du lịch cùng thú cưng, chủ vật nuôi được mang bao nhiêu con vật?", "vi")
    assert {"consult", "travel", "pet", "owner", "anim"} <= set(english)
    vietnamese = translate("What is the procedure code of the repealed certificate procedure?", "en")
    assert {"thu", "tuc", "ma", "bai", "bo", "giay", "chung", "nhan"} <= set(vietnamese)
    assert parse_question("nghi quyet ve khoa hoc la gi").translated_terms == ()  # unmarked: 'khóa học' or 'khoa học'?
    # Countries, as a table of figures by country writes them: 'Trung Quốc' is the row 'China'.
    countries = translate("Công suất của Trung Quốc và Nhật Bản so với Hoa Kỳ là bao nhiêu?", "vi")
    assert {"china", "japan", "unit", "state"} <= set(countries)
    # A project's schedule and the land it takes, as a resolution on investment writes them.
    schedule = translate("By what year will the expressway be completed and put into operation, and how much forest land is converted?", "en")
    assert {"hoan", "thanh", "dua", "van", "hanh", "lam", "nghiep", "chuyen", "muc", "dich"} <= set(schedule), schedule
    # What a law lists and a rule of a boat asks, in the words such documents use.
    assets = translate("From what minimum value must precious metals, gems or valuable papers be declared?", "en")
    assert {"toi", "thieu", "gia", "tri", "kim", "khi", "quy", "da", "giay"} <= set(assets), assets
    drills = translate("How often must the captain run crew drills on lifesaving equipment and evacuation?", "en")
    assert {"thuyen", "truong", "vien", "dien", "tap", "cuu", "sinh", "so", "tan"} <= set(drills), drills


def test_a_vietnamese_question_without_english_words_finds_the_english_page(mixed_assistant: Assistant) -> None:

    question = parse_question(
        "Theo trang tham vấn về du lịch cùng thú cưng, quy định mới áp dụng cho chủ vật nuôi đi cùng hơn bao nhiêu con vật?")
    assert question.bridge_terms == ()
    # Its English, from the glossary, searches the English passages: the page on pet travel first.
    translated = HybridRetriever._english_passages(question.translated_terms, mixed_assistant.retriever.lexical(), 5, None)
    assert translated and Path(translated[0][0].source).name == "pets.txt"
    assert "pets.txt" in [Path(r.chunk.source).name for r in mixed_assistant.retriever.retrieve(question, 10)]


def _indexed(tmp_path_factory: pytest.TempPathFactory, embedder, files: dict[str, str]) -> Assistant:
    """An assistant over these text files, each written to a fresh folder and ingested."""
    docs = tmp_path_factory.mktemp("docs")
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")
    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("index")), embedder=embedder)
    assistant.ingest([docs])
    return assistant


def test_an_english_question_reads_the_named_vietnamese_document_by_meaning(
        tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """An English question shares only the number with a Vietnamese resolution: BM25 on its words
    finds the header, and English pages about pay fill the embedder's top five. The article on a
    doctor's salary is found by meaning inside the named document."""
    articles = [
        "Điều {n}. Nhiệm vụ của Sở Y tế\nSở Y tế chủ trì kiểm tra, giám sát việc thực hiện chính sách tại các trạm y tế; "
        "tổng hợp báo cáo định kỳ sáu tháng và hằng năm gửi Ủy ban nhân dân Thành phố.\n",
        "Điều {n}. Nguồn kinh phí\nKinh phí thực hiện do ngân sách Thành phố bảo đảm theo phân cấp quản lý ngân sách hiện hành; "
        "các đơn vị lập dự toán cùng thời điểm xây dựng dự toán ngân sách năm.\n",
    ]
    body = "".join(articles[n % 2].format(n=n + 3) for n in range(10))
    files = {"nq-73-2025.txt": (
        "HỘI ĐỒNG NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH\nSố: 73/2025/NQ-HĐND\nThành phố Hồ Chí Minh, ngày 10 tháng 12 năm 2025\n"
        "NGHỊ QUYẾT\nQuy định chính sách đặc thù về củng cố trạm y tế\n"
        "Điều 1. Phạm vi điều chỉnh\nNghị quyết này quy định chính sách đặc thù đối với trạm y tế trên địa bàn Thành phố.\n"
        f"{body}"
        "Điều 2. Chính sách thu hút người lao động cao tuổi\n1. Hỗ trợ cho bác sĩ: lương 9.000.000 đồng/người/tháng "
        "và các khoản đóng bảo hiểm xã hội.\n2. Hỗ trợ cho điều dưỡng, hộ sinh: lương 7.000.000 đồng/người/tháng.\n"
        f"{body}")}
    for n in range(8):
        files[f"pay-{n}.txt"] = (f"Section {n}. Monthly salary support for doctors at health stations in the city is paid by the "
                                 f"employing agency under resolution {n} of the council; physicians receive support each month.\n")
    assistant = _indexed(tmp_path_factory, embedder, files)
    found = assistant.retrieve("Under Resolution 73/2025/NQ-HĐND, how much monthly salary support does a doctor receive?")
    assert any("9.000.000" in r.chunk.text for r in found)


def test_an_english_question_reads_the_vietnamese_document_of_the_place_it_names(
        tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """'Vinh Long province' is written 'tỉnh Vĩnh Long' only in Vietnamese documents: an English
    question about it is about them, though English pages on spending caps share its words."""
    filler = "".join(
        f"Điều {n}. Trách nhiệm thi hành\nỦy ban nhân dân tỉnh tổ chức triển khai, kiểm tra việc thực hiện Nghị quyết này; "
        "các sở, ngành lập dự toán hằng năm theo quy định của Luật Ngân sách nhà nước.\n" for n in range(4, 14))
    files = {"nq-48-vinh-long.txt": (
        "HỘI ĐỒNG NHÂN DÂN TỈNH VĨNH LONG\nNGHỊ QUYẾT\nQuy định tổng mức chi xây dựng quyết định quy phạm pháp luật\n"
        f"{filler}Điều 3. Tổng mức chi\n1. Tổng mức chi xây dựng quyết định quy phạm pháp luật ban hành mới của Chủ tịch "
        f"Ủy ban nhân dân tỉnh là 40.000.000 đồng/01 văn bản.\n{filler}")}
    for n in range(8):
        files[f"caps-{n}.txt"] = (f"Section {n}. The total spending cap for drafting a new legal decision of the provincial committee "
                                  f"chairman is set by the provincial council each year under rule {n}.\n")
    assistant = _indexed(tmp_path_factory, embedder, files)
    found = assistant.retrieve("In Vinh Long province, what is the total spending cap for drafting a new legal decision "
                               "issued by the provincial People's Committee chairman?")
    assert any("40.000.000" in r.chunk.text for r in found), [r.chunk.text[:60] for r in found]


def _procedures_decision(province: str, field: str, header: str, row: str, filler: str) -> str:
    """A province's decision announcing procedures: its header, filler articles, and the table."""
    return (f"ỦY BAN NHÂN DÂN TỈNH {province}\nQUYẾT ĐỊNH\nCông bố thủ tục hành chính lĩnh vực {field}\n{filler}"
            f"{header}\n{row}\n{filler}")


def _assert_retrieves(assistant: Assistant, question: str, value: str) -> None:
    """The question's retrieved passages hold the value (the row of the document it is about)."""
    found = assistant.retrieve(question)
    assert any(value in r.chunk.text for r in found), [r.chunk.text[:60] for r in found]


def _english_pages(name: str, sentence: str, count: int = 6) -> dict[str, str]:
    """English pages that share an English question's words, and not its answer."""
    return {f"{name}-{n}.txt": f"Part {n}. {sentence}\n" for n in range(count)}


def test_a_place_whose_second_syllable_is_no_search_term_is_still_found(tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """'Nghe An': 'an' is no search term and 'nghe' is mostly 'nghề' (a trade). The place is looked
    for with the question's glossary Vietnamese, then whole."""
    files = {f"nghe-{n}.txt": f"Quy định {n} về đào tạo nghề, giáo dục nghề nghiệp và dạy nghề cho lao động nông thôn.\n"
             for n in range(60)}
    filler = "".join(f"Điều {n}. Các sở, ngành tổ chức thực hiện Quyết định này theo chức năng, nhiệm vụ được giao.\n" for n in range(3, 13))
    files["qd-80-nghe-an.txt"] = _procedures_decision(
        "NGHỆ AN", "thủy sản", "STT | Tên thủ tục | Thời hạn giải quyết",
        "1 | Cấp Giấy chứng nhận thủy sản xuất khẩu vào Hoa Kỳ (COA) | 04 ngày làm việc", filler)
    files |= _english_pages("export", "Seafood exported to the United States needs a certificate issued by the exporting province.")
    _assert_retrieves(_indexed(tmp_path_factory, embedder, files),
                      "How long does Nghe An province take to issue a certificate (COA) for seafood exported to the United States?",
                      "04 ngày")


def test_a_province_the_story_names_without_saying_province_finds_its_document(
        tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """'We export shrimp from Nghe An': the province is named in the story, without the word
    'province'. Every province's name is known, and its document is found by the name itself
    though 'gia' and 'lai' of 'Gia Lai' are in almost every Vietnamese passage."""
    assert parse_question("We export shrimp from Nghe An and need a COA. How long does it take?").provinces == ("Nghe An",)
    assert parse_question("Our badminton group in Hue wants recognition. Who decides?").provinces == ("Hue",)
    assert parse_question("What did To Lam say in Kon Tum - Quang Ngai?").provinces == ("Kon Tum", "Quang Ngai")
    assert parse_question("How long is the Vinh - Thanh Thuy expressway?").provinces == ()
    # A person whose name holds a province's is no province; a long name is read whole.
    assert parse_question("Mr. Tran Thai Binh signed it. Who is he?").provinces == ()
    assert parse_question("Ho Chi Minh City offers how much?").provinces == ("Ho Chi Minh",)
    assert parse_question("Does Ba Ria Vung Tau charge a fee?").provinces == ("Ba Ria Vung Tau",)
    common = "".join(f"Điều {n}. Giá đất, gia hạn và các thủ tục lại được thực hiện theo quy định; giá thuê lại đất tính lại hằng năm.\n"
                     for n in range(3, 13))
    files = {f"gia-{n}.txt": common for n in range(40)}
    files["qd-145-gia-lai.txt"] = _procedures_decision(
        "GIA LAI", "việc làm", "STT | Tên thủ tục | Thời hạn giải quyết | Phí, lệ phí",
        "3 | Gia hạn Giấy phép hoạt động dịch vụ việc làm | 03 ngày làm việc | Không", common)
    files |= _english_pages("licences", "An employment services licence is extended by the licensing authority on application.")
    _assert_retrieves(_indexed(tmp_path_factory, embedder, files),
                      "Our employment services company is based in Gia Lai. How many working days does extending its licence take?",
                      "03 ngày")


def test_a_name_only_vietnamese_documents_write_finds_its_article_by_meaning(
        tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """'the Vinh - Thanh Thuy expressway': only the resolution's title writes the name; its article
    on the schedule says 'Dự án' and the year. The name says which document, and the document is
    read by meaning. A scan read badly that writes a name says nothing ('Nha Trang' in garbled OCR)."""
    assert parse_question("By what year will the Vinh - Thanh Thuy expressway open, per the National Assembly?").names == (
        "Vinh - Thanh Thuy", "National Assembly")
    assert parse_question("How many died on Lion Air Flight 610?").names == ("Lion Air Flight",)
    assert garbled("Sau 03 nam thyc hién Nghi quyét s6 06-NQ/TU, ngay 11/01/2021 ctia Tinh Uy vé Chuwong trinh phat trién")
    assert not garbled("Chuẩn bị đầu tư Dự án năm 2025, hoàn thành công trình đưa vào vận hành, khai thác trong năm 2029.")
    filler = "".join(f"Điều {n}. Các bộ, ngành và địa phương tổ chức thực hiện Nghị quyết này theo chức năng, nhiệm vụ được giao.\n"
                     for n in range(3, 23))
    files = {"nq-255-cao-toc.txt": ("QUỐC HỘI\nNGHỊ QUYẾT\nChủ trương đầu tư Dự án đầu tư xây dựng đường bộ cao tốc Vinh - Thanh Thủy\n"
                                    f"{filler}Điều 30. Tiến độ thực hiện: chuẩn bị đầu tư Dự án năm 2025, hoàn thành công trình "
                                    f"đưa vào vận hành, khai thác trong năm 2029.\n{filler}")}
    files |= {f"nq-{n}.txt": f"Nghị quyết {n} về thành lập thị xã và phường Thanh Thủy, Vinh Thanh của tỉnh.\n{filler}" for n in range(20)}
    files |= _english_pages("roads", "The new expressway will open to traffic once it is completed and put into operation.")
    _assert_retrieves(_indexed(tmp_path_factory, embedder, files),
                      "By what year is the Vinh - Thanh Thuy expressway supposed to be finished and open to traffic?", "năm 2029")


def test_a_vietnamese_place_an_english_question_names_reads_the_same_in_the_vietnamese_table() -> None:
    from qa.answer.extractive import answer_extractively, crossed_weights
    from qa.index.lexical import LexicalIndex
    from qa.results import Retrieved
    from qa.types import Chunk

    question = parse_question("We lease non-agricultural land in Moc Chau ward, Son La province, and pay rent annually. "
                              "What percentage is used to calculate our annual land rental unit price?")
    lexical_terms = {"moc", "chau"}
    text = ("THỐNG NHẤT MỨC TỶ LỆ PHẦN TRĂM (%) TÍNH ĐƠN GIÁ THUÊ ĐẤT HÀNG NĂM TRÊN ĐỊA BÀN TỈNH\n"
            "STT | Địa bàn | Mức tỷ lệ phần trăm (%) tính đơn giá thuê đất hằng năm\n"
            "1 | Phường Tô Hiệu | 2,0%\n2 | Phường Chiềng An | 1,5%\n5 | Phường Mộc Châu | 1,8%\n6 | Xã Sốp Cộp | 0,8%\n")
    chunk = Chunk("c0", "d1", "nq-607.docx", "Nghị quyết về tỷ lệ phần trăm tính đơn giá thuê đất", "", 0, 0, len(text), text, "h")
    lexical = LexicalIndex([chunk])
    assert lexical_terms <= crossed_weights(question, lexical.idf).keys()
    draft = answer_extractively(question, [Retrieved(chunk, 1.0, 0, 0, 0.85)], lexical, 0.0, 1)
    assert "Mộc Châu | 1,8%" in draft.text, draft.text


def test_an_english_question_names_a_vietnamese_law_by_its_subject(tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """'the Law on Anti-Corruption' is no name the corpus lacks: the glossary reads it as 'phòng,
    chống tham nhũng'. And of the documents retrieved, the one whose title the question names is
    the one its anatomy is read from, though English pages on laws taking effect rank first."""
    filler = "".join(f"Điều {n}. Sửa đổi, bổ sung khoản {n} về kê khai tài sản, thu nhập của người có nghĩa vụ kê khai.\n"
                     for n in range(2, 12))
    files = {"luat-132.txt": (
        "QUỐC HỘI\nSố: 132/2025/QH15\nHà Nội, ngày 10 tháng 12 năm 2025\nLUẬT\n"
        "SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT PHÒNG, CHỐNG THAM NHŨNG\n"
        f"Điều 1. Sửa đổi, bổ sung một số điều của Luật Phòng, chống tham nhũng\n{filler}"
        "Điều 12. Hiệu lực thi hành\nLuật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2026.\n")}
    files |= _english_pages("acts", "Notes on amendments\nThe 2025 amendments to the law take effect when the act says; Vietnam's "
                                    "agencies apply each law from then.", 4)
    assistant = _indexed(tmp_path_factory, embedder, files)
    lexical = assistant.retriever.lexical()
    assert unknown_names(parse_question("What must be declared under the Law on Anti-Corruption?"), lexical) == []
    assert unknown_names(parse_question("What must be declared under the Anti-Corruption Law of Hanoi?"), lexical) == ["Hanoi"]
    answer = assistant.ask("When do Vietnam's 2025 amendments to the Law on Anti-Corruption take effect?")
    assert not answer.refused, answer.answer
    assert "1 July 2026" in answer.answer and answer.citations[0].source.endswith("luat-132.txt"), answer.answer


def test_an_english_question_finds_vietnamese_passages_by_its_glossary_phrases(
        tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """English news on a provincial People's Committee shares the question's words; the procedure
    that answers is Vietnamese. Its passages holding two of the question's glossary phrases whole
    ('ủy ban nhân dân', 'giấy phép', 'đê điều') are searched too; a folded syllable alone is not enough."""
    filler = "".join(f"{n}. Tên thủ tục hành chính: Cấp giấy chứng nhận lĩnh vực thủy lợi số {n}.\n{n}.4. Thời hạn giải quyết: "
                     f"{n + 30} ngày.\n" for n in range(4, 14))
    files = {"qd-494.txt": (
        "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG\nQUYẾT ĐỊNH\nCông bố thủ tục hành chính lĩnh vực đê điều\n" + filler +
        "3. Tên thủ tục hành chính: Cấp giấy phép cho các hoạt động liên quan đến đê điều\n3.1. Trình tự thực hiện: Ủy ban nhân "
        "dân cấp tỉnh xem xét, quyết định cấp giấy phép.\n3.4. Thời hạn giải quyết: Trong thời hạn không quá 20 ngày, kể từ "
        "ngày nhận đủ hồ sơ hợp lệ.\n" + filler)}
    files |= _english_pages("news", "The provincial People's Committee met investors; the committee will decide on the days "
                                    "of the new permit plan for industry.", 8)
    question = parse_question("How many days does the provincial People's Committee take to decide on a permit for dike works?")
    assistant = _indexed(tmp_path_factory, embedder, files)
    found, _ = HybridRetriever._vietnamese_passages(question, assistant.retriever.lexical(), 10, None)
    assert found and all(Path(chunk.source).name == "qd-494.txt" for chunk, _ in found)
    assert any("20 ngày" in chunk.text for chunk, _ in found)
    one_phrase = parse_question("What does the provincial People's Committee decide for industry?")
    assert HybridRetriever._vietnamese_passages(one_phrase, assistant.retriever.lexical(), 10, None) == ([], False)


def test_an_english_question_whose_glossary_phrases_point_at_one_vietnamese_document_retrieves_its_article(
        tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """Seven of the question's glossary phrases ('phòng, chống tham nhũng', 'kim khí quý', 'đá quý',
    'kê khai' ...) are in the law's articles; English pages share its English words. With the law's
    passages counted at a quarter, the English pages filled the top five."""
    filler = "".join(f"Điều {n}. Sửa đổi, bổ sung quy định về kê khai tài sản theo Luật Phòng, chống tham nhũng, khoản {n}.\n"
                     for n in range(2, 14))
    files = {"luat-132.txt": (
        "LUẬT SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA LUẬT PHÒNG, CHỐNG THAM NHŨNG\n" + filler +
        "Điều 14. Tài sản phải kê khai\nKim khí quý, đá quý, tiền, giấy tờ có giá mà mỗi loại có giá trị từ 150 triệu đồng "
        "trở lên phải kê khai theo Luật Phòng, chống tham nhũng.\n" + filler)}
    files |= _english_pages("notes", "Notes on amendments to the law: what value the assets have, cash and papers declared "
                                     "above a value, precious metals and gems.", 8)
    assistant = _indexed(tmp_path_factory, embedder, files)
    _assert_retrieves(assistant, "Under Vietnam's 2025 amendments to the Anti-Corruption Law, above what value do precious "
                                 "metals, gems, cash and valuable papers have to be declared?", "150 triệu đồng")


def test_a_vietnamese_question_reads_the_english_document_it_names_by_meaning(
        tmp_path_factory: pytest.TempPathFactory, embedder) -> None:
    """'FAA' and 'Boeing' name one English document; the Vietnamese question's glossary words find
    its many passages on Boeing's wiring, not the one that says when comments are due."""
    filler = "".join(f"Section {n}. The FAA proposes that Boeing operators inspect wiring bundle {n} of the stabilizer trim "
                     f"system and replace damaged clamps on Boeing airplanes, as the FAA describes in paragraph {n}.\n\n"
                     for n in range(1, 16))
    files = {"faa-ad.txt": "Airworthiness Directives; The Boeing Company Airplanes\n\n" + filler +
             "DATES: Send your views to the docket by September 21, 2020.\n\n" + filler}
    files |= _english_pages("notes", "Airlines plan maintenance each year and send comments to regulators about the deadline.", 8)
    assistant = _indexed(tmp_path_factory, embedder, files)
    question = parse_question("Hạn chót để gửi ý kiến góp ý cho đề xuất của FAA về máy bay Boeing là ngày nào?")
    assert HybridRetriever._named_in_english(question, assistant.retriever.lexical())
    _assert_retrieves(assistant, question.text, "September 21, 2020")
