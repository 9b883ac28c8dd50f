"""The answers users rely on, on the real sample index: right facts, exact quotes, honest refusals."""

import dataclasses
from pathlib import Path

import pytest

from qa import REFUSAL, Assistant, Filters, Settings
from qa.answer.extractive import (
    _ANNOUNCES_ITEMS,
    Candidate,
    _candidates,
    _other_asks,
    _passage_naming_what_was_asked,
    answer_extractively,
    complete_unit,
    holds_unit,
    holds_wanted_value,
    identifying_terms,
    names_asked_field,
    names_what_was_asked,
    question_weights,
    refusal_signals,
    sets_threshold,
    within_best_document,
    within_document_weights,
)
from qa.answer.from_metadata import asked_field
from qa.answer.invariants import violations
from qa.answer.meaning import SentenceMeaning, meaning_query
from qa.answer.refusal import SIGNALS, fit, load_model
from qa.assistant import NO_MATCHING_DOCUMENT
from qa.errors import InputError
from qa.index.lexical import LexicalIndex
from qa.question import Question, language_of, parse_question, siblings_named, split_ask, years_named
from qa.results import Retrieved
from qa.retrieve.hybrid import restore_diacritics
from qa.text import DOC_NUMBER, fold, normalize, terms
from qa.types import Chunk
from tests.conftest import SAMPLE

ROOT = Path(__file__).resolve().parent.parent


def document_text(source: str) -> str:
    return normalize(Path(source).read_text(encoding="utf-8"))


def test_clusters_question_answers_14_and_669_hectares(sample_assistant: Assistant) -> None:
    answer = sample_assistant.ask("How many industrial clusters are planned in Khanh Hoa and with what total area?")
    assert not answer.refused
    assert "14 industrial clusters" in answer.answer and "669 hectares" in answer.answer
    assert Path(answer.citations[0].source).name == "khanh-hoa-industrial-clusters.txt"


@pytest.mark.parametrize(
    "question",
    ["Ket luan 544-KL/TU duoc ban hanh ngay nao?", "Kết luận 544-KL/TU được ban hành ngày nào?"],
)
def test_vietnamese_question_cites_the_conclusion(sample_assistant: Assistant, question: str) -> None:
    answer = sample_assistant.ask(question)
    assert not answer.refused
    assert Path(answer.citations[0].source).name == "khanh-hoa-ket-luan-544-KL-TU-2024.txt"
    assert "06 thang 02 nam 2024" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "What is the population of Hanoi?",
        "How many electric buses does Da Nang operate?",
        # Kon Tum is in the corpus, but the clusters plan is Khanh Hoa's: its 14 clusters are not Kon Tum's.
        "How many industrial clusters are planned in Kon Tum province?",
        # June is in the corpus, but not in the clusters article (May 2024): it says nothing as of June 2025.
        "How many industrial clusters were planned in Khanh Hoa as of June 2025?",
    ],
)
def test_questions_the_documents_cannot_answer_are_refused(sample_assistant: Assistant, question: str) -> None:
    answer = sample_assistant.ask(question)
    assert answer.refused
    assert answer.answer == REFUSAL
    assert answer.citations == []


def test_every_quote_is_the_exact_slice_of_its_document(sample_assistant: Assistant) -> None:
    questions = [
        "How many workers do the operating industrial clusters employ?",
        "Which provinces merged into the new Ninh Binh?",
        "Nghị quyết 06-NQ/TU ngày nào?",
        "What did General Secretary To Lam say about Kon Tum and Quang Ngai?",
    ]
    checked = 0
    for question in questions:
        for c in sample_assistant.ask(question).citations:
            assert c.quote == document_text(c.source)[c.start : c.end]
            assert c.title and c.doc_id and c.score > 0
            checked += 1
    assert checked >= len(questions)


@pytest.mark.parametrize("question", ["", "   \n ", "x" * 1001])
def test_bad_questions_get_a_clear_error(sample_assistant: Assistant, question: str) -> None:
    with pytest.raises(InputError):
        sample_assistant.ask(question)


def test_folded_lexical_search_finds_ocr_text_from_accented_query(sample_assistant: Assistant) -> None:
    lexical = sample_assistant.retriever.lexical()

    best, _ = lexical.search(terms("Nghị quyết 06-NQ/TU"), 1)[0]
    assert best.source.endswith("khanh-hoa-ket-luan-544-KL-TU-2024.txt")
    assert "Nghi quyét" in best.text


def test_sample_corpus_is_the_five_documents(sample_assistant: Assistant) -> None:
    names = sorted(Path(d.source).name for d in sample_assistant.documents())
    assert names == sorted(p.name for p in SAMPLE.glob("*.txt")) and len(names) == 5


def test_follow_up_carries_the_topic_but_a_new_question_does_not(sample_assistant: Assistant) -> None:
    history = [("How many industrial clusters are planned in Khanh Hoa?", "14 industrial clusters [1]")]
    follow_up = sample_assistant.ask("And what is their total area?", history=history)
    assert "669 hectares" in follow_up.answer
    assert follow_up.standalone_question != follow_up.question
    fresh = sample_assistant.ask("What is the population of Hanoi?", history=history)
    assert fresh.standalone_question == fresh.question and fresh.refused


def test_questions_can_be_restricted_to_chosen_documents(sample_assistant: Assistant) -> None:
    docs = {Path(d.source).name: d.doc_id for d in sample_assistant.documents()}
    only = [docs["kon-tum-quang-ngai-merger.txt"]]
    answer = sample_assistant.ask("How many industrial clusters are planned in Khanh Hoa?", doc_ids=only)
    assert all(c.doc_id in only for c in answer.citations)
    assert all(r.chunk.doc_id in only for r in sample_assistant.retrieve("industrial clusters", filters=Filters(doc_ids=tuple(only))))


def test_named_places_are_adjacent_capitalised_pairs() -> None:
    assert parse_question("What is the population of Khanh Hoa province after merging with Ninh Thuan?").name_pairs == (
        frozenset({"khanh", "hoa"}), frozenset({"ninh", "thuan"})
    )
    assert parse_question("How many clusters are there?").name_pairs == ()


@pytest.fixture(scope="module")
def two_province_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    docs = tmp_path_factory.mktemp("provinces")
    (docs / "ninh-binh.txt").write_text(
        "Ninh Binh after the merger. The new Ninh Binh province has a population of more than 4.4 million people.\n"
        "Ninh Binh will develop tourism around Trang An.\n", encoding="utf-8")
    (docs / "khanh-hoa.txt").write_text(
        "Khanh Hoa after the merger. Khanh Hoa faces differences in population size between its areas.\n"
        "Khanh Hoa will develop Van Phong port and the marine economy.\n", encoding="utf-8")
    assistant = Assistant(Settings(index_dir=tmp_path_factory.mktemp("provinces-index")), embedder=embedder)
    assistant.ingest([docs])
    return assistant


def test_a_number_about_another_province_is_not_given_as_the_answer(two_province_assistant: Assistant) -> None:
    answer = two_province_assistant.ask("What is the population of Khanh Hoa province after the merger?")
    assert answer.refused, answer.answer
    assert "4.4" not in answer.answer


def test_the_same_question_about_the_named_province_is_answered(two_province_assistant: Assistant) -> None:
    answer = two_province_assistant.ask("What is the population of Ninh Binh province after the merger?")
    assert not answer.refused and "4.4 million" in answer.answer
    assert answer.citations[0].source.endswith("ninh-binh.txt")


class Around:
    """The document around a chunk, as ChunkStore gives it: its neighbours and its whole text."""

    def __init__(self, text: str, *chunks: Chunk) -> None:
        self.text, self.chunks = text, chunks

    def neighbour(self, chunk: Chunk, step: int) -> Chunk | None:
        at = self.chunks.index(chunk) + step
        return self.chunks[at] if 0 <= at < len(self.chunks) else None

    def document_text(self, doc_id: str) -> str:
        return self.text


def quoted_unit(chunk: Chunk, start: int, end: int, wants_list: bool = False, reader: Around | None = None,
                question: Question | None = None) -> tuple[list[str], int]:
    """complete_unit of a chunk's span, as the quotes it reads and the items it leaves out."""
    spans, more = complete_unit(Candidate(chunk, start, end, frozenset(), 1.0, 0), wants_list, reader, question)
    return [holder.slice(a, b) for holder, a, b in spans], more


def test_complete_units_bring_their_list_header_row_and_antecedent() -> None:
    text = ("The plan covers:\n- roads;\n- ports;\n- schools.\nSTT | Name | Area\n1 | Dien Tho | 50 ha\n"
            "2 | Trang E | 70 ha\nThe cluster was approved. It covers 75 hectares.\nKey tasks are:\na) build;\nb) train;")
    cut = text.index("b) train;")
    chunk = Chunk("c", "d", "s", "t", "", 0, 0, cut, text[:cut], "h")
    after = Chunk("c2", "d", "s", "t", "", 1, cut - 10, len(text), text[cut - 10 :], "h")

    def unit(sentence: str, wants_list: bool = False) -> tuple[list[str], int]:
        start = text.index(sentence)
        return quoted_unit(chunk, start, start + len(sentence), wants_list, Around(text, chunk, after))

    assert unit("The plan covers:") == (["The plan covers:", "- roads;", "- ports;", "- schools."], 0)
    assert unit("- ports;", wants_list=True) == (["The plan covers:", "- roads;", "- ports;", "- schools."], 0)
    assert unit("- ports;") == (["- ports;"], 0), "an item alone, when no list is asked for"
    assert unit("Key tasks are:") == (["Key tasks are:", "a) build;", "b) train;"], 0), "the list reads on into the next chunk"
    assert unit("2 | Trang E | 70 ha") == (["STT | Name | Area", "2 | Trang E | 70 ha"], 0)
    assert unit("It covers 75 hectares.") == (["The cluster was approved.", "It covers 75 hectares."], 0)
    assert unit("The cluster was approved.") == (["The cluster was approved."], 0)


def test_a_pdf_rows_wrapped_lines_come_with_it_when_they_hold_the_value() -> None:
    text = ("| STT | Tên thủ tục | Thời hạn giải quyết | Địa điểm |\n"
            "| 1 | Cấp giấy phép hoạt động dịch vụ việc làm 2.002824.H21 |\n"
            "05 ngày làm việc | - Trực tiếp tại Trung tâm Phục vụ hành chính công tỉnh hoặc\n"
            "qua dịch vụ bưu chính. |\n"
            "| 2 | Cấp lại Giấy phép hoạt động dịch vụ việc làm 2.002825.H21 |")
    chunk = Chunk("c", "d", "s", "t", "", 0, 0, len(text), text, "h")
    row = "| 1 | Cấp giấy phép hoạt động dịch vụ việc làm 2.002824.H21 |"
    start = text.index(row)

    def unit(question: str) -> list[str]:
        return quoted_unit(chunk, start, start + len(row), question=parse_question(question))[0]

    days = unit("Thủ tục cấp giấy phép hoạt động dịch vụ việc làm giải quyết trong bao nhiêu ngày?")
    assert days[1:] == [row, "05 ngày làm việc | - Trực tiếp tại Trung tâm Phục vụ hành chính công tỉnh hoặc",
                        "qua dịch vụ bưu chính."], days
    assert not any("Cấp lại" in line for line in days), "the next row is another record"
    assert unit("Mã thủ tục cấp giấy phép hoạt động dịch vụ việc làm là gì?")[1:] == [row], "nothing asked for lies further on"


def test_asked_for_a_list_the_line_that_opens_it_outranks_another_lists_item() -> None:
    text = ("Điều 3. Trách nhiệm thi hành.\n"
            "c) Thực hiện rà soát, trình Chủ tịch UBND tỉnh ban hành quy trình nội bộ trong các lĩnh vực phân cấp.\n"
            "1. Lĩnh vực công chứng:\na) Bổ nhiệm công chứng viên;\nb) Miễn nhiệm công chứng viên;\n")
    question = parse_question("Trong lĩnh vực công chứng, Chủ tịch UBND tỉnh phân cấp cho Sở Tư pháp thực hiện những nhiệm vụ nào?")
    assert question.wants_list
    found = _best_sentences(question, text, "Quyết định phân cấp")
    assert found[0] == "1. Lĩnh vực công chứng:", found[:3]
    assert parse_question("Những tài sản, thu nhập nào phải kê khai?").wants_list, "a comma inside what is listed"


def test_a_list_without_bullets_is_its_short_lines() -> None:
    text = ("After January 20, 2017, President Obama will use the following accounts:\n@BarackObama on Twitter\n"
            "Facebook.com/BarackObama\nInstagram.com/BarackObama\nFirst Lady Michelle Obama can be followed too.\n"
            "Colleges must:\nkeep their graduation rates high.\nStudents must keep up their grades.")
    chunk = Chunk("c", "d", "s", "t", "", 0, 0, len(text), text, "h")

    def unit(sentence: str) -> list[str]:
        start = text.index(sentence)
        return quoted_unit(chunk, start, start + len(sentence), True, Around(text, chunk))[0]

    assert unit("After January 20, 2017, President Obama will use the following accounts:") == [
        "After January 20, 2017, President Obama will use the following accounts:", "@BarackObama on Twitter",
        "Facebook.com/BarackObama", "Instagram.com/BarackObama"]
    assert unit("Colleges must:") == ["Colleges must:", "keep their graduation rates high."], "lines that end sentences are no list"
    accounts = parse_question("Which social media accounts did President Obama say he would use after January 20, 2017?")
    assert accounts.wants_list and accounts.focus == {"account"}, "the things asked for are the accounts, not 'social'"
    duties = parse_question("What would community colleges themselves have to do under that plan?")
    assert not duties.wants_list and "themselv" not in duties.focus


def test_a_row_brings_its_header_from_the_chunk_before_and_the_column_a_name_is_in() -> None:
    text = "Phụ lục\nTT | I. Địa bàn đặc biệt khó khăn | II. Địa bàn khó khăn\n1 | Xã Đất Mới | Phường Bạc Liêu\n2 | Xã Năm Căn | Phường Vĩnh Trạch"
    cut = text.index("1 | Xã")
    head = Chunk("c1", "d", "s", "t", "", 0, 0, cut, text[:cut], "h")
    rows = Chunk("c2", "d", "s", "t", "", 1, cut, len(text), text[cut:], "h",
                 table_header="TT | I. Địa bàn đặc biệt khó khăn | II. Địa bàn khó khăn")

    def unit(question: str) -> list[str]:
        start = text.index("1 | Xã")
        end = text.index("\n2 |")
        return quoted_unit(rows, start, end, False, Around(text, head, rows), parse_question(question))[0]

    assert unit("Phường Bạc Liêu thuộc nhóm địa bàn nào?") == ["II. Địa bàn khó khăn", "1 | Xã Đất Mới | Phường Bạc Liêu"]
    assert unit("Xã Đất Mới thuộc nhóm địa bàn nào?") == ["I. Địa bàn đặc biệt khó khăn", "1 | Xã Đất Mới | Phường Bạc Liêu"]
    assert unit("Danh sách gồm những gì?") == ["TT | I. Địa bàn đặc biệt khó khăn | II. Địa bàn khó khăn", "1 | Xã Đất Mới | Phường Bạc Liêu"]



def test_the_ask_is_found_inside_a_story() -> None:
    q = parse_question(
        "I run a small garment workshop in Nha Trang and my landlord keeps raising the rent. "
        "How many industrial clusters are planned in Khanh Hoa, and how big are they in total?"
    )
    assert q.ask.startswith("How many industrial clusters") and q.story.startswith("I run")
    assert q.answer_type == "number" and "rent" not in q.content_terms and "trang" in q.terms
    leaning = parse_question("My floating restaurant is in Ha Long and I want to convert an old wooden boat. Is it allowed?")
    assert leaning.ask == leaning.text, "a short ask that leans on its story keeps it"


def test_questions_are_typed_and_split_where_people_write_them() -> None:
    abbreviated = parse_question("Nghị quyết 73/2025/NQ-HĐND về trạm y tế TP.HCM có hiệu lực từ ngày nào?")
    assert abbreviated.ask == abbreviated.text, "'TP.HCM' does not end a sentence"
    assert abbreviated.doc_numbers == {"73/2025/nq-hdnd"} and abbreviated.answer_type == "date"
    assert not abbreviated.name_pairs, "a document's reference is not a name ('HĐND TP')"
    story = parse_question("Under Circular 66/2025/TT-BXD I run a floating hotel with many cabins and a big deck. "
                           "How many guests may sleep on board at most?")
    assert "66/2025/tt-bxd" in story.doc_numbers, "the story may name the document"
    assert parse_question("Thời gian giải quyết thủ tục là bao lâu?").answer_type == "number"
    assert parse_question("thong tu 1/2026/TT-BNV do thu truong nao ky").answer_type == "person"
    assert parse_question("Who delivered the weekly address of April 11, 2015?").answer_type == "person"
    assert parse_question("In which issue date of the Federal Register was it published?").answer_type == "date"
    latest = parse_question("What is the latest date by which we have to start using the 2011 withholding tables?")
    assert latest.answer_type == "date" and latest.wants_day
    assert parse_question("What is the fiscal year budget?").answer_type == "number"
    # A limit, a coefficient, an investment, a salary ask a number; 'what values' does not.
    for asks_a_number in ("What is the 2012 social security wage base limit?", "What is the salary coefficient for step 1?",
                          "What is the estimated investment for the section?", "What herd size must a farm stay under?",
                          "What minimum GPA must students maintain?"):
        assert parse_question(asks_a_number).answer_type == "number", asks_a_number
    assert parse_question("What values does the plan promote?").answer_type is None
    # 'Name some of ...' and 'what kinds of ...' ask for a list; 'what kind of' does not.
    assert parse_question("Name some of the public service units under the Department.").wants_list
    assert parse_question("What kinds of firearms fall under the 'Other' column?").wants_list
    assert not parse_question("What kind of land is it?").wants_list
    assert parse_question("What is the number of the Standing Committee's conclusion?").answer_type is None
    assert parse_question("What land rent percentage applies to non-agricultural land in Xã Sốp Cộp?").language == "en", (
        "a Vietnamese place name does not make an English question Vietnamese")
    assert parse_question("Sở nào ký?").language == "vi"
    assert parse_question("Theo Quyết định 605/QĐ-UBND, ai là Giám đốc Sở Xây dựng?").answer_type == "person"
    # A rate the question only mentions is not what it asks: who led the review is.
    assert parse_question("Ai là người dẫn đầu cuộc rà soát 14 quỹ NHS có tỷ lệ tử vong cao?").answer_type == "person"
    assert parse_question("Tỷ lệ phần trăm tính đơn giá thuê đất do ai quy định và là bao nhiêu?").answer_type == "number"
    assert parse_question("Tỷ lệ hộ nghèo của tỉnh năm 2024?").answer_type == "number"
    assert parse_question("How many followers did the account have when it was handed over?").answer_type == "number", (
        "the ask comes first; 'when' only dates the count")
    assert parse_question("When does the plan take effect, and how much does it cost?").answer_type == "date"
    # A yes-or-no ask is an ask of its own: its sentence is quoted beside the deadline's.
    both = parse_question("Theo luật sửa đổi, cô ấy có phải kê khai bổ sung không và phải xong trước ngày nào?")
    assert [p.answer_type for p in both.parts] == [None, "date"], [p.ask for p in both.parts]
    assert [p.ask for p in parse_question("Is a fee charged, and how many days does it take?").parts] == [
        "Is a fee charged", "how many days does it take"]
    assert parse_question("Which provinces and cities merge, and why?").parts == ()
    assert [p.ask for p in parse_question("How long does the procedure take and is there a fee?").parts] == [
        "How long does the procedure take", "is there a fee"]
    assert [p.ask for p in parse_question("Thủ tục này mất bao nhiêu ngày và có mất phí không?").parts] == [
        "Thủ tục này mất bao nhiêu ngày", "có mất phí không"]


def test_the_value_asked_for_is_not_a_reference_or_a_date() -> None:
    how_many = parse_question("Quyết định công bố bao nhiêu thủ tục hành chính?")
    assert not holds_wanted_value(how_many, "Số: 145/QĐ-UBND | Gia Lai, ngày 12 tháng 01 năm 2026")
    assert not holds_wanted_value(how_many, "Căn cứ Điều 5 Nghị định số 63/2010/NĐ-CP;")
    assert holds_wanted_value(how_many, "Danh mục 05 thủ tục hành chính ban hành mới")
    when = parse_question("When was the plan issued?")
    assert not holds_wanted_value(when, "Thực hiện Quyết định 80/2026/QĐ-UBND về thủ tục")
    assert holds_wanted_value(when, "Khanh Hoa, ngay 06 thang 02 nam 2024")
    assert not holds_wanted_value(when, "Employers may apply the tables."), "'may' the verb is not the month"
    on_what_day = parse_question("On what date was the workshop held?")
    assert holds_wanted_value(when, "The 2021-2025 plan") and not holds_wanted_value(on_what_day, "The 2021-2025 plan"), (
        "a year alone does not say on what day")
    assert all(holds_wanted_value(on_what_day, s) for s in ("It was held on June 2, 2025.", "ngày 12 tháng 01", "on 2 May 2014"))
    days = parse_question("Thời hạn giải quyết thủ tục tách thửa là bao nhiêu ngày?")
    assert holds_unit(days, "| 04 ngày làm việc kể từ ngày nhận đủ hồ sơ |")
    assert not holds_unit(days, "1.012784 Tách thửa hoặc hợp thửa đất"), "a number without the unit asked for"
    fee = parse_question("Lệ phí cấp giấy phép là bao nhiêu?")
    assert holds_unit(fee, "Mức thu: 10.000.000 đồng/Giấy phép") and not holds_unit(fee, "Điều 6 khoản 2")
    assert all(holds_unit(fee, money) for money in ("40.000.000đ/văn bản", "VND 5 trillion", "USD 12,000", "£85"))
    for asks_money in ("Người tiêm phòng được hỗ trợ tiền công bao nhiêu đồng cho mỗi con?", "Phí thẩm định cấp phép lễ hội là bao nhiêu?"):
        assert not holds_unit(parse_question(asks_money), "| 1 | Phường Tô Hiệu | 2,0% |"), "asked for money, a share is no answer"
    per_area = parse_question("Đơn giá bồi thường đất trồng lúa là bao nhiêu đồng một mét vuông?")
    assert holds_unit(per_area, "đơn giá 50.000 đồng/m2") and not holds_unit(per_area, "khoảng 23.940,34 tỷ đồng"), "a total is not a price per m²"
    counted = parse_question("How many airplanes does the proposed AD affect?")
    assert holds_unit(counted, "It affects 73 airplanes of U.S. registry.") and not holds_unit(counted, "It applies to 737 MAX.")
    assert not holds_unit(days, "Nghị định số 138/2021/NĐ-CP ngày 31 tháng 12 năm 2021 của Chính phủ"), "a date is not a duration"
    row = "| 13 | 1.001527 | Thủ tục cấp Giấy chứng nhận | Thông tư số 21/2025/TT-BVHTTDL ngày 26 tháng 12 năm 2025 |"
    assert not holds_wanted_value(days, "Trong thời hạn hồ sơ 13 được trả lại"), "asked for days: a number without days does not answer"
    assert not holds_wanted_value(days, row, "TT | Mã | Tên thủ tục | Căn cứ pháp lý"), "no days in the row or its header"
    assert holds_wanted_value(days, row, "TT | Mã | Tên thủ tục | Thời hạn giải quyết"), "a table row's unit is in its header"
    assert holds_wanted_value(counted, "The proposed AD affects 73 U.S.-registered planes."), "a counted noun may be named otherwise"
    share = parse_question("Tỷ lệ phần trăm tính đơn giá thuê đất là bao nhiêu?")
    assert holds_unit(share, "| Phường Chiềng An | 2,0% |") and not holds_unit(share, "MỨC TỶ LỆ PHẦN TRĂM (%) TÍNH ĐƠN GIÁ")
    grade = parse_question("Hệ số lương bậc 1 của ngạch chuyên viên là bao nhiêu?")
    assert not holds_wanted_value(grade, "được xếp lên 1 bậc lương"), "the question's own number"
    assert holds_wanted_value(grade, "bậc 1 có hệ số 2,34")
    herd = parse_question("Đàn heo phải dưới bao nhiêu con?")
    assert holds_unit(herd, "Chăn nuôi heo có tổng đàn dưới 150 (một trăm năm mươi) con;"), "the number spelled out between"
    population = parse_question("What is the population?")
    assert holds_unit(population, "a population of 4,412,264.") and not holds_unit(population, "an area of 3,942 km2")
    assert parse_question("How long is the coastal road?").unit_heading is None, "a length, not a duration"
    assert parse_question("How long does the review take?").unit_heading is not None
    who = parse_question("Who will chair the new Quang Ngai province?")
    assert not holds_wanted_value(who, "The new Quang Ngai province will combine two advantages.")
    assert holds_wanted_value(who, "It will be chaired by Nguyen Van Hai.")


def test_a_definition_question_prefers_the_sentence_that_defines_its_term() -> None:
    text = ("For detailed information on our grant and work-study programs for students, visit the student aid pages.\n"
            "Federal student aid includes:\n• grants—free money that does not have to be repaid;\n"
            "• work-study—money you earn to pay for your education;\n• loans—borrowed money you must repay.")
    chunk = Chunk("c", "d", "guide.pdf", "Your Federal Student Loans", "", 0, 0, len(text), text, "h")
    question = parse_question("How does the student aid guide define work-study?")
    assert question.wants_definition and not parse_question("How much is the work-study grant?").wants_definition
    answer = answer_extractively(question, _retrieved([chunk]), LexicalIndex([chunk]), 0.0, 1)
    assert answer.text.startswith("• work-study—money you earn"), answer.text


def test_an_ask_that_points_into_its_story_is_read_with_it() -> None:
    pointing = parse_question("Khu phố tôi ở Huế muốn thành lập câu lạc bộ dưỡng sinh cho người cao tuổi. "
                              "Thủ tục này giải quyết trong bao lâu và có phải nộp phí không?")
    assert pointing.ask.startswith("Thủ tục này") and "sinh" in pointing.context_terms and pointing.search_text == pointing.text
    her = parse_question("We just hired a postdoc from Germany as a nonresident alien. "
                         "What amount do I add to her semimonthly wages before figuring withholding?")
    assert "alien" in her.context_terms and "alien" in her.terms and her.answer_type == "number"
    commune = parse_question("Tôi thuê đất mở xưởng chè ở xã Vân Hồ, tỉnh Sơn La. Tỷ lệ tính đơn giá thuê đất ở xã này là bao nhiêu?")
    assert commune.search_text == commune.text and "Vân Hồ" in commune.place_names, "'ở xã này' is the story's commune"
    policy = parse_question("Nhà tôi nuôi heo ở TP.HCM, nghe nói thành phố hỗ trợ tiền vắc-xin. Chính sách hỗ trợ này có hiệu lực từ ngày nào?")
    assert "vac" in policy.context_terms, "'chính sách hỗ trợ này' is the support the story tells of"
    asker = parse_question("Tôi là bác sĩ y khoa đã nghỉ hưu, muốn làm ở trạm y tế phường tại TP.HCM. "
                           "Theo chính sách mới của thành phố thì tôi được hỗ trợ lương mỗi tháng bao nhiêu?")
    assert asker.search_text == asker.text and "bac" in asker.context_terms, "'tôi' in the ask is the doctor of the story"
    courtesy = parse_question("Nhà tôi nuôi heo ở ngoại thành và đang cần vốn mở rộng chuồng trại. "
                              "Cho tôi hỏi mức hỗ trợ tiêm vắc-xin cho gia súc của thành phố là bao nhiêu?")
    assert not courtesy.context_terms, "'Cho tôi hỏi' is courtesy, not the asker in the ask"
    premise = parse_question("Our sponsor wants a single global question as the PRO endpoint in a trial of a functional disorder. "
                             "Will FDA generally accept that to support a labeling claim?")
    assert "global" in premise.context_terms, "a yes/no ask is asked of the story's situation"
    described = parse_question("My son's aid offer includes 'work-study' and we are not sure what that means. "
                               "How does the Your Federal Student Loans guide describe it?")
    assert "studi" in described.context_terms and described.wants_definition, "'describe it' asks what the story's term means"
    province = parse_question("We lease land in an industrial park in Lam Dong province. What rate does the province use to set the rent?")
    assert province.place_names == ("Lam Dong",), "'the province' is the story's"
    trailing = "quyet dinh cua chu tich ubnd tinh lai chau phan cap linh vuc cong chung, luat su... co hieu luc tu ngay nao vay"
    assert split_ask(trailing) == ("", trailing), "a '...' before a lower-case word trails off, it ends no sentence"
    assert split_ask("Tôi nuôi heo ở Củ Chi... Nhà tôi có được hỗ trợ không?") == ("Tôi nuôi heo ở Củ Chi...", "Nhà tôi có được hỗ trợ không?")
    # An abbreviation ends no sentence: the ask was 'operators of the AOA sensor system test?'.
    us = "In the FAA's 2020 proposed AD, what is the estimated total cost on U.S. operators of the AOA sensor system test?"
    assert split_ask(us) == ("", us)
    assert split_ask("I run a bakery. Under IRS Notice 1036 (Rev. December 2010), what is the limit?") == (
        "I run a bakery.", "Under IRS Notice 1036 (Rev. December 2010), what is the limit?")
    assert split_ask("I live in the U.S. How many days does it take?") == ("I live in the U.S.", "How many days does it take?")
    assert split_ask("They said no. How much can I claim?") == ("They said no.", "How much can I claim?")
    assert split_ask("Per Sec. 4 of the rule, what is the fee?") == ("", "Per Sec. 4 of the rule, what is the fee?")
    alone = parse_question("I live in Hanoi and my rent keeps rising. How many industrial clusters are planned in Khanh Hoa?")
    assert alone.ask.startswith("How many") and not alone.context_terms, "an ask that stands alone is scored alone"
    after = parse_question("Đoạn qua xã Nam Đàn dài bao nhiêu km? Tôi hỏi vì nhà tôi ở Nam Đàn có mảnh vườn nằm trong tuyến.")
    assert after.ask == "Đoạn qua xã Nam Đàn dài bao nhiêu km?" and after.story.startswith("Tôi hỏi vì"), "the story may follow"


def test_a_long_tables_row_about_the_named_place_is_read_even_when_retrieval_missed_it() -> None:
    head = ("PHỤ LỤC (Kèm theo Nghị quyết số 607/NQ-HĐND)\nSTT | Tên xã | Tỷ lệ phần trăm đơn giá thuê đất\n"
            "1 | Phường Tô Hiệu | 2,0%\n2 | Xã Mường Bú | 1,0%")
    rows = "13 | Xã Vân Hồ | 1,5%\n14 | Xã Lóng Sập | 1,0%"
    first = _whole(head, "nq.docx", "Nghị quyết 607/NQ-HĐND", doc_number="607/NQ-HĐND")
    second = Chunk("c1", "d1", "nq.docx", "Nghị quyết 607/NQ-HĐND", "", 1, len(head), len(head) + len(rows), rows, "h",
                   doc_number="607/NQ-HĐND", table_header="STT | Tên xã | Tỷ lệ phần trăm đơn giá thuê đất")
    lexical = LexicalIndex([first, second])
    question = parse_question("Theo Nghị quyết 607/NQ-HĐND, tỷ lệ phần trăm đơn giá thuê đất ở xã Vân Hồ là bao nhiêu?")
    assert [r.chunk.chunk_id for r in within_best_document(question, _retrieved([first]), lexical)] == ["c1"]
    answer = answer_extractively(question, _retrieved([first]), lexical, 0.0, 1)
    assert "1,5%" in answer.text and "Vân Hồ" in answer.text


def test_the_best_documents_answering_chunk_is_read_when_retrieval_ranked_others_first() -> None:
    texts = ["Thông tư 66/2025/TT-BXD quy định yêu cầu an toàn đối với tàu thủy lưu trú du lịch ngủ đêm.",
             "Điều 5. Tàu phải có phao cứu sinh cho mọi người trên tàu.",
             "Điều 9. Cục Đăng kiểm Việt Nam có trách nhiệm tổ chức triển khai Thông tư này."]
    chunks = _document_chunks(texts, "tt.pdf", "66/2025/TT-BXD", "Thông tư 66/2025/TT-BXD")
    lexical = LexicalIndex(chunks)
    question = parse_question("Cơ quan nào có trách nhiệm tổ chức triển khai Thông tư 66/2025/TT-BXD?")
    answer = answer_extractively(question, _retrieved(chunks[:2]), lexical, 0.0, 1)
    assert answer.text.startswith("Điều 9. Cục Đăng kiểm Việt Nam có trách nhiệm"), answer.text


def test_diacritics_are_restored_from_passages_for_dense_search() -> None:
    assert parse_question("nghi quyet 84/NQ-HDND lam dong ve ty le thue dat do ai ky").unaccented_vietnamese
    assert not parse_question("How many industrial clusters are planned in Khanh Hoa?").unaccented_vietnamese
    restored = restore_diacritics("nghi quyet lam dong do ai ky", ["Nghị quyết của HĐND tỉnh Lâm Đồng; Chủ tịch ký"])
    assert restored == "nghị quyết lâm đồng do ai ký"


def test_the_refusal_model_separates_what_it_was_fitted_on() -> None:
    rows = [{name: 0.9 if i % 2 else 0.2 for name in SIGNALS} for i in range(40)]
    labels = [bool(i % 2) for i in range(40)]
    model, report = fit(rows, labels, [not label for label in labels])
    assert model.confidence(rows[1]) > 0.5 > model.confidence(rows[0])
    assert report["cv_refusal_recall"] == 1.0
    shipped = load_model()
    assert shipped is not None and 0 < shipped.cut < 1, "the package ships a fitted refusal model"


def test_who_signed_quotes_the_name_even_when_the_block_straddles_chunks(tmp_path: Path, embedder) -> None:
    import docx


    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text, header.cell(0, 1).text = "ỦY BAN NHÂN DÂN TỈNH AN GIANG\nSố: 12/QĐ-UBND", "An Giang, ngày 03 tháng 3 năm 2026"
    document.add_paragraph("QUYẾT ĐỊNH")
    document.add_paragraph("VỀ VIỆC THÀNH LẬP TỔ CÔNG TÁC")
    document.add_paragraph("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;")
    document.add_paragraph("Theo đề nghị của Giám đốc Sở Nội vụ.")
    document.add_paragraph("Điều 1. Thành lập Tổ công tác gồm 5 thành viên.")
    document.add_paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 7/QĐ-UBND ngày 02 tháng 1 năm 2025.")
    closing = document.add_table(rows=1, cols=2)
    recipients = "Nơi nhận:\n" + "\n".join(f"- Sở ban ngành số {i};" for i in range(1, 12)) + "\n- Lưu: VT."
    closing.cell(0, 0).text, closing.cell(0, 1).text = recipients, "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn Bình"
    path = tmp_path / "qd-12.docx"
    document.save(str(path))
    assistant = Assistant(Settings(index_dir=tmp_path / "idx", chunk_tokens=48, chunk_overlap=0), embedder=embedder)
    assistant.ingest([path])
    answer = assistant.ask("Ai ký Quyết định 12/QĐ-UBND?")
    assert not answer.refused and answer.answer.startswith("12/QĐ-UBND do PHÓ CHỦ TỊCH Nguyễn Văn Bình ký")
    assert "Nguyễn Văn Bình" in answer.citations[0].quote
    effective = assistant.ask("Quyết định 12/QĐ-UBND có hiệu lực từ khi nào?")
    assert "kể từ ngày ký" in effective.answer and effective.citations[0].section.startswith("Điều 2")
    replaced = assistant.ask("Quyết định 12/QĐ-UBND thay thế quyết định nào?")
    assert replaced.answer.startswith("12/QĐ-UBND thay thế 7/QĐ-UBND"), replaced.answer
    assert "thay thế Quyết định số 7/QĐ-UBND" in replaced.citations[0].quote
    passive = assistant.ask("Theo Quyết định 12/QĐ-UBND, quyết định nào ngày 02/01/2025 bị thay thế?")
    assert passive.answer.startswith("12/QĐ-UBND thay thế 7/QĐ-UBND"), passive.answer
    proposer = assistant.ask("Quyết định 12/QĐ-UBND được ban hành theo đề nghị của ai?")
    assert proposer.answer.startswith("12/QĐ-UBND được ban hành theo đề nghị của Giám đốc Sở Nội vụ"), proposer.answer
    assert assistant.ask("Which decision does Decision 12/QĐ-UBND repeal?").answer.find("repeals") < 0, "it replaces, repeals none"
    # Two asks of its anatomy in one question: both are answered, each with its own citation.
    both = assistant.ask("Who signed Decision 12/QĐ-UBND, and which decision does it replace?")
    assert both.answer.startswith("12/QĐ-UBND was signed by PHÓ CHỦ TỊCH Nguyễn Văn Bình"), both.answer
    assert "12/QĐ-UBND replaces 7/QĐ-UBND" in both.answer and "[2]" in both.answer
    assert [c.n for c in both.citations] == [1, 2] and "thay thế Quyết định số 7/QĐ-UBND" in both.citations[1].quote
    dated = assistant.ask("Quyết định 12/QĐ-UBND do ai ký và ban hành ngày nào?")
    assert "do PHÓ CHỦ TỊCH Nguyễn Văn Bình ký" in dated.answer and "được ban hành ngày 03/03/2026" in dated.answer, dated.answer
    assert assistant.ask("When was Decision 12/QĐ-UBND issued?").answer.startswith("12/QĐ-UBND was issued on 3 March 2026")
    # An ask of its anatomy and an ask of its text: the anatomy's answer, then the text's.
    mixed = assistant.ask("Quyết định 12/QĐ-UBND do ai ký, và Tổ công tác gồm bao nhiêu thành viên?")
    assert mixed.answer.startswith("12/QĐ-UBND do PHÓ CHỦ TỊCH Nguyễn Văn Bình ký"), mixed.answer
    assert "5 thành viên" in mixed.answer and [c.n for c in mixed.citations] == list(range(1, len(mixed.citations) + 1))
    assert "[2]" in mixed.answer and violations(mixed, assistant.store) == []
    # 'lúc nào' asks as 'khi nào' does: two asks of the anatomy.
    when = assistant.ask("Quyết định 12/QĐ-UBND được ký ngày nào và hiệu lực từ lúc nào?")
    assert "được ban hành ngày 03/03/2026" in when.answer and "kể từ ngày ký" in when.answer, when.answer
    # 'Which decision ...' of a decision is answered from its anatomy; 'which resolution ...' asks
    # about another document, which only the text can name.
    which = assistant.ask("Quyết định nào thành lập Tổ công tác gồm 5 thành viên, ban hành ngày nào?")
    assert which.answer.startswith("12/QĐ-UBND được ban hành ngày 03/03/2026"), which.answer
    other = assistant.ask("Nghị quyết nào thành lập Tổ công tác gồm 5 thành viên, ban hành ngày nào?")
    assert not other.answer.startswith("12/QĐ-UBND được ban hành"), other.answer
    # 'Văn bản pháp luật nào' is any legal document, not a law.
    legal = assistant.ask("Văn bản pháp luật nào thành lập Tổ công tác gồm 5 thành viên, ban hành ngày nào?")
    assert legal.answer.startswith("12/QĐ-UBND được ban hành ngày 03/03/2026"), legal.answer


def _best_first(question, weights, chunks, lexical):
    return sorted(_candidates(question, weights, _retrieved(chunks), lexical), key=lambda c: -c.score)


def _best_sentences(question, text: str, title: str = "Quyết định") -> list[str]:
    """The sentences of one document's chunk, best first for the question."""
    chunk = _whole(text, "doc.docx", title)
    lexical = LexicalIndex([chunk])
    return [chunk.slice(c.start, c.end) for c in _best_first(question, question_weights(question, lexical.idf), [chunk], lexical)]


def _kind_factors(question: str, chunk: Chunk, lexical: LexicalIndex) -> dict[str, float]:
    """Each sentence of one retrieved chunk, with what its kind leaves of its score for the question."""
    asked = parse_question(question)
    found = _candidates(asked, question_weights(asked, lexical.idf), _retrieved([chunk]), lexical)
    return {chunk.slice(c.start, c.end): c.kind_factor for c in found}


def _whole(text: str, source: str, title: str, doc_number: str = "", issuer: str = "") -> Chunk:
    """One chunk holding a whole document's text."""
    return Chunk("c0", "d1", source, title, "", 0, 0, len(text), text, "h", doc_number=doc_number, issuer=issuer)


def _document_chunks(texts: list[str], source: str, number: str, title: str) -> list[Chunk]:
    """One document's chunks, one per text, in order, at consecutive offsets."""
    chunks, start = [], 0
    for i, text in enumerate(texts):
        chunks.append(Chunk(f"c{i}", "d1", source, title, "", i, start, start + len(text), text, "h", doc_number=number))
        start += len(text)
    return chunks


def _retrieved(chunks):
    return [Retrieved(c, 1.0 / (i + 1), i, i, 0.85) for i, c in enumerate(chunks)]


def _answer_from(question, text: str, title: str, *others: str):
    """The extractive answer from one document's chunk, retrieved alone, with other documents in
    the index (so that a word they share is common)."""
    chunk = _whole(text, "doc.pdf", title)
    rest = [Chunk(f"o{i}", f"o{i}", f"o{i}.txt", "Other", "", 0, 0, len(t), t, "h") for i, t in enumerate(others)]
    return answer_extractively(question, _retrieved([chunk]), LexicalIndex([chunk, *rest]), 0.0, 1)


def test_the_words_that_name_the_document_do_not_choose_its_title_line() -> None:
    title = "Quyết định 605/QĐ-UBND năm 2025 về cơ cấu tổ chức bộ máy của Sở Xây dựng tỉnh Bắc Ninh"
    text = (f"TIÊU ĐỀ: {title}\nĐiều 2. Cơ cấu tổ chức\nPhòng chuyên môn, nghiệp vụ và tương đương: 09 phòng.\n"
            "Đơn vị sự nghiệp công lập: 02 đơn vị.")
    chunk = Chunk("c1", "d1", "qd-605.pdf", title, "", 0, 0, len(text), text, "h", doc_number="605/QĐ-UBND",
                  issuer="UBND tỉnh Bắc Ninh")
    other = "Luật số 80/2015/QH13 quy định về ban hành văn bản quy phạm pháp luật."
    distractor = Chunk("c2", "d2", "luat.txt", "Luật ban hành văn bản", "", 0, 0, len(other), other, "h2")
    question = parse_question("Theo Quyết định 605/QĐ-UBND năm 2025 của UBND tỉnh Bắc Ninh, Sở Xây dựng có bao nhiêu "
                              "phòng chuyên môn, nghiệp vụ và tương đương?")
    draft = answer_extractively(question, _retrieved([chunk]), LexicalIndex([chunk, distractor]), 0.0, 1)
    assert "09 phòng" in draft.text and "TIÊU ĐỀ" not in draft.text


def test_the_language_of_a_passage_and_of_a_question() -> None:
    assert language_of("Phòng chuyên môn, nghiệp vụ và tương đương: 09 phòng.") == "vi"
    assert language_of("CUA BAN THUONG VU TINH UY ve tiep tuc trien khai thuc hien Nghi quyet so 06-NQ/TU") == "vi"
    assert language_of("General Secretary To Lâm visited Quảng Ngãi and asked the province to speed up the plan.") == "en"
    assert parse_question("Which resolution did Resolution 23/2025/NQ-HĐND of An Giang repeal?").language == "en"
    assert parse_question("Nghị quyết 23/2025/NQ-HĐND bãi bỏ nghị quyết nào?").language == "vi"


def test_a_passage_in_another_language_is_read_for_meaning(embedder) -> None:
    text = ("Nghị quyết này quy định mức hỗ trợ cho người lao động tại trạm y tế. "
            "Bác sĩ được hỗ trợ lương 9.000.000 đồng mỗi tháng. "
            "Nghị quyết có hiệu lực từ ngày 01 tháng 01 năm 2026.")
    chunk = Chunk("c1", "d1", "nq.docx", "Nghị quyết 73/2025/NQ-HĐND", "", 0, 0, len(text), text, "h")
    question = parse_question("What does a doctor receive as support each month?")
    lexical = LexicalIndex([chunk])
    # Without the glossary's translation, only meaning can choose across languages.
    untranslated = dataclasses.replace(question, translated_terms=())
    plain = answer_extractively(untranslated, _retrieved([chunk]), lexical, 0.0, 1)
    meant = answer_extractively(untranslated, _retrieved([chunk]), lexical, 0.0, 1, meaning=SentenceMeaning(embedder))
    assert "9.000.000" in meant.text and meant.signals["meaning"] > 0
    assert "9.000.000" not in plain.text, "without meaning, shared words alone cannot choose across languages"
    # With it, the translated words ('salary' is 'lương', 'doctor' 'bác sĩ') choose too.
    assert "9.000.000" in answer_extractively(question, _retrieved([chunk]), lexical, 0.0, 1).text


def test_the_meaning_query_leaves_out_the_documents_number_and_name(embedder) -> None:
    question = parse_question("What is the preliminary total investment approved by the National Assembly for the "
                              "Vinh - Thanh Thuy expressway in Resolution 255/2025/QH15?")
    naming = identifying_terms(Chunk("c0", "d1", "nq.docx", "Nghị quyết 255/2025/QH15 về dự án cao tốc Vinh - Thanh Thủy", "",
                                     0, 0, 1, "x", "h", doc_number="255/2025/QH15"))
    query = meaning_query(question, naming)
    assert query.startswith("What is the preliminary total investment") and "expressway" in query
    assert not {"Vinh", "Thanh", "Thuy", "255/2025/QH15"} & set(query.split()), query
    assert "National Assembly" in query, "a name the document's title does not write stays"
    # The annex line that names the expressway loses to the total row once the name is left out.
    annex = "| 1 | Dự án thành phần 1: Đầu tư xây dựng đường bộ cao tốc Vinh - Thanh Thủy | 60,00 | 4-6 | 80-100 | 21.118,08 |"
    total = "| Tổng cộng | | | | | 23.940,34 |"
    meaning = SentenceMeaning(embedder)
    named, left_out = meaning.similarities(question, [annex, total]), meaning.similarities(question, [annex, total], naming)
    assert named[0] - named[1] > left_out[0] - left_out[1], (named, left_out)


def test_a_table_row_is_read_with_its_header_and_organisations_are_asked_for() -> None:
    text = ("MỨC TỶ LỆ PHẦN TRĂM TÍNH ĐƠN GIÁ THUÊ ĐẤT ĐỐI VỚI ĐẤT PHI NÔNG NGHIỆP TRÊN ĐỊA BÀN TỈNH\n"
            "Mức tỷ lệ phần trăm đơn giá thuê đất thấp nhất trên địa bàn tỉnh là 0,5%.\n"
            "STT | Tên xã, phường | Mức tỷ lệ phần trăm đơn giá thuê đất\n1 | Phường Tô Hiệu | 2,0%\n2 | Xã Sốp Cộp | 1,5%\n"
            "Điều 3. Trách nhiệm thi hành\nViệc tổ chức triển khai Nghị quyết này có kết quả trên địa bàn tỉnh từ năm 2026.\n"
            "Sở Tài chính có trách nhiệm tổ chức triển khai Nghị quyết này.")
    chunk = Chunk("c1", "d1", "nq.docx", "Nghị quyết 607/NQ-HĐND", "", 0, 0, len(text), text, "h", doc_number="607/NQ-HĐND")
    lexical = LexicalIndex([chunk])
    cell = answer_extractively(parse_question("Tỷ lệ phần trăm đơn giá thuê đất tại Phường Tô Hiệu là bao nhiêu?"),
                               _retrieved([chunk]), lexical, 0.0, 1)
    assert "2,0%" in cell.text and "STT | Tên xã" in cell.text
    body = answer_extractively(parse_question("Cơ quan nào tổ chức triển khai Nghị quyết này?"), _retrieved([chunk]), lexical, 0.0, 1)
    assert "Sở Tài chính" in body.text


def test_the_lead_is_the_row_with_its_header_and_the_other_quotes_follow_it() -> None:
    text = ("Mức tỷ lệ phần trăm đơn giá thuê đất trên địa bàn tỉnh Sơn La thấp nhất là 0,5%.\n"
            "STT | Tên xã, phường | Mức tỷ lệ phần trăm đơn giá thuê đất\n1 | Phường Tô Hiệu | 2,0%\n2 | Xã Sốp Cộp | 1,5%\n"
            "Trước năm 2026, tỷ lệ phần trăm đơn giá thuê đất tại xã Sốp Cộp là 1,2%.")
    chunk = Chunk("c1", "d1", "nq.docx", "Nghị quyết 607/NQ-HĐND", "", 0, 0, len(text), text, "h", doc_number="607/NQ-HĐND")
    draft = answer_extractively(parse_question("Tỷ lệ phần trăm đơn giá thuê đất tại Xã Sốp Cộp là bao nhiêu?"),
                                _retrieved([chunk]), LexicalIndex([chunk]), 0.0, 3)
    assert "1,2%" in draft.text, "another sentence that adds to the answer is quoted too"
    assert draft.text.startswith(draft.lead) and draft.lead != draft.text
    assert "1,5%" in draft.lead and "STT | Tên xã" in draft.lead, "the row, under its header"
    assert "1,2%" not in draft.lead and "2,0%" not in draft.lead, "not the sentence after it, nor the row beside it"


def test_questions_can_be_restricted_by_issuer_signer_and_entry_into_force(sample_assistant: Assistant) -> None:
    by_issuer = sample_assistant.ask("What is planned for the province?", filters=Filters(issuer="ninh binh"))
    assert by_issuer.citations and {c.source.rsplit("/", 1)[-1] for c in by_issuer.citations} == {"ninh-binh-merger-workshop.txt"}
    by_signer = sample_assistant.ask("Sau bao nhiêu năm thực hiện Nghị quyết 06-NQ/TU thì Ban Thường vụ ra kết luận?",
                                     filters=Filters(signer="Hai Ninh"))
    assert by_signer.citations and all("544-KL-TU" in c.source for c in by_signer.citations)
    nobody = sample_assistant.ask("What should the urban programme achieve?", filters=Filters(signer="Nobody Known"))
    assert nobody.refused and nobody.notice == NO_MATCHING_DOCUMENT
    # No sample document states when it enters into force, so none is known to be in force.
    assert sample_assistant.ask("What is planned?", filters=Filters(in_force_on="2030-01-01")).notice == NO_MATCHING_DOCUMENT


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("How many work-hours does the AOA sensor test take and what does it cost per airplane?",
         ["How many work-hours does the AOA sensor test take", "what does it cost per airplane"]),
        ("Đoạn qua xã Nam Đàn dài bao nhiêu km và có sơ bộ tổng mức đầu tư bao nhiêu tỷ đồng?",
         ["Đoạn qua xã Nam Đàn dài bao nhiêu km", "có sơ bộ tổng mức đầu tư bao nhiêu tỷ đồng"]),
        ("Which provinces and cities merge, and when?", ["Which provinces and cities merge", "when"]),
        ("Biến động từ mức nào thì phải kê khai bổ sung và hạn chót là khi nào?",
         ["Biến động từ mức nào thì phải kê khai bổ sung", "hạn chót là khi nào"]),
        ("Những tài sản và thu nhập nào phải kê khai?", []),
        ("What are the rights and obligations of employers?", []),
        ("Quyền và nghĩa vụ của ai?", []),
    ],
)
def test_a_question_that_asks_two_things_is_parsed_into_its_asks(question: str, asks: list[str]) -> None:
    assert [part.ask for part in parse_question(question).parts] == asks


def test_each_ask_of_a_two_part_question_gets_its_sentence(sample_assistant: Assistant) -> None:
    answer = sample_assistant.ask(
        "How many workers do the operating industrial clusters employ, and when did the Prime Minister approve the planning?"
    )
    assert not answer.refused
    assert "4,440 workers" in answer.answer and "March 29, 2023" in answer.answer
    assert "4,440 workers" in answer.lead and "March 29, 2023" in answer.lead, "each ask's answer is in the lead"
    answer = sample_assistant.ask("What occupancy rate have the operating clusters reached, and how many clusters are not yet established?")
    assert "78%" in answer.lead and "5 industrial clusters" in answer.lead


def test_places_the_ask_names_are_read_with_what_they_are() -> None:
    assert parse_question("Mức hỗ trợ ở thành phố Hà Nội là bao nhiêu?").places == (frozenset({"ha", "noi"}),)
    assert parse_question("Phường Bạc Liêu thuộc nhóm nào, theo Quyết định của tỉnh Cà Mau?").places == (
        frozenset({"bac", "lieu"}), frozenset({"ca", "mau"}))
    assert parse_question("How many clusters are planned in Khanh Hoa province?").places == (frozenset({"khanh", "hoa"}),)
    assert parse_question("I live in Hai Phong. Which procedures were abolished?").places == ()
    assert parse_question("How many checks were there in December 2015?").periods == (frozenset(terms("December")),)
    assert parse_question("Who gave the address of April 11, 2015?").periods == ()


def test_a_place_named_in_another_language_is_not_a_different_place() -> None:
    """'Hanoi' in an English question is 'Hà Nội' in a Vietnamese resolution: the place check,
    which refuses answers from documents about another place, holds only within one language."""

    text = "Chính sách hỗ trợ bác sĩ làm việc tại trạm y tế trên địa bàn thành phố Hà Nội.\nHỗ trợ cho bác sĩ: lương 9.000.000 đồng/người/tháng."
    chunk = Chunk("c1", "d1", "nq.docx", "Nghị quyết 73/2025/NQ-HĐND", "", 0, 0, len(text), text, "h")
    lexical = LexicalIndex([chunk])
    english = answer_extractively(parse_question("What salary support do doctors get in Hanoi city?"), _retrieved([chunk]), lexical, 0.0, 1)
    assert not english.refused, "Hanoi is not another place than Hà Nội"
    other = answer_extractively(parse_question("Bác sĩ ở thành phố Cần Thơ được hỗ trợ lương bao nhiêu?"), _retrieved([chunk]), lexical, 0.0, 1)
    assert other.refused, "in its own language, a place the document never names is another place"


def test_what_an_ask_names_must_be_what_the_answer_holds() -> None:
    months = parse_question("Giấy phép có thời hạn tối đa bao nhiêu tháng?")
    assert holds_unit(months, "thời hạn tối đa 36 tháng") and not holds_unit(months, "08 ngày làm việc")
    assert holds_unit(parse_question("Thủ tục mất bao lâu?"), "08 ngày làm việc")
    phone = parse_question("Số điện thoại đường dây nóng của Trung tâm là gì?")
    assert phone.answer_type == "number" and not holds_wanted_value(phone, "Trung tâm trả hồ sơ và hướng dẫn bổ sung.")
    assert parse_question("What interest rate applies to the loans?").unit is not None
    # 'What share of ...' asks a percentage: a title line that only names the rate does not answer it.
    share = parse_question("What share of the surface land rent is charged for underground structures?")
    assert share.answer_type == "number" and holds_unit(share, "là 30% của đơn giá thuê đất")
    assert not holds_wanted_value(share, "Điều 1. Thông qua mức tỷ lệ phần trăm (%) cụ thể để xác định đơn giá thuê đất")
    assert parse_question("What rate applies to land in wards?").answer_type == "number"
    # A share of money is still a share: a percentage, not an amount; 'share capital' asks no share.
    assert holds_unit(parse_question("What share of the budget goes to education?"), "chiếm 30% ngân sách")
    assert parse_question("What share capital must a company hold?").answer_type is None
    assert parse_question("How many campus murders were recorded in 2008?").years == ("2008",)
    assert parse_question("Theo Nghị quyết 255/2025/QH15, dự án dài bao nhiêu km?").years == ()  # the year of a number
    assert [m.group(0) for m in DOC_NUMBER.finditer("Luật số 132/2025/QH15 và Quyết định 145/QĐ-UBND")] == [
        "132/2025/QH15", "145/QĐ-UBND"]
    assert parse_question("Ở xã Chiềng Yên, tỉnh Sơn La tỷ lệ là bao nhiêu?").place_names == ("Chiềng Yên", "Sơn La")
    who = parse_question("Who delivered the weekly address about free community college?")
    assert not holds_wanted_value(who, "For Immediate Release")  # a title-case heading is not a name
    assert holds_wanted_value(who, "Hi everybody, this is Joe Biden.")


def test_a_place_must_be_named_whole_and_a_year_written(tmp_path: Path, embedder) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "son-la.txt").write_text(
        "Nghị quyết về tỷ lệ phần trăm đơn giá thuê đất năm 2025 tỉnh Sơn La\n"
        "STT | Tên xã | Tỷ lệ phần trăm (%)\n1 | Phường Chiềng An | 2,0%\n2 | Xã Phù Yên | 1,5%\n3 | Xã Vân Hồ | 1,0%\n",
        encoding="utf-8")
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), embedder=embedder)
    assistant.ingest([docs])
    assert "1,0%" in assistant.ask("Tỷ lệ phần trăm đơn giá thuê đất ở xã Vân Hồ, tỉnh Sơn La là bao nhiêu?").answer
    # 'Chiềng' and 'Yên' are both in the document, but not 'Chiềng Yên'.
    assert assistant.ask("Tỷ lệ phần trăm đơn giá thuê đất ở xã Chiềng Yên, tỉnh Sơn La là bao nhiêu?").refused
    assert assistant.ask("Tỷ lệ phần trăm đơn giá thuê đất ở xã Vân Hồ năm 2019 là bao nhiêu?").refused


def test_the_words_that_ask_are_not_searched_for() -> None:
    # 'lâu' of 'bao lâu' is in no answer, and is a rare word: searched, it outweighed the procedure's name.
    asked = parse_question("Thời hạn giải quyết thủ tục đăng ký tàu cá là bao lâu?")
    assert "lau" not in asked.content_terms and "lau" not in asked.terms
    assert {"thoi", "han", "tau", "ca"} <= set(asked.content_terms)
    assert "nao" not in parse_question("Nghị quyết có hiệu lực khi nào?").content_terms


def test_a_phone_number_is_asked_for_and_a_street_number_is_not_one() -> None:
    asked = parse_question("Theo Quyết định 80/QĐ-UBND, số điện thoại đường dây nóng của Trung tâm Phục vụ hành chính công là gì?")
    assert not holds_wanted_value(asked, "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh, số 16 đường Trường Thi")
    assert not holds_wanted_value(asked, "Mức chi 10.000.000 đồng, thời hạn 02 ngày, 01 bộ hồ sơ.")
    for phone in ("Điện thoại: 0238.3.598.598", "Fax: (202) 493–2251.", "Gọi 1900 6868.", "Tel: 024 3823 4567"):
        assert holds_wanted_value(asked, phone), phone


def test_an_english_question_chooses_a_vietnamese_row_by_its_words_translated() -> None:
    rows = ("STT | Mã số | Tên thủ tục hành chính\n1 | 1.012790 | Đăng ký biến động quyền sử dụng đất\n"
            "2 | 1.012786 | Cấp lại Giấy chứng nhận do bị mất\n3 | 1.012795 | Chuyển mục đích sử dụng đất\n")
    chunk = _whole(rows, "qd.docx", "Quyết định công bố thủ tục hành chính lĩnh vực đất đai")
    lexical = LexicalIndex([chunk])
    question = parse_question("Which procedure code is for re-issuing a certificate that was lost?")
    answer = answer_extractively(question, _retrieved([chunk]), lexical, 0.0, 1)
    assert "1.012786" in answer.text, answer.text


def test_a_number_in_another_unit_than_asked_is_not_the_answer_when_one_in_that_unit_is_near() -> None:
    text = ("Documents on this page.\nFIS installation guide: v1.2 updated 24 July 2014\nPDF, 989KB, 25 pages\n"
            "FIS release guide: v1.3 updated 31 July 2014\nPDF, 1.2MB, 40 pages\n")
    chunk = _whole(text, "ilr.html", "ILR: check that data is accurate")
    question = parse_question("How many pages is the FIS installation guide v1.2?")
    answer = answer_extractively(question, _retrieved([chunk]), LexicalIndex([chunk]), 0.0, 1)
    assert "25 pages" in answer.text, answer.text


def test_an_attachments_title_and_size_is_not_what_a_page_says() -> None:
    text = ("Documents\nSpecial measures regime: 1 year on PDF, 573KB, 55 pages\n\n"
            "The regime involves close scrutiny from the regulator, the appointment of an improvement director and a partner trust.\n")
    chunk = _whole(text, "page.html", "Special measures: 1 year on")
    answer = answer_extractively(parse_question("What does the special measures regime involve?"), _retrieved([chunk]),
                                 LexicalIndex([chunk]), 0.0, 1)
    assert "close scrutiny" in answer.text, answer.text
    pages = answer_extractively(parse_question("How many pages is the special measures report?"), _retrieved([chunk]),
                                LexicalIndex([chunk]), 0.0, 1)
    assert "55 pages" in pages.text, pages.text


def test_a_question_with_two_asks_wants_a_value_either_ask_wants() -> None:
    asked = parse_question("Dự án thành phần 6 đoạn qua xã Nam Đàn dài bao nhiêu km và có sơ bộ tổng mức đầu tư bao nhiêu tỷ đồng?")
    assert len(asked.parts) == 2
    # The row's header lost its units (merged cells): the length still answers the first ask.
    row = "| 6 | Dự án thành phần 6: Bồi thường, hỗ trợ, tái định cư đoạn qua xã Nam Đàn | 10,18 | 6 | | 722,48 |"
    assert holds_wanted_value(asked, row, "| | | | Số làn xe | Cấp đường (km/h) | |")
    assert not holds_wanted_value(asked, "Dự án thành phần 6 đoạn qua xã Nam Đàn.")


def test_a_list_items_label_is_not_the_quantity_asked_for() -> None:
    asked = parse_question("Theo Thông tư 1/2026/TT-BNV, hệ số lương bậc 1 của ngạch chuyên viên là bao nhiêu?")
    assert not holds_wanted_value(asked, "2. Trường hợp tuyển dụng vào vị trí việc làm xếp lương ở ngạch chuyên viên")
    assert not holds_wanted_value(asked, "1.4. Ngạch chuyên viên và tương đương")
    assert holds_wanted_value(asked, "a) Ngạch chuyên viên: hệ số lương 2,34")


def test_how_much_a_month_asks_an_amount_not_a_count_of_ones() -> None:
    asked = parse_question("Theo Nghị quyết 73/2025/NQ-HĐND thì mẹ tôi được hỗ trợ lương bao nhiêu một tháng?")
    assert holds_unit(asked, "Hỗ trợ cho điều dưỡng, hộ sinh, y sĩ: lương 7.000.000 đồng/người/tháng")
    assert not holds_unit(asked, "Mỗi trạm y tế có 01 điều dưỡng.")


def test_areas_populations_and_fines_are_asked_in_their_units() -> None:
    area = parse_question("Tổng diện tích các cụm công nghiệp là bao nhiêu?")
    assert holds_wanted_value(area, "14 cụm với tổng diện tích 669 ha") and not holds_wanted_value(area, "Năm 2025 có 14 cụm.")
    people = parse_question("What is the population of the new Ninh Binh province?")
    assert holds_wanted_value(people, "a population of about 4.4 million people")
    assert not holds_wanted_value(people, "a natural area of 3,942 km2")
    fine = parse_question("Mức phạt tiền đối với hành vi này là bao nhiêu?")
    assert holds_wanted_value(fine, "phạt tiền từ 5.000.000 đồng") and not holds_wanted_value(fine, "trong thời hạn 10 ngày")
    # What is counted, said outright, comes before the topic: heads, though the support is money.
    heads = parse_question("Cơ sở nuôi dê phải có tổng đàn dưới bao nhiêu con thì được hỗ trợ kinh phí?")
    assert holds_wanted_value(heads, "Chăn nuôi dê, cừu có tổng đàn dưới 200 (hai trăm) con.")


def test_a_preamble_line_and_a_tables_header_row_are_not_answers() -> None:
    text = ("Căn cứ Luật Ngân sách nhà nước số 89/2025/QH15 về phí;\n"
            "STT | Tên thủ tục hành chính | Phí, lệ phí\n1 | Cấp giấy phép kinh doanh karaoke | 2.000.000 đồng\n"
            "2 | Cấp giấy phép vũ trường | 5.000.000 đồng\n")
    chunk = _whole(text, "qd.docx", "Quyết định công bố thủ tục")
    lexical = LexicalIndex([chunk])

    def factors(question: str) -> dict[str, float]:
        return {sentence.split(" |")[0].split(" ")[0]: f for sentence, f in _kind_factors(question, chunk, lexical).items()}

    fee = factors("What is the fee for a karaoke licence?")
    assert fee["Căn"] < 1 and fee["STT"] < 1, fee  # the laws it rests on; the names of its columns
    assert fee["1"] == 1.0, fee
    assert factors("Quyết định nói gì về phí karaoke?")["Căn"] < 1
    assert factors("Quyết định căn cứ luật nào?")["Căn"] == 1.0  # asked what it rests on


def test_a_question_about_who_carries_out_a_procedure_is_not_about_who_issued_the_document() -> None:
    def field(question: str) -> str | None:
        return asked_field(parse_question(question))

    assert field("Quyết định 421/QĐ-BNNMT do cơ quan nào ban hành?") == "issuer"
    assert field("Which agency is behind the ILR guidance on checking that data is accurate?") == "issuer"
    assert field("Quyết định 421/QĐ-BNNMT do cơ quan nào?") == "issuer"
    assert field("Theo Quyết định 421/QĐ-BNNMT, thủ tục cấp chứng chỉ hành nghề hạng II do cơ quan nào thực hiện?") is None
    assert field("Who signed Decision 421/QĐ-BNNMT?") == "signer"
    published = parse_question("Which government department published the UK's list of controlled drugs?")
    assert asked_field(published) == "issuer" and published.answer_type == "organisation"
    assert field("Thông tư về yêu cầu an toàn kỹ thuật cho loại tàu này bắt đầu áp dụng từ ngày nào?") == "effective", (
        "'áp dụng từ ngày' is when it takes effect, and 'kỹ thuật' is not 'ký' (signed)")
    # Issuing done by the body asked about is not the document's issuer.
    assert field("Under Decision 421/QĐ-BNNMT, which body handles the issuance and renewal of class II certificates?") is None
    assert field("In Lai Chau, to which body has the chairman delegated tasks such as issuing lawyer practising certificates?") is None
    assert field("Which ministry issued Decision 421/QĐ-BNNMT?") == "issuer"
    assert field("Under Decision 421/QĐ-BNNMT, which body issues class II certificates?") is None
    agency = parse_question("After the administration ended, which agency was going to run ObamaWhiteHouse.gov?")
    assert holds_wanted_value(agency, "a site maintained by the National Archives and Records Administration (NARA)")


def test_the_words_that_name_a_document_are_not_missing_from_a_row_deep_inside_it() -> None:
    head = "NGHỊ QUYẾT Số: 607/NQ-HĐND | Sơn La, ngày 29 tháng 12 năm 2025\nĐiều 1. Mức tỷ lệ phần trăm tính đơn giá thuê đất.\n"
    rows = "STT | Tên xã | Tỷ lệ phần trăm\n12 | Xã Tân Yên | 1,0%\n13 | Xã Vân Hồ | 1,5%\n14 | Xã Song Khủa | 0,5%\n"
    first = _whole(head, "nq-607.docx", "Nghị quyết tỷ lệ thuê đất tỉnh Sơn La",
                  doc_number="607/NQ-HĐND", issuer="Hội đồng nhân dân tỉnh Sơn La")
    table = dataclasses.replace(first, chunk_id="c1", index=1, start=len(head), end=len(head) + len(rows), text=rows)
    # Other documents, so that common words ('theo', 'ở') are common.
    others = [Chunk(f"o{i}", f"o{i}", f"o{i}.txt", "Văn bản", "", 0, 0, len(t), t, "h") for i, t in enumerate([
        "Theo quy định, người ở xã được hỗ trợ.", "Theo kế hoạch, ở mỗi phường có một điểm.", "Theo đó, dân ở thôn được cấp."])]
    lexical = LexicalIndex([first, table, *others])
    question = parse_question("Theo Nghị quyết 607/NQ-HĐND của HĐND tỉnh Sơn La, tỷ lệ phần trăm ở xã Vân Hồ là bao nhiêu?")
    weights = question_weights(question, lexical.idf)
    candidates = _best_first(question, weights, [table], lexical)
    assert "Vân Hồ" in table.slice(candidates[0].start, candidates[0].end)
    signals = refusal_signals(question, candidates[0], candidates, _retrieved([table]), weights)
    # Neither the number that names the document nor its province is missing from the row: they found the document.
    assert signals["missing_rare"] < 1.0 and signals["rare_in_sentence"] > 0, signals
    assert signals["missing_names"] == 0.0, signals


def test_a_list_or_a_definition_is_asked_for_after_the_words_that_set_the_scene() -> None:
    involve = parse_question("According to the GOV.UK page 'NHS trusts in special measures', what does the regime involve?")
    assert involve.wants_list
    grants = parse_question("In the booklet 'Your Federal Student Loans', what are grants?")
    assert grants.wants_definition and grants.wants_list
    assert not parse_question("What is the fee for a karaoke licence under Decision 325?").wants_definition

    text = "Special measures\nThis regime involves:\nclose scrutiny from Monitor\nthe appointment of an improvement director\n"
    chunk = _whole(text, "nhs.html", "NHS trusts in special measures")
    lexical = LexicalIndex([chunk])

    def factor(question: str) -> float:
        asked = parse_question(question)
        found = _candidates(asked, question_weights(asked, lexical.idf), _retrieved([chunk]), lexical)
        return next(c.kind_factor for c in found if chunk.slice(c.start, c.end).startswith("This regime"))

    assert factor(involve.text) == 1.0  # it opens the list asked for
    assert factor("When was the regime introduced?") < 1.0  # a heading-like line, otherwise


def test_an_english_sentence_found_for_a_vietnamese_question_is_read_for_meaning_behind_vietnamese_passages(embedder) -> None:
    vietnamese = "Người học cao đẳng được hỗ trợ học phí theo quy định của tỉnh. Mức hỗ trợ do Sở Giáo dục đề xuất."
    english = ("In this week's address, the Vice President laid out the plan. "
               "Those with an associate's degree earn 25% more than folks with only a high school diploma.")
    first = Chunk("v1", "dv", "nq.docx", "Nghị quyết hỗ trợ học phí", "", 0, 0, len(vietnamese), vietnamese, "h")
    page = Chunk("e1", "de", "address.html", "Weekly Address: Tuition-Free Community College", "", 0, 0, len(english), english, "h2")
    lexical = LexicalIndex([first, page])
    question = parse_question("Theo bài phát biểu, người có bằng cao đẳng kiếm được nhiều hơn bao nhiêu phần trăm?")
    draft = answer_extractively(question, _retrieved([first, page]), lexical, 0.0, 1, meaning=SentenceMeaning(embedder))
    assert draft.signals["meaning"] > 0, draft.signals  # read for meaning, though a Vietnamese passage ranked first
    assert "25%" in draft.text, draft.text


def test_a_row_the_question_names_by_its_label_is_the_answer_over_the_lines_around_its_table() -> None:
    text = ("Checks by state, November 2015. The total number of background checks rose in every state.\n"
            "State | Permit | Handgun | Totals\nTexas | 21,550 | 56,941 | 146,982\nUtah | 10,429 | 4,314 | 21,772\n")
    chunk = _whole(text, "nics.pdf", "NICS Firearm Checks")
    lexical = LexicalIndex([chunk])
    question = parse_question("How many checks in total were there in Texas in November 2015?")
    weights = question_weights(question, lexical.idf)
    found = _best_first(question, weights, [chunk], lexical)
    assert chunk.slice(found[0].start, found[0].end).startswith("Texas |"), [chunk.slice(c.start, c.end) for c in found[:3]]

    # A row deeper in the table is read under its header and the headings above it, not alone.
    rows = "Utah | 10,429 | 4,314 | 21,772\nTexas | 21,550 | 56,941 | 146,982\n"
    deep = dataclasses.replace(chunk, chunk_id="c1", index=1, text=rows, end=len(rows), table_header="State | Permit | Handgun | Totals",
                               context="Checks by state, November 2015")
    lexical = LexicalIndex([chunk, deep])
    weights = question_weights(question, lexical.idf)
    found = _best_first(question, weights, [deep], lexical)
    signals = refusal_signals(question, found[0], found, _retrieved([deep]), weights)
    assert signals["missing_numbers"] == 0.0, signals  # '2015' is in the heading the rows sit under


def test_a_row_is_not_missing_what_its_document_says_elsewhere() -> None:
    intro = "ABRASIVES (MANUFACTURED)\nU.S. Geological Survey, Mineral Commodity Summaries, January 2011\nImports rose.\n"
    rows = "Country | Fused aluminum oxide | Silicon carbide\nChina | 700,000 | 455,000\nNorway | — | 80,000\n"
    head = _whole(intro, "usgs.pdf", "Events, Trends, and Issues")
    table = Chunk("c1", "d1", "usgs.pdf", "Events, Trends, and Issues", "", 1, len(intro), len(intro) + len(rows), rows, "h")
    lexical = LexicalIndex([head, table])
    question = parse_question("In the Mineral Commodity Summaries 2011, what was China's fused aluminum oxide capacity?")
    weights = question_weights(question, lexical.idf)
    found = _best_first(question, weights, [table], lexical)
    assert table.slice(found[0].start, found[0].end).startswith("China |")
    alone = refusal_signals(question, found[0], found, _retrieved([table]), weights)
    read = refusal_signals(question, found[0], found, _retrieved([table]), weights, lexical=lexical)
    assert alone["missing_names"] > 0 and alone["missing_numbers"] > 0, alone
    assert read["missing_names"] == 0.0 and read["missing_numbers"] == 0.0, read
    elsewhere = parse_question("In the Mineral Commodity Summaries 2009, what was China's fused aluminum oxide capacity?")
    found = _best_first(elsewhere, question_weights(elsewhere, lexical.idf), [table], lexical)
    assert refusal_signals(elsewhere, found[0], found, _retrieved([table]), weights, lexical=lexical)["missing_numbers"] == 1.0


def test_a_row_the_question_names_is_answered_with_confidence_though_its_words_are_few() -> None:
    """A row holds its label and numbers, little else: named by the question ('China') and holding
    the number asked for, it is trusted as an answer, not refused for covering few of its words."""
    intro = ("ABRASIVES (MANUFACTURED)\nU.S. Geological Survey, Mineral Commodity Summaries, January 2011\n"
             "Events, Trends, and Issues: Imports and higher operating costs continued to challenge producers.\n"
             "World Production Capacity:\n")
    rows = ("Fused aluminum oxide | Silicon carbide\n2009 | 2010 | 2009 | 2010\nUnited States and Canada | 60,400 | 60,400 | 42,600 | 42,600\n"
            "China | 700,000 | 700,000 | 455,000 | 455,000\nNorway | — | — | 80,000 | 80,000\n"
            "Other countries | 120,000 | 120,000 | 190,000 | 190,000\n")
    head = _whole(intro, "usgs.pdf", "Events, Trends, and Issues")
    table = Chunk("c1", "d1", "usgs.pdf", "Events, Trends, and Issues", "", 1, len(intro), len(intro) + len(rows), rows, "h",
                  context="World Production Capacity:")
    other = Chunk("c2", "d2", "other.pdf", "Silicon", "", 0, 0, 40, "Silicon metal is produced in China and Norway.", "h")
    lexical = LexicalIndex([head, table, other])
    question = parse_question("According to the USGS Mineral Commodity Summaries 2011 entry on manufactured abrasives, "
                              "what was China's fused aluminum oxide production capacity?")
    draft = answer_extractively(question, _retrieved([head, table]), lexical, 0.2, 3, model=load_model())
    assert not draft.refused and "China | 700,000" in draft.text, (draft.confidence, draft.text)


def test_a_cell_citing_the_law_a_row_rests_on_does_not_name_the_row() -> None:
    basis = "Thông tư số 110/2025/TT-BTC ngày 19/11/2025 quy định mức thu, chế độ thu, nộp phí thẩm định cấp giấy phép kinh doanh karaoke, vũ trường."
    text = ("STT | Tên thủ tục | Thời gian giải quyết | Phí, lệ phí | Căn cứ pháp lý\n"
            "1 | Thủ tục cấp giấy phép đủ điều kiện kinh doanh dịch vụ karaoke | 10 ngày làm việc | "
            "1.000.000 đồng/phòng, nhưng tổng mức thu không quá 6.000.000 đồng/Giấy phép | Thông tư số 110/2025/TT-BTC\n"
            f"2 | Thủ tục cấp giấy phép đủ điều kiện kinh doanh dịch vụ vũ trường | 10 ngày làm việc | 10.000.000 đồng/Giấy phép | {basis}\n")
    question = parse_question("Vợ chồng tôi định mở quán karaoke ở Quảng Trị. Phí thẩm định cấp giấy phép kinh doanh karaoke được tính thế nào?")
    found = _best_sentences(question, text, "Quyết định công bố thủ tục hành chính")
    assert "karaoke | 10 ngày" in found[0], [t[:60] for t in found[:3]]


def test_an_abbreviated_issuer_and_a_short_citation_are_not_missing_from_the_answer() -> None:
    """'HĐND TPHCM' is the issuer the document writes out, and '64/2025' its own number: neither is
    a name or number the answering passage should repeat."""
    text = "1. Hỗ trợ 100% kinh phí mua các loại vắc-xin bao gồm:\na) Vắc-xin phòng bệnh Lở mồm long móng;\nb) Vắc-xin phòng bệnh Dại.\n"
    chunk = _whole(text, "nq-64.docx", "Nghị quyết quy định chính sách hỗ trợ kinh phí tiêm phòng",
                  doc_number="64/2025/NQ-HĐND", issuer="Hội đồng nhân dân Thành phố Hồ Chí Minh")
    assert {"tphcm", "hdnd", "hcm"} <= identifying_terms(chunk)
    lexical = LexicalIndex([chunk])
    question = parse_question("nghi quyet 64/2025 cua HDND TPHCM ho tro 100% tien mua nhung loai vac xin nao?")
    weights = question_weights(question, lexical.idf)
    found = _best_first(question, weights, [chunk], lexical)
    signals = refusal_signals(question, found[0], found, _retrieved([chunk]), weights)
    assert signals["missing_numbers"] == 0.0, signals
    inside = within_document_weights(question, weights, chunk)
    assert inside["tphcm"] == pytest.approx(0.2 * weights["tphcm"]) and inside["vac"] == weights["vac"]


def test_a_publisher_the_document_never_names_counts_against_it_once() -> None:
    """The guide's excerpt never names the Education Department the question credits it to: that
    counts against the whole document once, not again against each of its sentences, or a
    regulation that names the Department wins with any sentence that says 'work-study'."""
    guide = ("Federal student aid includes:\n• grants—money that usually doesn't have to be repaid;\n"
             "• work-study—money you earn to pay for your education;\n")
    rule = ("The Department of Education administers this part.\nThe work-study assistance is provided through campus-based "
            "community service programs.\n")
    chunks = [_whole(guide, "guide.pdf", "Your Federal Student Loans"),
              Chunk("c1", "d2", "cfr.html", "34 CFR Part 692", "", 0, 0, len(rule), rule, "h")]
    lexical = LexicalIndex(chunks)
    question = parse_question("What does work-study mean in the Education Department's federal student loans guide?")
    found = _best_first(question, question_weights(question, lexical.idf), chunks, lexical)
    assert "money you earn" in chunks[0].slice(found[0].start, found[0].end) and found[0].chunk.doc_id == "d1", [
        found[0].chunk.slice(c.start, c.end) for c in found[:3]]


def test_the_best_document_is_also_searched_by_the_questions_rarest_words() -> None:
    """In an airworthiness directive every chunk says 'FAA', 'proposed', 'directive': by all the
    question's words, any of them comes before the one that answers; by its rarest, it comes first."""
    common = "The FAA proposed this directive. Further, the proposed directive is an FAA directive. "
    texts = [common * 3 for _ in range(8)] + ["For more information about this AD, contact Ian Won, Manager, Seattle ACO Branch."]
    chunks = [Chunk(f"c{i}", "d1", "ad.pdf", "Airworthiness Directives; The Boeing Company Airplanes", "", i, 0, len(t), t, "h")
              for i, t in enumerate(texts)]
    # Across the index, 'contact' and 'information' are rarer than the directive's own words.
    others = [*(f"FAA proposed directive, further notes {i}." for i in range(4)), *(f"Contact information office {i}." for i in range(2)),
              *(f"Water companies report on river quality {i}." for i in range(30))]
    lexical = LexicalIndex(chunks + [Chunk(f"o{i}", f"d{i + 2}", f"o{i}.html", "Other", "", 0, 0, len(t), t, "h")
                                     for i, t in enumerate(others)])
    question = parse_question("Who is the FAA contact for further information on the proposed directive?")
    found = within_best_document(question, _retrieved(chunks[:1]), lexical)
    assert any("Ian Won" in r.chunk.text for r in found), [r.chunk.chunk_id for r in found]


def test_a_period_said_in_other_words_is_the_row_a_table_writes_for_it() -> None:
    text = ("Step 1. Add to the wages paid to the nonresident alien employee the amount shown in the chart below.\n"
            "Amount to Add to Nonresident Alien Employee's Wages for Calculating Income Tax Withholding Only\n"
            "Payroll Period Add Additional\nWeekly $ 40.40\nBiweekly 80.80\nSemimonthly 87.50\nMonthly 175.00\nQuarterly 525.00\n")
    question = parse_question("We just hired an engineer who is a nonresident alien and we pay him every two weeks. "
                              "What amount do I add to his wages before working out his income tax withholding?")
    found = _best_sentences(question, text, "Notice 1036")
    assert found[0] == "Biweekly 80.80", found[:3]
    told = parse_question("Our staff are paid twice a month. What is the value of one withholding allowance?")
    assert "semimonth" in told.terms and "semimonth" not in parse_question("What is one allowance worth?").terms


def test_a_document_in_the_other_language_is_searched_by_the_questions_words_translated() -> None:
    filler = "The FAA proposes to supersede an airworthiness directive for Boeing airplanes. "
    texts = [filler * 3 for _ in range(6)] + ["DATES: The FAA must receive comments on this proposed AD by September 21, 2020."]
    chunks = [Chunk(f"c{i}", "d1", "ad.pdf", "Airworthiness Directives; The Boeing Company Airplanes", "", i, 0, len(t), t, "h")
              for i, t in enumerate(texts)]
    vietnamese = "Ý kiến góp ý gửi về Sở Tư pháp trước ngày 15 tháng 3 năm 2026."
    lexical = LexicalIndex([*chunks, Chunk("v0", "d2", "cv.docx", "Công văn", "", 0, 0, len(vietnamese), vietnamese, "h")])
    question = parse_question("Hạn chót gửi ý kiến góp ý cho dự thảo chỉ thị của FAA về máy bay Boeing là ngày nào?")
    assert "comment" in question.translated_terms
    found = within_best_document(question, _retrieved(chunks[:1]), lexical)
    assert any(r.chunk.chunk_id == "c6" for r in found), [r.chunk.chunk_id for r in found]


def test_a_list_told_in_sentences_comes_whole_with_what_announces_it() -> None:
    text = ("Moving forward, the President can be followed on familiar handles. In October, we laid out plans to preserve the "
            "digital legacy of the administration and to ensure this digital transition meets three key goals. First, we are "
            "preserving the material we have created with the National Archives. Second, we are working to ensure these materials "
            "stay accessible on the platforms where they were created. Finally, we are working to ensure that the next White House "
            "can continue to use the digital channels. We are grateful to the people who engaged with us online.")
    question = parse_question("What were the three goals the White House set for its digital transition?")
    answer = _answer_from(question, text, "The Digital Transition")
    assert "three key goals" in answer.text and "National Archives" in answer.text and "platforms" in answer.text, answer.text
    assert "next White House" in answer.text and "grateful" not in answer.text, answer.text


def test_a_story_that_counts_something_is_checked_against_the_documents_threshold_on_it() -> None:
    items = "1. Hỗ trợ 100% kinh phí mua các loại vắc-xin bao gồm:\na) Vắc-xin phòng bệnh Lở mồm long móng đối với heo, trâu, bò;\n"
    covered = ("Điều 2. Đối tượng áp dụng\nHộ chăn nuôi có quy mô như sau:\nChăn nuôi heo có tổng đàn dưới 150 (một trăm năm mươi) con;\n"
               "Chăn nuôi trâu, bò có tổng đàn dưới 40 (bốn mươi) con.\n")
    filler = "Điều {n}. Sở Nông nghiệp và Môi trường hướng dẫn, kiểm tra việc tổ chức tiêm phòng trên địa bàn.\n"
    texts = [items, *(filler.format(n=n) for n in range(3, 9)), covered]
    chunks = [Chunk(f"c{i}", "d1", "nq-64.docx", "Nghị quyết hỗ trợ tiêm phòng", "", i, 0, len(t), t, "h") for i, t in enumerate(texts)]
    lexical = LexicalIndex(chunks)
    counted = parse_question("Nhà tôi ở ngoại thành nuôi khoảng 180 con heo thịt. Nhà tôi có được hỗ trợ tiền vắc-xin lở mồm long móng không?")
    assert counted.story_units == ("con",) and sets_threshold("Chăn nuôi heo có tổng đàn dưới 150 (một trăm năm mươi) con;", ("con",))
    # A limit said as a comparison: a story's '300 kW' engines against 'lớn hơn 220 kW'.
    engines = parse_question("Tàu của chúng tôi lắp hai máy diesel tổng công suất khoảng 300 kW. Tàu phải trang bị gì để chống ô nhiễm dầu?")
    assert engines.story_units == ("kw",)
    assert sets_threshold("Tàu có tổng công suất lớn hơn 220 kW phải được trang bị thiết bị phân ly dầu nước.", engines.story_units)
    assert sets_threshold("vessels with engines greater than 220 kW", ("kw",)) and not sets_threshold("engines of 220 kW", ("kw",))
    found = within_best_document(counted, _retrieved(chunks[:1]), lexical)
    assert any(r.chunk.chunk_id == "c7" for r in found), [r.chunk.chunk_id for r in found]
    ranked = _best_first(counted, question_weights(counted, lexical.idf), [chunks[0], chunks[7]], lexical)
    top_two = [chunks[0].slice(c.start, c.end) if c.chunk is chunks[0] else chunks[7].slice(c.start, c.end) for c in ranked[:2]]
    assert any("dưới 150" in t for t in top_two), top_two


def test_what_a_rows_label_excepts_is_not_what_the_row_is_about() -> None:
    text = ("Khu vực | Tỷ lệ (%/năm)\n"
            "- Các phường (trừ trường hợp thuê đất thuộc khu công nghiệp, trả tiền thuê đất hằng năm không qua đấu giá) | 1,2%\n"
            "- Các xã (trừ trường hợp thuê đất thuộc khu công nghiệp, trả tiền thuê đất hằng năm không qua đấu giá) | 1%\n"
            "- Đất thuộc các khu công nghiệp trên địa bàn tỉnh | 0,8%\n")

    def best(question: str) -> str:
        return _best_sentences(parse_question(question), text, "Nghị quyết tỷ lệ phần trăm tính đơn giá thuê đất")[0]

    assert best("Công ty tôi thuê đất trong một khu công nghiệp, trả tiền thuê hằng năm, không qua đấu giá. "
                "Tỷ lệ phần trăm tính đơn giá thuê đất là bao nhiêu?").endswith("0,8%")
    assert best("Tỷ lệ phần trăm tính đơn giá thuê đất hằng năm tại các phường là bao nhiêu?").endswith("1,2%")


def test_a_document_cited_by_its_number_and_year_alone_is_the_one_asked_about() -> None:
    question = parse_question("Under the city People's Council Resolution 73/2025 on health stations, what support does a doctor get?")
    assert question.short_citations == frozenset({"73/2025"}) and not question.doc_numbers
    assert parse_question("Theo nghị quyết số 73/2025 của HĐND thành phố").short_citations == frozenset({"73/2025"})
    assert not parse_question("In 2025, 73/2025 of the funds were spent").short_citations  # a number, not a citation

    def chunk(i: int, number: str) -> Chunk:
        return Chunk(f"c{i}", f"d{i}", f"{i}.docx", "Nghị quyết", "", 0, 0, 20, "Bác sĩ được hỗ trợ.", "h", doc_number=number)

    lexical = LexicalIndex([chunk(1, "73/2025/NQ-HĐND"), chunk(2, "173/2025/NQ-HĐND"), chunk(3, "73/2024/NQ-HĐND")])
    assert lexical.named_by(question.doc_numbers, question.short_citations) == {"d1"}


def test_a_place_is_found_by_its_whole_name_though_a_syllable_of_it_is_no_search_term() -> None:
    header = "STT | Tên ĐVHC cấp xã | Mức tỷ lệ phần trăm (%) đơn giá thuê đất"
    texts = ["Tỷ lệ tại các xã của tỉnh Sơn La:\n18 | Xã Mường Chiên | 0,5%\n19 | Xã Mường Giôn | 1,0%\n",
             "Tỷ lệ phần trăm tính đơn giá thuê đất áp dụng cho từng xã được quy định tại Phụ lục của tỉnh Sơn La.",
             "30 | Xã Chiềng Lao | 0,5%\n31 | Xã Mường La | 1,5%\n", "40 | Xã Mường É | 0,5%\n41 | Xã Mường Sại | 0,5%\n"]
    chunks = [Chunk(f"c{i}", "d1", "nq-607.docx", "Nghị quyết tỷ lệ phần trăm đơn giá thuê đất", "", i, 100 * i,
                    100 * i + len(t), t, "h", doc_number="607/NQ-HĐND", issuer="Hội đồng nhân dân tỉnh Sơn La", table_header=header)
              for i, t in enumerate(texts)]
    lexical = LexicalIndex(chunks)
    question = parse_question("Theo Nghị quyết 607/NQ-HĐND của HĐND tỉnh Sơn La, tỷ lệ phần trăm áp dụng cho xã Mường La là bao nhiêu?")
    # Retrieval found the other communes of 'Mường ...'; 'la' ('là') is no term, so only the whole name tells them apart.
    found = within_best_document(question, _retrieved(chunks[:1]), lexical)
    assert "c2" in [r.chunk.chunk_id for r in found], [r.chunk.chunk_id for r in found]


def test_a_year_that_dates_the_named_document_is_not_asked_of_it_and_a_quoted_term_is_what_is_asked() -> None:
    question = parse_question("In the FDA's 2009 guidance on PRO measures, what does the measurement property 'internal consistency' assess?")
    assert question.years == () and question.focus == frozenset(terms("internal consistency"))
    assert parse_question("In the USGS 2011 summary on abrasives, what was the capacity in 2011?").years == ("2011",)
    assert parse_question("In the FDA's 2009 PRO guidance, how is 'internal consistency' described?").years == ()
    assert not parse_question("In the booklet 'Your Federal Student Loans', what are grants?").focus  # a title, not a term

    text = ("The FDA guidance lists the measurement properties that PRO measures assess and how each property is reviewed.\n"
            "Measurement Properties Considered in the Review of PRO Instruments\n"
            "Internal consistency • Extent to which items comprising a scale measure the same concept\n"
            "Test-retest reliability • Stability of scores over time when no change is expected\n")
    draft = _answer_from(question, text, "Documentation of the instrument development process", "The FDA reviews many documents.")
    assert "items comprising a scale" in draft.text, draft.text


def test_a_title_in_quotes_names_the_document_and_its_answer_need_not_repeat_it() -> None:
    question = parse_question("In the Department of Education booklet 'Your Federal Student Loans', what are grants?")
    assert question.name_pairs == ()
    text = ("Federal student loans usually offer borrowers lower interest rates than loans from banks.\n"
            "Grants—free money that doesn't have to be repaid, except in some cases when you withdraw from school.\n")
    draft = _answer_from(question, text, "Item Description", "Your Federal Student Loans is a booklet of the Department of Education.")
    assert "free money" in draft.text, draft.text


def test_the_best_sentence_comes_from_a_document_about_the_year_asked() -> None:
    old_text = "Luật năm 2018.\nCơ quan, tổ chức, đơn vị khu vực nhà nước bao gồm cơ quan nhà nước và tổ chức chính trị.\n"
    new_text = "Luật sửa đổi năm 2025.\nĐơn vị khu vực nhà nước gồm cơ quan nhà nước, doanh nghiệp nhà nước.\n"
    old = Chunk("c1", "d1", "luat-2018.pdf", "Luật phòng, chống tham nhũng", "", 0, 0, len(old_text), old_text, "h")
    new = Chunk("c2", "d2", "luat-2025.pdf", "Luật sửa đổi", "", 0, 0, len(new_text), new_text, "h")
    lexical = LexicalIndex([old, new])
    question = parse_question("Theo luật sửa đổi năm 2025, cơ quan, tổ chức, đơn vị khu vực nhà nước gồm những gì?")
    draft = answer_extractively(question, _retrieved([old, new]), lexical, 0.0, 1)
    assert not draft.refused and "doanh nghiệp" in draft.text, draft.text


def test_the_document_read_further_is_the_one_that_names_the_place_asked() -> None:
    lam_dong = ("Tỷ lệ phần trăm tính đơn giá thuê đất tỉnh Lâm Đồng\nKhu vực | Tỷ lệ phần trăm tính đơn giá thuê đất\n"
                "- Các xã | 1,0%\n- Các phường | 1,2%\n")
    son_la_head = "Nghị quyết tỷ lệ phần trăm tính đơn giá thuê đất tỉnh Sơn La\nĐiều 1. Mức tỷ lệ theo từng xã.\n"
    son_la_rows = "STT | Tên xã | Tỷ lệ\n30 | Xã Mường Chiên | 0,5%\n31 | Xã Mường La | 1,5%\n"
    first = Chunk("a1", "lam-dong", "nq-84.docx", "Nghị quyết Lâm Đồng", "", 0, 0, len(lam_dong), lam_dong, "h")
    head = Chunk("b1", "son-la", "nq-607.docx", "Nghị quyết Sơn La", "", 0, 0, len(son_la_head), son_la_head, "h")
    rows = Chunk("b2", "son-la", "nq-607.docx", "Nghị quyết Sơn La", "", 1, len(son_la_head), len(son_la_head) + len(son_la_rows),
                 son_la_rows, "h")
    lexical = LexicalIndex([first, head, rows])
    question = parse_question("Tỷ lệ phần trăm tính đơn giá thuê đất ở xã Mường La, tỉnh Sơn La là bao nhiêu?")
    draft = answer_extractively(question, _retrieved([first, head]), lexical, 0.0, 1)
    assert not draft.refused and "1,5%" in draft.text, draft.text


def test_a_documents_own_footnote_mark_is_not_read_as_a_citation() -> None:
    from qa.answer.grounding import cited_numbers

    text = "Các đơn vị sự nghiệp:\n(11) Trung tâm Quản lý nhà và giám định xây dựng Bắc Ninh[4].\n"
    question = parse_question("Trung tâm Quản lý nhà và giám định xây dựng Bắc Ninh là đơn vị nào?")
    draft = _answer_from(question, text, "Quyết định 605")
    assert not draft.refused and "Bắc Ninh⁴" in draft.text, draft.text
    assert set(cited_numbers(draft.text)) <= {c.n for c in draft.citations}, draft.text
    assert any("Bắc Ninh[4]" in c.quote for c in draft.citations), "the citation keeps the exact text"


def test_numbers_that_name_something_are_not_numbers_the_answer_must_repeat() -> None:
    text = "DATES: The FAA must receive comments on this proposed AD by September 21, 2020.\n"
    chunk = Chunk("c1", "d1", "faa.pdf", "Airworthiness Directives", "", 0, 0, len(text), text, "h")
    lexical = LexicalIndex([chunk])
    question = parse_question("By what date must the FAA receive comments on the 737 MAX directive that supersedes AD 2018-23-51?")
    weights = question_weights(question, lexical.idf)
    found = _best_first(question, weights, [chunk], lexical)
    assert refusal_signals(question, found[0], found, _retrieved([chunk]), weights)["missing_numbers"] == 0.0
    deadline = parse_question("What's the deadline for sending comments to the FAA on its directive for the Boeing 737 MAX (737-8 and 737-9)?")
    assert deadline.answer_type == "date" and deadline.wants_day, "a deadline is a day"
    found = _best_first(deadline, question_weights(deadline, lexical.idf), [chunk], lexical)
    assert refusal_signals(deadline, found[0], found, _retrieved([chunk]), weights)["missing_numbers"] == 0.0, "'737-8' is a model"
    undated = "Comments must reach the FAA within 45 days."
    plain = Chunk("c2", "d2", "faa2.pdf", "Airworthiness Directives", "", 0, 0, len(undated), undated, "h")
    dated = parse_question("Within how many days did the FAA's 2020 proposal say comments must reach it?")
    found = _best_first(dated, question_weights(dated, lexical.idf), [plain], lexical)
    assert refusal_signals(dated, found[0], found, _retrieved([plain]), weights)["missing_numbers"] == 0.0, "'2020' dates the proposal"
    counted = parse_question("How many comments did the FAA receive on the 737 MAX directive by September 30?")
    found = _best_first(counted, question_weights(counted, lexical.idf), [chunk], lexical)
    assert refusal_signals(counted, found[0], found, _retrieved([chunk]), weights)["missing_numbers"] == 1.0, "'30' is asked"


def test_a_table_a_pdf_gives_as_lines_is_read_under_its_caption() -> None:
    text = ("Step 1. Add to the wages paid the amount shown in the chart below.\nAmount to Add to Nonresident Alien\n"
            "Employee's Wages for Calculating Income Tax\nWithholding Only\nPayroll Period Add Additional\nWeekly $ 40.40\n"
            "Biweekly 80.80\nSemimonthly 87.50\nMonthly 175.00\nStep 2. Use the amount figured in Step 1 to figure withholding.\n")
    chunk = Chunk("c1", "d1", "irs.pdf", "Notice 1036", "", 0, 0, len(text), text, "h")
    # Other documents, so that the words of withholding are common and 'monthly' is not.
    others = [Chunk(f"o{i}", f"o{i}", f"o{i}.txt", "Notice", "", 0, 0, len(t), t, "h") for i, t in enumerate([
        "Add the amount to the wages before you figure income tax withholding.", "Employers withhold income tax from wages weekly.",
        "An employee who is a nonresident alien figures tax on wages paid."])]
    lexical = LexicalIndex([chunk, *others])
    question = parse_question("How much is added to a nonresident alien employee's monthly wages before calculating income tax withholding?")
    found = _best_first(question, question_weights(question, lexical.idf), [chunk], lexical)
    assert chunk.slice(found[0].start, found[0].end) == "Monthly 175.00", [chunk.slice(c.start, c.end) for c in found[:3]]
    spans, _ = complete_unit(found[0], False, Around(text, chunk), question)
    quoted = [holder.slice(a, b) for holder, a, b in spans]
    assert quoted[-1] == "Monthly 175.00" and "Payroll Period Add Additional" in quoted[0], quoted


def test_a_question_that_names_nothing_is_refused() -> None:
    text = "Tôi là người sử dụng lao động. Which ones do I use? You can use it for anything.\n"
    chunk = Chunk("c1", "d1", "a.txt", "A", "", 0, 0, len(text), text, "h")
    lexical = LexicalIndex([chunk])
    for empty in ("tôi", "Which ones do?", "What can I use it for?"):
        assert answer_extractively(parse_question(empty), _retrieved([chunk]), lexical, 0.0, 1).refused, empty
    assert not answer_extractively(parse_question("Ai là người sử dụng lao động?"), _retrieved([chunk]), lexical, 0.0, 1).refused


def test_words_that_say_what_kind_of_value_is_asked_do_not_choose_the_sentence() -> None:
    # 'the deadline for comments' is answered by when comments must arrive, which never says
    # 'deadline'; 'roughly how large' by 'about 3,900 km2', which never says 'roughly'.
    deadline = parse_question("What was the deadline for comments on the proposed directive?")
    assert "deadlin" not in deadline.content_terms and not deadline.focus
    text = ("The deadline extension policy of the agency is described in the handbook, 2019 edition.\n"
            "DATES: The agency must receive comments on this proposed directive by September 21, 2020.")
    assert "September 21, 2020" in _best_sentences(deadline, text, "Proposed directive")[0]
    area = parse_question("Roughly how large will the new province be?")
    assert "rough" not in area.content_terms


def test_how_long_a_procedure_takes_is_its_processing_time_line_not_a_steps_days() -> None:
    text = ("1. Tên thủ tục hành chính: Hỗ trợ khám chữa bệnh cho lực lượng xung kích cấp xã.\n"
            "1.1. Trình tự thực hiện:\n"
            "- Bước 3: Trong thời hạn 07 ngày làm việc, kể từ ngày nhận đủ hồ sơ hợp lệ, cơ quan chuyên môn thuộc Ủy ban nhân dân "
            "cấp xã trình Chủ tịch Ủy ban nhân dân cấp xã quyết định hỗ trợ kinh phí khám bệnh, chữa bệnh cho lực lượng xung kích.\n"
            "1.4. Thời hạn giải quyết: 10 ngày làm việc, kể từ ngày nhận được hồ sơ đầy đủ, hợp lệ.\n")
    question = parse_question("Hồ sơ đề nghị hỗ trợ khám chữa bệnh cho lực lượng xung kích nộp lên UBND xã thì được giải quyết trong bao lâu?")
    assert _best_sentences(question, text, "Quyết định công bố thủ tục hành chính")[0].startswith("1.4. Thời hạn giải quyết")


def test_a_field_the_question_names_is_its_labelled_line() -> None:
    text = ("1.7. Kết quả thực hiện TTHC: Văn bản chấp thuận đăng ký hoạt động ứng phó thiên tai của tổ chức quốc tế.\n"
            "- Đơn đăng ký hoạt động ứng phó và khắc phục hậu quả thiên tai tại Việt Nam của tổ chức quốc tế theo mẫu Phụ lục I.\n"
            "1.8. Phí, lệ phí: Không\n")
    question = parse_question("Chúng tôi là một tổ chức quốc tế. Thủ tục đăng ký hoạt động ứng phó thiên tai có mất phí, lệ phí không?")
    assert _best_sentences(question, text, "Quyết định công bố thủ tục hành chính")[0] == "1.8. Phí, lệ phí: Không"
    # A title with a colon is no field ('Special measures: 1 year on'), nor a list of names.
    assert not names_asked_field(parse_question("What does special measures involve?"), "Special measures: 1 year on PDF")
    assert not names_asked_field(parse_question("Giám đốc các sở là ai?"), "4. Giám đốc các Sở: Xây dựng, Nội vụ")


def test_an_answer_from_another_document_than_the_one_named_says_which() -> None:
    repealing = ("Điều 2. Bãi bỏ Nghị quyết số 02/2022/NQ-HĐND ngày 12 tháng 7 năm 2022 của Hội đồng nhân dân tỉnh An Giang "
                 "quy định hạch toán thu ngân sách nhà nước.")
    chunk = Chunk("c0", "d23", "nq-23.docx", "Nghị quyết 23/2025/NQ-HĐND", "", 0, 0, len(repealing), repealing, "h",
                  doc_number="23/2025/NQ-HĐND")
    lexical = LexicalIndex([chunk])
    asked = parse_question("Nghị quyết 02/2022/NQ-HĐND của tỉnh An Giang về hạch toán thu ngân sách còn hiệu lực không?")
    answer = answer_extractively(asked, _retrieved([chunk]), lexical, 0.0, 1)
    assert answer.text.startswith("Theo văn bản 23/2025/NQ-HĐND: Điều 2. Bãi bỏ"), answer.text
    # Asked about the document that answers, the quote is enough.
    own = parse_question("Nghị quyết 23/2025/NQ-HĐND bãi bỏ nghị quyết nào?")
    assert answer_extractively(own, _retrieved([chunk]), lexical, 0.0, 1).text.startswith("Điều 2. Bãi bỏ")


def test_an_ask_about_the_askers_family_or_where_to_file_reads_the_story() -> None:
    question = parse_question("Anh trai tôi là thành viên lực lượng xung kích phòng chống thiên tai của xã, bị tai nạn khi đi ứng cứu bão. "
                              "Gia đình nộp hồ sơ xin hỗ trợ ở đâu và bao lâu thì được giải quyết?")
    assert {"xung", "kich", "thien"} <= set(question.context_terms)  # 'Gia đình' is the asker's family
    assert [p.ask for p in question.parts] == ["Gia đình nộp hồ sơ xin hỗ trợ ở đâu", "bao lâu thì được giải quyết"]
    assert "dau" not in question.content_terms  # 'ở đâu' asks where; it is in no answer


def test_a_number_spelled_out_after_its_digits_keeps_its_unit() -> None:
    asked = parse_question("Sở Tư pháp phải gửi văn bản đề nghị lên Bộ trong thời hạn bao lâu?")
    assert holds_unit(asked, "Trong thời hạn 05 (năm) ngày làm việc kể từ ngày hết hạn đăng ký, Sở Tư pháp gửi văn bản đề nghị.")
    assert holds_wanted_value(asked, "Trong thời hạn 05 (năm) ngày làm việc kể từ ngày hết hạn đăng ký, Sở Tư pháp gửi văn bản.")
    assert not holds_unit(asked, "Sở Tư pháp gửi 02 (hai) bản sao văn bản đề nghị.")


def test_a_second_ask_is_looked_for_in_the_whole_document_beyond_the_retrieved_chunks() -> None:
    # Retrieval looked for the whole question and brought the doctors' chunk; the nurses' line is
    # in another chunk of the same document, found by the second ask's own words.
    doctors = "Doctors who work at commune health stations receive a salary of 9,000,000 dong per month."
    nurses = "Nurses who work at commune health stations receive a salary of 7,000,000 dong per month."
    chunks = [Chunk(f"c{i}", "d1", "resolution.pdf", "Resolution on health workers", "", i, at, at + len(t), t, "h")
              for i, (at, t) in enumerate(((0, doctors), (len(doctors) + 1, nurses)))]
    other = Chunk("o1", "o1", "other.txt", "Other", "", 0, 0, 40, "Teachers receive a salary every month.", "h")
    lexical = LexicalIndex([*chunks, other])
    question = parse_question("How much do doctors at commune health stations receive per month, and how much do nurses receive?")
    assert len(question.parts) == 2
    added = _other_asks(question, question_weights(question, lexical.idf), _retrieved(chunks[:1]), lexical, 1.0,
                        [(chunks[0], 0, len(doctors), 1.0)])
    assert [chunk.slice(start, end) for chunk, start, end, _ in added] == [nurses]


class _Document:
    """A DocumentReader over chunks cut from one text."""

    def __init__(self, text: str, cuts: list[int]) -> None:
        bounds = [0, *cuts, len(text)]
        self.text = text
        self.chunks = [Chunk(f"c{i}", "d1", "qd.pdf", "Quyết định", "", i, a, b, text[a:b], "h")
                       for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))]

    def neighbour(self, chunk: Chunk, step: int) -> Chunk | None:
        at = chunk.index + step
        return self.chunks[at] if 0 <= at < len(self.chunks) else None

    def document_text(self, doc_id: str) -> str:
        return self.text


def test_a_sentence_or_row_the_chunks_end_cuts_is_quoted_on_from_the_next_chunk() -> None:
    text = ("Điều 3. Quy định chung\n"
            "Tang vật là thực phẩm tươi sống và các loại hàng hóa do đặc tính tự nhiên, điều kiện bảo quản nếu không xử lý ngay "
            "thì có khả năng bị hư hỏng.\n"
            "| 1 | Cấp giấy chứng nhận thủy sản xuất khẩu vào Hoa Kỳ (COA) | 04 ngày làm việc | Không |\n"
            "Điều 4. Hiệu lực thi hành.\n")
    cut_sentence = text.index("điều kiện bảo quản")
    cut_row = text.index("Hoa Kỳ (COA)")
    document = _Document(text, [cut_sentence, cut_row])
    question = parse_question("Tang vật là thực phẩm tươi sống có phải xử lý ngay không?")
    draft = answer_extractively(question, _retrieved(document.chunks[:1]), LexicalIndex(document.chunks), 0.0, 1, reader=document)
    assert "có khả năng bị hư hỏng." in draft.text and len(draft.citations) == 2, draft.text
    assert draft.citations[1].quote.startswith("điều kiện bảo quản")
    row = parse_question("Cấp giấy chứng nhận thủy sản xuất khẩu COA mất bao nhiêu ngày làm việc?")
    found = answer_extractively(row, _retrieved(document.chunks[1:2]), LexicalIndex(document.chunks), 0.0, 1, reader=document)
    assert "04 ngày làm việc | Không |" in found.text, found.text
    # A sentence that ends where its chunk does is not read on.
    whole = _Document(text, [text.index("| 1 |")])
    ended = answer_extractively(question, _retrieved(whole.chunks[:1]), LexicalIndex(whole.chunks), 0.0, 1, reader=whole)
    assert "Cấp giấy chứng nhận" not in ended.text, ended.text


def test_items_numbered_in_brackets_are_a_list() -> None:
    text = ("3. Đơn vị sự nghiệp công lập trực thuộc sở: 3 đơn vị\n(1) Ban Quản lý bảo trì đường bộ Bắc Ninh;\n"
            "(2) Viện Quy hoạch, Kiến trúc Bắc Ninh;\n(3) Trung tâm Thoát nước và xử lý nước thải.\n")
    chunk = Chunk("c", "d", "s", "t", "", 0, 0, len(text), text, "h")
    start = text.index("(2) Viện")
    end = text.index("\n", start)
    assert quoted_unit(chunk, start, end, True)[0] == [
        "3. Đơn vị sự nghiệp công lập trực thuộc sở: 3 đơn vị", "(1) Ban Quản lý bảo trì đường bộ Bắc Ninh;",
        "(2) Viện Quy hoạch, Kiến trúc Bắc Ninh;", "(3) Trung tâm Thoát nước và xử lý nước thải."]


def test_a_row_the_question_names_by_its_very_name_is_answered_at_a_lower_confidence() -> None:
    import math

    from qa.answer.refusal import RefusalModel

    def model(confidence: float) -> RefusalModel:
        return RefusalModel((0.0,) * len(SIGNALS), math.log(confidence / (1 - confidence)), (0.0,) * len(SIGNALS),
                            (1.0,) * len(SIGNALS), 0.5)

    text = ("NICS Firearm Background Checks: November 2015\nState / Territory | Permit | Handgun | Totals\n"
            "Illinois | 87,190 | 24,412 | 129,861\nKentucky | 264,140 | 12,155 | 295,891\nTexas | 21,550 | 56,941 | 146,982\n")
    chunk = _whole(text, "nics.pdf", "NICS Firearm Background Checks")
    lexical = LexicalIndex([chunk])
    named = parse_question("How many permit checks did NICS record for Kentucky in November 2015?")
    answered = answer_extractively(named, _retrieved([chunk]), lexical, 0.0, 1, model=model(0.4))
    assert not answered.refused and "264,140" in answered.text, answered.text
    assert answer_extractively(named, _retrieved([chunk]), lexical, 0.0, 1, model=model(0.2)).refused, "a floor still holds"
    unnamed = parse_question("How many permit checks did NICS record in the state with the most in November 2015?")
    assert answer_extractively(unnamed, _retrieved([chunk]), lexical, 0.0, 1, model=model(0.4)).refused
    # Not a question's first word, nor a total, nor a stopword: 'How | 12', 'Total | 1,200,000'.
    from qa.answer.extractive import _row_named_by_name
    texas = parse_question("How many permits did Texas issue in 2020?")
    assert _row_named_by_name("Texas | 21,550", texas) and not _row_named_by_name("How | 12", texas)
    assert not _row_named_by_name("Totals | 804,006", parse_question("Totals aside, how many permits did Texas issue?"))


def test_how_often_is_answered_by_the_sentence_that_says_how_often() -> None:
    """'How often should the scores be re-calibrated?' is answered by 'a suggested periodicity is
    6 months at most', not by the sentence that repeats the question's words; so is 'bao lâu một lần'."""
    text = ("Scorecard guidance. The scores of each supplier are re-calibrated by the review committee, which uses the latest "
            "supplier audits and market data when the scores are re-calibrated. A suggested periodicity is 6 months at most. "
            "The committee publishes the scores to all suppliers.")
    often = parse_question("How often should the scores be re-calibrated?")
    assert often.answer_type == "number" and holds_wanted_value(often, "ít nhất mỗi 06 tháng một lần")
    assert not holds_wanted_value(often, "trong thời hạn 06 tháng")
    assert "periodicity is 6 months" in _best_sentences(often, text, "Scorecard guidance")[0]
    vietnamese = ("Thuyền trưởng tổ chức thực hiện diễn tập định kỳ về sử dụng các thiết bị cứu sinh cho thuyền viên, "
                  "thuyền viên tham gia diễn tập đầy đủ. Diễn tập được thực hiện ít nhất mỗi 06 tháng một lần.")
    assert "mỗi 06 tháng một lần" in _best_sentences(
        parse_question("Thuyền trưởng phải tổ chức diễn tập cho thuyền viên bao lâu một lần?"), vietnamese, "Thông tư")[0]


def test_a_table_by_year_answers_with_the_row_of_the_year_asked() -> None:
    """'how many robberies in 2007?' of a table by year is its row '2007 | ...' (the year names the
    row, and the caption over the table names the act); asked of 2009, which it has no row for, no
    row of another year is the answer."""
    text = ("Table 2: Crime Statistics Reported in Compliance with the Clery Act, by Type of Crime and Year\n"
            "| Murder | Robbery | Burglary | Arson\n2005 | 28 | 5,432 | 37,800 | 1,219\n2006 | 25 | 4,921 | 35,124 | 1,086\n"
            "2007 | 66 | 4,985 | 33,010 | 915\nTotal | 119 | 15,338 | 105,934 | 3,220\n"
            "Under the Clery Act, 2007 was the year colleges reported the most crimes of all kinds, 41 in 100 of them.")
    asked = _best_sentences(parse_question("Under the Clery Act, how many robberies were reported in 2007?"), text, "Campus Attacks")
    assert asked[0].startswith("2007 | 66"), asked[:3]
    other = _best_sentences(parse_question("How many robberies were reported in 2009?"), text, "Campus Attacks")
    assert not other[0][:4].isdigit(), other[:3]


def test_people_counted_for_what_befell_them_are_not_counted_for_anything_else() -> None:
    """'How many students were killed' is not answered by '10,000 students or more' enrolled: the
    count must come with what befell them, before it or after."""
    killed = parse_question("How many students were killed in campus attacks between 2000 and 2008?")
    assert not holds_unit(killed, "Campuses with enrollment levels of 10,000 students or more represented 12 percent.")
    assert holds_unit(killed, "In those attacks 79 students were killed and 41 injured.")
    assert holds_unit(killed, "The attackers killed 12 students and injured five.")
    assert holds_unit(parse_question("How many students are enrolled?"), "10,000 students or more")


def test_a_province_the_story_names_keeps_the_answer_in_a_document_about_it() -> None:
    national = ("Thủ tục cấp phép hoạt động trong phạm vi bảo vệ đê điều. "
                "Bước 2: Trong thời hạn 02 ngày làm việc, kể từ ngày nhận được hồ sơ đầy đủ, hợp lệ, cơ quan thẩm định trả kết quả.")
    provincial = ("Danh mục thủ tục hành chính của tỉnh Nghệ An. "
                  "Cấp giấy chứng nhận thủy sản xuất khẩu: trả kết quả trong 04 ngày làm việc kể từ ngày nhận đủ hồ sơ.")
    first = Chunk("c1", "d1", "qd-494.docx", "Quyết định 494/QĐ-BNNMT", "", 0, 0, len(national), national, "h")
    second = Chunk("c2", "d2", "qd-80.pdf", "Quyết định 80/QĐ-UBND", "", 0, 0, len(provincial), provincial, "h2")
    lexical = LexicalIndex([first, second])
    question = parse_question("Công ty tôi xuất khẩu tôm, cần xin giấy chứng nhận ở Nghệ An. Nộp đủ hồ sơ thì bao lâu có kết quả?")
    assert question.story and not question.name_pairs, "the province is named in the story only"
    draft = answer_extractively(question, _retrieved([first, second]), lexical, 0.0, 1)
    assert "04 ngày làm việc" in draft.text and "02 ngày" not in draft.text, draft.text


def test_a_reference_a_date_or_a_time_of_day_is_no_quantity() -> None:
    from qa.answer.extractive import holds_wanted_value

    planes = parse_question("How many Boeing 737 MAX airplanes worldwide would the FAA's proposed AD cover?")
    assert not holds_wanted_value(planes, "The FAA proposes to supersede AD 2018–23–51, which applies to all Model 737–8 and "
                                          "737–9 (737 MAX) airplanes.")
    assert holds_wanted_value(planes, "The FAA estimates that this proposed AD affects 73 airplanes of U.S. registry.")
    trusts = parse_question("How many NHS trusts were put into special measures in July 2013?")
    assert holds_wanted_value(trusts, "An update on progress made at 11 NHS trusts that were put into special measures.")
    repealed = parse_question("Quyết định 325/QĐ-UBND bãi bỏ bao nhiêu thủ tục hành chính cấp tỉnh?")
    assert holds_wanted_value(repealed, "2. Bãi bỏ 13 TTHC cấp tỉnh đã công bố tại Quyết định số 178/QĐ-UBND.")
    guarantee = parse_question("What was the value of the guarantee offered to the Mersey Gateway Bridge?")
    assert not holds_wanted_value(guarantee, "16 June 2014 12:15pm added Trafford Power CCGT; updated Mersey Gateway Bridge")
    assert holds_wanted_value(guarantee, "A guarantee of £1.2 billion was signed for the Mersey Gateway Bridge.")


def test_each_ask_of_a_two_part_question_gets_its_value_in_its_own_unit() -> None:
    text = ("Điều 1. Cơ cấu tổ chức bộ máy của Sở Xây dựng.\n"
            "2. Phòng chuyên môn, nghiệp vụ và tương đương: 09 phòng\n"
            "(1) Văn phòng Sở;\n"
            "4. Giám đốc Sở chịu trách nhiệm về các phòng chuyên môn và các đơn vị sự nghiệp công lập trực thuộc.\n"
            "3. Đơn vị sự nghiệp công lập trực thuộc sở: 11 đơn vị\n")
    question = parse_question("so xay dung co bao nhieu phong chuyen mon va bao nhieu don vi su nghiep")
    assert [p.ask for p in question.parts] == ["so xay dung co bao nhieu phong chuyen mon", "bao nhieu don vi su nghiep"]
    chunk = _whole(text, "qd-605.pdf", "Quyết định 605/QĐ-UBND")
    other = "Sở Tài chính có 8 phòng."
    draft = answer_extractively(question, _retrieved([chunk]), LexicalIndex([chunk, Chunk("o", "o", "o.txt", "O", "", 0, 0,
                                len(other), other, "h")]), 0.0, 2)
    assert "09 phòng" in draft.text and "11 đơn vị" in draft.text, draft.text


def test_asked_for_a_list_a_sentence_that_lists_it_inline_is_no_title_line() -> None:
    title = "Quyết định phân cấp thực hiện nhiệm vụ thuộc thẩm quyền của Chủ tịch UBND tỉnh Lai Châu cho Sở Tư pháp"
    text = ("Quyết định này quy định việc phân cấp thực hiện nhiệm vụ thuộc thẩm quyền của Chủ tịch UBND tỉnh Lai Châu cho Sở Tư "
            "pháp trong các lĩnh vực: Công chứng, Luật sư, Đấu giá tài sản, Quản tài viên.\n"
            "c) Rà soát quy trình nội bộ giải quyết thủ tục hành chính trong các lĩnh vực phân cấp cho Sở Tư pháp.\n"
            "1. Lĩnh vực công chứng:\na) Bổ nhiệm công chứng viên;\nb) Miễn nhiệm công chứng viên;\n")
    fields = _best_sentences(parse_question("Chủ tịch UBND tỉnh Lai Châu phân cấp cho Sở Tư pháp những lĩnh vực nào?"), text, title)
    assert fields[0].startswith("Quyết định này quy định"), fields[:2]
    tasks = _best_sentences(parse_question("Trong lĩnh vực công chứng, Sở Tư pháp được phân cấp những nhiệm vụ nào?"), text, title)
    assert tasks[0] == "1. Lĩnh vực công chứng:", tasks[:2]


def test_who_holds_an_office_is_a_persons_name_not_the_office_or_a_capitalised_body() -> None:
    director = parse_question("Ai đang là Giám đốc Sở Xây dựng tỉnh Bắc Ninh theo Quyết định 605/QĐ-UBND?")
    assert director.answer_type == "person"
    assert not holds_wanted_value(director, "1. Lãnh đạo sở: Giám đốc và các Phó Giám đốc theo quy định.")
    assert not holds_wanted_value(director, "4. Giám đốc các Sở: Xây dựng, Nội vụ chịu trách nhiệm thi hành Quyết định này.")
    assert holds_wanted_value(director, "Giám đốc Sở Xây dựng: ông Nguyễn Văn Hùng.")
    assert holds_wanted_value(parse_question("Who signed it?"), "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Tống Thanh Hải")
    assert holds_wanted_value(director, "Bà Trần Thị Lan được bổ nhiệm làm Giám đốc Sở.")  # after 'Bà', a family name
    assert not holds_wanted_value(director, "Hà Nội, ngày 09 tháng 01 năm 2026")  # 'Hà' is a family name, 'Hà Nội' a city
    assert not holds_wanted_value(director, "Trường Đại học Bách khoa được giao nhiệm vụ.")  # 'Trường', not 'Trương'
    assert holds_wanted_value(parse_question("Who chairs the committee?"), "The committee is chaired by José García.")


def test_units_are_read_where_people_write_them() -> None:
    often = parse_question("Sở Tư pháp phải báo cáo theo định kỳ mấy tháng một lần?")
    assert often.answer_type == "number"
    assert holds_wanted_value(often, "Định kỳ 06 tháng một lần, Sở Tư pháp báo cáo Chủ tịch UBND tỉnh.")
    assert not holds_wanted_value(often, "b) Định kỳ báo cáo, đánh giá việc thực hiện nhiệm vụ được phân cấp;")
    share = parse_question("Under Resolution 84/NQ-HĐND, what percentage of the land rental unit price is charged?")
    assert holds_wanted_value(share, "tính bằng 20% của đơn giá thuê hàng năm", across=True)
    assert not holds_wanted_value(share, "đơn giá thuê đất là 25.000 đồng/m2", across=True)
    # A measure is asked of a passage in the other language too; 'work-hours' are hours.
    hours = parse_question("Việc sửa đổi danh sách thiết bị tối thiểu mất trung bình bao nhiêu giờ?")
    assert holds_wanted_value(hours, "revising the MEL takes an average of 90 work-hours per operator", across=True)
    assert not holds_wanted_value(hours, "The FAA estimates that 72 airplanes of U.S. registry are affected.", across=True)
    # 'At what rate' may ask an amount; 'định kỳ' with a count of things is no frequency.
    assert holds_wanted_value(parse_question("At what rate is the National Living Wage paid from April 2024?"),
                              "The National Living Wage is £11.44 an hour.")
    assert parse_question("Báo cáo định kỳ gồm bao nhiêu nội dung?").unit != often.unit
    area = parse_question("Vùng sâm Ngọc Linh của Kon Tum có quy mô bao nhiêu héc-ta?")
    assert holds_wanted_value(area, "a specialized Ngoc Linh Ginseng area with a scale of 4,500 hectares.", across=True)
    assert not holds_wanted_value(area, "Kon Tum has reduced the poverty rate to 4.31% by 2024.", across=True)
    # An English 'and' joins two words of one ask more often than two asks far apart.
    assert parse_question("How long do landlords and tenants in the private rented sector in England have to "
                          "respond when a notice is served?").parts == ()
    # The second ask of a Vietnamese question ends with its question word, however far away.
    assert len(parse_question("Vùng sâm Ngọc Linh của Kon Tum quy mô bao nhiêu héc-ta, và tỷ lệ hộ nghèo "
                              "của Kon Tum năm 2024 là bao nhiêu?").parts) == 2


def test_a_documents_closing_and_a_posts_byline() -> None:
    text = ("Điều 3. Sở Tư pháp thực hiện các nhiệm vụ được phân cấp tại Điều 1.\n"
            "Nơi nhận:\n- Như Điều 3;\n- Bộ Tư pháp;\n- Các sở, ban, ngành tỉnh; - Văn phòng UBND tỉnh: V, C.\n"
            "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Tống Thanh Hải\n")
    chunk = _whole(text, "qd.docx", "Quyết định phân cấp")
    lexical = LexicalIndex([chunk])
    found = {sentence[:12]: f for sentence, f in _kind_factors(
        "Cơ quan nào thực hiện các nhiệm vụ được phân cấp, Bộ Tư pháp hay các sở?", chunk, lexical).items()}
    assert found["Điều 3. Sở T"] == 1.0, found
    closing = [f for quote, f in found.items() if not quote.startswith("Điều 3")]
    assert closing and all(f < 1 for f in closing), found  # who receives and who signs it
    signed = {sentence[:12]: f for sentence, f in _kind_factors("Quyết định phân cấp này do ai ký?", chunk, lexical).items()}
    recipients = next(q for q in signed if q.startswith("- Bộ Tư"))
    assert signed[recipients] > found[recipients], signed  # unless who signed is asked
    post = ("The Obama Administration Digital Transition: Moving Forward\nJanuary 17, 2017 at 6:08 PM ET by Kori Schulman\n"
            "The Obama White House website will be available at ObamaWhiteHouse.gov, a site maintained by the National "
            "Archives and Records Administration, from January 20, 2017.\n")
    best = _best_sentences(parse_question("About the White House post on the digital transition: who wrote it?"), post,
                           "The Obama Administration Digital Transition")
    assert "Kori Schulman" in best[0], best


def test_things_counted_are_counted_in_one_cell_and_the_sentence_that_counts_them_is_read() -> None:
    question = parse_question("Quyết định 325/QĐ-UBND bãi bỏ bao nhiêu thủ tục hành chính cấp tỉnh lĩnh vực thể thao?")
    assert not holds_unit(question, "| 8 | 1.005163 | Thủ tục cấp Giấy chứng nhận đủ điều kiện kinh doanh thể thao |")
    assert holds_unit(question, "2. Bãi bỏ 13 thủ tục hành chính cấp tỉnh đã công bố tại Quyết định số 178/QĐ-UBND.")
    texts = ["II. THỦ TỤC HÀNH CHÍNH BỊ BÃI BỎ\n| 8 | 1.005163 | Thủ tục cấp Giấy chứng nhận kinh doanh thể thao môn Fitness |\n"
             "| 9 | 1.005164 | Thủ tục cấp Giấy chứng nhận kinh doanh thể thao môn Yoga |",
             "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
             "Điều 3. 2. Bãi bỏ 13 thủ tục hành chính cấp tỉnh đã công bố tại Quyết định số 178/QĐ-UBND."]
    chunks = _document_chunks(texts, "qd.docx", "325/QĐ-UBND", "Quyết định 325/QĐ-UBND")
    lexical = LexicalIndex(chunks)
    assert [r.chunk.chunk_id for r in within_best_document(question, _retrieved(chunks[:2]), lexical)] == ["c2"]
    answer = answer_extractively(question, _retrieved(chunks[:2]), lexical, 0.0, 1)
    assert answer.text.startswith("Bãi bỏ 13 thủ tục"), answer.text


def test_places_are_read_from_a_question_typed_without_diacritics() -> None:
    unmarked = parse_question("ty le phan tram thue dat o xa Muong La tinh Son La la bao nhieu?")
    assert unmarked.place_names == ("Muong La", "Son La")
    # Marked, 'quan' and 'xa' are other words: 'cơ quan Nhà nước' names no place.
    assert parse_question("Cơ quan Nhà nước nào ở xã Mường La cấp phép?").place_names == ("Mường La",)


def test_an_item_asked_for_brings_the_sentence_that_announces_its_list_without_a_colon() -> None:
    assert not _ANNOUNCES_ITEMS.search(fold("Điều 5. UBND cấp xã tổ chức thu gom rác thải sinh hoạt."))  # 'thu gom' collects
    text = ("Hình thức kiểm tra gồm 02 (hai) bài kiểm tra trắc nghiệm trên máy tính.\n"
            "a) Bài kiểm tra thứ nhất về pháp luật về Thừa phát lại.\nb) Bài kiểm tra thứ hai về kỹ năng hành nghề.\n")
    chunk = Chunk("c", "d", "s", "t", "", 0, 0, len(text), text, "h")
    start = text.index("a) Bài")
    end = text.index("\nb)")
    assert quoted_unit(chunk, start, end, True)[0] == [
        "Hình thức kiểm tra gồm 02 (hai) bài kiểm tra trắc nghiệm trên máy tính.",
        "a) Bài kiểm tra thứ nhất về pháp luật về Thừa phát lại.", "b) Bài kiểm tra thứ hai về kỹ năng hành nghề."]


def test_a_short_ask_that_leans_on_its_story_still_says_which_sentence_answers() -> None:
    question = parse_question("Our charity wants to respond to Defra's 2014 consultation on the planned changes to the "
                              "EU pet travel scheme. When does the consultation close?")
    assert set(question.leaning_terms) == {"consult", "close"} and not question.story
    page = ("We want to know what you think about how we plan to implement changes to the EU pet travel scheme from "
            "29 December 2014.\nThis consultation closes at 14 September 2014 11:45pm.\n")
    assert _best_sentences(question, page, "Pet travel: planned changes to the EU scheme")[0].startswith("This consultation closes")


_HEALTH_WORKER_ROWS = [
    "Nghị quyết 73/2025/NQ-HĐND quy định chính sách hỗ trợ cho người làm việc tại trạm y tế.",
    "Điều 2. Chính sách hỗ trợ tiền lương\n1. Hỗ trợ cho bác sĩ (y khoa, y học cổ truyền): lương 9.000.000 đồng/người/tháng.",
    "Các bác sĩ đang tham gia chương trình thực hành tại bệnh viện được hỗ trợ theo quy định riêng.",
    "2. Hỗ trợ cho điều dưỡng, hộ sinh, y sĩ: lương 7.000.000 đồng/người/tháng và các khoản đóng bảo hiểm xã hội.",
]
# Rows the ask's own words find before the doctors' row.
_MORE_PAY_ROWS = [
    "Điều 3. Kinh phí hỗ trợ lương hằng tháng cho người làm việc tại trạm y tế do ngân sách thành phố bảo đảm.",
    "Điều 4. Người đã nghỉ hưu làm việc tại trạm y tế được hỗ trợ lương mỗi tháng theo hợp đồng lao động.",
    "Điều 5. Mức hỗ trợ lương một tháng được điều chỉnh khi Nhà nước điều chỉnh lương cơ sở; thì hỗ trợ lương theo mức mới.",
    "Điều 6. Hỗ trợ lương theo Nghị quyết 73/2025/NQ-HĐND được chi trả hằng tháng cùng kỳ lương.",
]


def test_a_question_names_the_member_of_a_group_it_asks_about_not_the_council_that_issued_its_document() -> None:
    asked = parse_question("Under HCMC People's Council Resolution 73/2025/NQ-HĐND, how much do retired pharmacists get?")
    assert asked.siblings == {("health worker", "duoc si"), ("province", "ho chi minh")}
    # Nor the council of a citation with its date, nor the province of the asker's story.
    cited = parse_question("Tôi quê Nghệ An. Theo Nghị quyết 73/2025/NQ-HĐND ngày 10/12/2025 của HĐND TP.HCM, điều dưỡng được hỗ trợ bao nhiêu?")
    assert cited.siblings == {("health worker", "dieu duong"), ("province", "ho chi minh")}
    assert parse_question("Theo Nghị quyết 73/2025/NQ-HĐND của HĐND TP.HCM, điều dưỡng được hỗ trợ bao nhiêu?").siblings == {
        ("health worker", "dieu duong"), ("province", "ho chi minh")}
    assert parse_question("Tổng mức chi xây dựng nghị quyết của Hội đồng nhân dân tỉnh là bao nhiêu?").siblings == {("council", "hdnd")}
    # Asked which body, the council the ask names is where to look, not what to match.
    assert parse_question("Cơ quan nào của UBND tỉnh thực hiện thủ tục này?").siblings == frozenset()


def test_a_sibling_s_row_is_no_answer_and_the_asked_member_s_row_is_read_from_the_document() -> None:
    # Retrieval found the nurses' row and a chunk that only mentions doctors, not the doctors' row.
    chunks = _document_chunks(_HEALTH_WORKER_ROWS, "nq73.pdf", "73/2025/NQ-HĐND", "Nghị quyết 73/2025/NQ-HĐND")
    pharmacist = answer_extractively(parse_question(
        "Theo Nghị quyết 73/2025/NQ-HĐND, dược sĩ làm việc tại trạm y tế được hỗ trợ lương bao nhiêu mỗi tháng?"),
        _retrieved([chunks[3], chunks[2], chunks[0]]), LexicalIndex(chunks), 0.0, 1)
    assert pharmacist.refused, pharmacist.text
    doctor = parse_question(
        "Tôi là bác sĩ y học cổ truyền đã nghỉ hưu. Theo Nghị quyết 73/2025/NQ-HĐND thì được hỗ trợ lương bao nhiêu một tháng?")
    # Among rows the ask's own words find first, the doctors' row is read for the member it names.
    chunks = _document_chunks([*_HEALTH_WORKER_ROWS, *_MORE_PAY_ROWS], "nq73.pdf", "73/2025/NQ-HĐND", "Nghị quyết 73/2025/NQ-HĐND")
    found = within_best_document(doctor, _retrieved([chunks[3], chunks[2], chunks[0]]), LexicalIndex(chunks))
    assert "c1" in [r.chunk.chunk_id for r in found]
    chunks = _document_chunks([*_HEALTH_WORKER_ROWS, *_MORE_PAY_ROWS[:2]], "nq73.pdf", "73/2025/NQ-HĐND", "Nghị quyết 73/2025/NQ-HĐND")
    answer = answer_extractively(doctor, _retrieved([chunks[3], chunks[2], chunks[0]]), LexicalIndex(chunks), 0.0, 1)
    assert not answer.refused and "9.000.000" in answer.text and "7.000.000" not in answer.text.split("[1]")[0], answer.text


def test_a_committee_chairman_s_spending_cap_does_not_answer_for_the_council() -> None:
    text = ("Nghị quyết quy định mức chi của tỉnh Vĩnh Long.\nĐiều 2. Mức chi\n"
            "1. Tổng mức chi xây dựng quyết định quy phạm pháp luật của Chủ tịch Ủy ban\n"
            "nhân dân tỉnh là 40.000.000 đồng/01 văn bản.")
    draft = _answer_from(parse_question("Tổng mức chi xây dựng nghị quyết quy phạm pháp luật của HĐND tỉnh Vĩnh Long là bao nhiêu?"),
                         text, "Nghị quyết 48/2025/NQ-HĐND", "Luật ngân sách nhà nước quy định chi thường xuyên.")
    assert draft.refused, draft.text
    asked_right = _answer_from(parse_question("Tổng mức chi xây dựng quyết định quy phạm pháp luật của Chủ tịch UBND tỉnh là bao nhiêu?"),
                               text, "Nghị quyết 48/2025/NQ-HĐND", "Luật ngân sách nhà nước quy định chi thường xuyên.")
    assert "40.000.000" in asked_right.text, asked_right.text


_PROCEDURE_ROWS = [
    "Quyết định 145/QĐ-UBND công bố danh mục thủ tục hành chính lĩnh vực việc làm.",
    "| 1 | Cấp giấy phép hoạt động dịch vụ việc làm cho doanh nghiệp, thủ tục giải quyết tại tỉnh Gia Lai |\n"
    "2.002824.H21 | 05 ngày làm việc | - Trực tiếp đến Trung tâm |",
    "| 2 | Cấp lại Giấy phép hoạt động dịch vụ việc làm của doanh nghiệp\n"
    "2.002825.H21 | - 03 ngày làm việc, kể từ ngày nhận được hồ sơ đề nghị cấp lại Giấy phép hợp lệ |",
    "| 3 | Gia hạn Giấy phép hoạt động dịch vụ việc làm của doanh nghiệp\n"
    "2.002826.H21 | 04 ngày làm việc | - Trực tiếp hoặc qua đường bưu điện |",
]


def test_a_procedure_row_answers_for_its_own_action_on_a_licence_not_a_sibling_s() -> None:
    chunks = _document_chunks(_PROCEDURE_ROWS, "qd145.pdf", "145/QĐ-UBND", "Quyết định 145/QĐ-UBND")
    lexical = LexicalIndex(chunks)
    assert ("licence action", "thu hoi") in parse_question("How long does Gia Lai take to revoke an employment services licence?").siblings
    # Retrieval ranked the re-issuing row first; the extension's row, whose value is on its second
    # line, answers a question about extending.
    extend = answer_extractively(parse_question(
        "Ở Gia Lai, thủ tục gia hạn giấy phép hoạt động dịch vụ việc làm của doanh nghiệp giải quyết trong bao nhiêu ngày?"),
        _retrieved([chunks[2], chunks[3]]), lexical, 0.0, 1)
    assert extend.text.startswith("| 3 | Gia hạn") and "04 ngày làm việc" in extend.text.split("[3]")[0], extend.text
    # The issuing row is read from the document, though retrieval found only the re-issuing row.
    issue = answer_extractively(parse_question(
        "Ở Gia Lai, thủ tục cấp giấy phép hoạt động dịch vụ việc làm cho doanh nghiệp giải quyết trong bao lâu?"),
        _retrieved([chunks[2]]), lexical, 0.0, 1)
    assert issue.text.startswith("| 1 | Cấp giấy phép") and "05 ngày làm việc" in issue.text.split("[3]")[0], issue.text
    revoke = answer_extractively(parse_question(
        "Ở Gia Lai, thủ tục thu hồi giấy phép hoạt động dịch vụ việc làm giải quyết trong bao nhiêu ngày?"),
        _retrieved([chunks[2], chunks[3]]), lexical, 0.0, 1)
    assert revoke.refused, revoke.text


def test_the_row_naming_what_was_asked_answers_from_its_line_that_holds_the_value() -> None:
    chunks = _document_chunks(_PROCEDURE_ROWS, "qd145.pdf", "145/QĐ-UBND", "Quyết định 145/QĐ-UBND")
    lexical = LexicalIndex(chunks)
    question = parse_question("Thủ tục gia hạn giấy phép giải quyết trong bao nhiêu ngày?")
    found = _candidates(question, question_weights(question, lexical.idf), _retrieved([chunks[3]]), lexical)
    naming = sorted((c for c in found if names_what_was_asked(question, c, frozenset({"licence action"}))),
                    key=lambda c: c.chunk.slice(c.start, c.end)[0] != "|")
    # The opening line first, as when it scores higher: the value is on the row's next line.
    assert [c.chunk.slice(c.start, c.end)[:5] for c in naming] == ["| 3 |", "2.002"]
    # Only the opening line reaches the floor, as when it shares more of the question's words.
    opening, value = dataclasses.replace(naming[0], score=1.0), dataclasses.replace(naming[1], score=0.2)
    chosen = _passage_naming_what_was_asked(question, [opening, value], frozenset({"licence action"}), 0.5)
    assert chosen is not None and "04 ngày làm việc" in chosen.chunk.slice(chosen.start, chosen.end)


def test_a_value_for_another_year_does_not_answer_for_the_year_asked() -> None:
    only_2011 = "Notice 1036 updates the withholding tables. The 2011 social security wage base limit is $106,800."
    asked = parse_question("What was the social security wage base limit for 2010, the year before Notice 1036?")
    assert asked.siblings == {("year", "2010")}
    assert _answer_from(asked, only_2011, "Notice 1036", "Other text about payroll.").refused
    both = only_2011 + " The 2010 social security wage base limit was $106,000."
    answer = _answer_from(asked, both, "Notice 1036", "Other text about payroll.")
    assert "$106,000" in answer.text.split("[1]")[0], answer.text
    # A range, a horizon and the year of a cited document name no one year a value is asked for.
    assert parse_question("How many students were killed between 2000 and 2008?").siblings == frozenset()
    assert parse_question("Which resolution guides the province's development to 2030?").siblings == frozenset()
    assert parse_question("Theo Quyết định 241/QĐ-UBND năm 2026, phí thẩm định là bao nhiêu?").siblings == frozenset()


def test_a_figure_said_of_another_province_does_not_answer_for_the_province_asked() -> None:
    text = ("Kon Tum province has reduced the poverty rate to 4.31% by 2024, an average reduction of 3-4%/year. "
            "The delegation then travelled on to Quang Ngai.")
    asked = parse_question("What was Quang Ngai province's poverty rate in 2024?")
    assert ("province", "quang ngai") in asked.siblings
    assert _answer_from(asked, text, "Working session", "Other news about trade.").refused
    answered = _answer_from(parse_question("What was Kon Tum province's poverty rate in 2024?"), text, "Working session",
                            "Other news about trade.")
    assert "4.31%" in answered.text, answered.text


def test_a_rate_for_another_kind_of_land_does_not_answer_for_the_kind_asked() -> None:
    texts = ["Nghị quyết quy định tỷ lệ phần trăm tính đơn giá thuê đất trên địa bàn tỉnh Lâm Đồng.",
             "1. Mức tỷ lệ phần trăm (%) tính đơn giá thuê đất hằng năm đối với đất nông nghiệp là: 0,5%.",
             "2. Mức tỷ lệ phần trăm (%) tính đơn giá thuê đất hằng năm đối với các phường là: 1,2%.",
             "3. Đất trong khu công nghiệp, thuê đất trả tiền hằng năm: tỷ lệ phần trăm tính đơn giá thuê đất là 1%."]
    chunks = _document_chunks(texts, "nq84.pdf", "84/NQ-HĐND", "Nghị quyết 84/NQ-HĐND")
    lexical = LexicalIndex(chunks)
    water = answer_extractively(parse_question(
        "Theo Nghị quyết 84/NQ-HĐND, tỷ lệ phần trăm tính đơn giá thuê đất hằng năm đối với đất có mặt nước là bao nhiêu?"),
        _retrieved([chunks[1], chunks[2]]), lexical, 0.0, 1)
    assert water.refused, water.text
    park = answer_extractively(parse_question(
        "Công ty tôi thuê đất trong một khu công nghiệp ở Lâm Đồng. Tỷ lệ phần trăm tính đơn giá thuê đất hằng năm là bao nhiêu?"),
        _retrieved([chunks[1], chunks[2], chunks[3]]), lexical, 0.0, 1)
    assert park.text.startswith("3. Đất trong khu công nghiệp"), park.text


def test_a_date_broken_across_a_pdf_line_is_still_a_date() -> None:
    sentence = "Employers should implement the 2011 withholding\ntables as soon as possible, but not later than January\n31, 2011."
    asked = parse_question("Theo IRS Notice 1036, người sử dụng lao động phải áp dụng bảng khấu trừ thuế năm 2011 chậm nhất vào ngày nào?")
    assert asked.wants_day and holds_wanted_value(asked, sentence, "", True)
    assert holds_wanted_value(asked, "not later than May\n31, 2011.", "", True)
    assert not holds_wanted_value(asked, "Employers apply the tables in March\n2. Each employer must file.", "", True), (
        "a list item's number after a line break is no day")
    # Nor is the day of such a date a quantity.
    assert not holds_wanted_value(parse_question("How many tables are attached?"), "They were released on March\n15.")


def test_words_that_fold_like_a_member_name_none() -> None:
    """Folded, 'hồ sinh thái' reads as 'hộ sinh', 'mất nước' as 'mặt nước', 'các cấp, các ngành' as
    issuing, 'thu hồi đất' as revoking; 'renewable' is no renewal, '2000 đồng' no year, and 'hòa
    bình' (peace) no province."""
    for text in ("Khu du lịch hồ sinh thái bị mất nước.", "Sở Nông nghiệp và các cấp, các ngành phải thu hồi đất.",
                 "Renewable energy and extended hours.", "Chi 2000 đồng cho 2015 người."):
        assert siblings_named(text) == frozenset(), text
    assert siblings_named("Giữ vững hòa bình, tỉnh Kon Tum tăng trưởng 9%.") == {("province", "kon tum")}
    assert siblings_named("Cấp, gia hạn, cấp lại chứng chỉ hành nghề") == {
        ("licence action", "cap giay"), ("licence action", "gia han"), ("licence action", "cap lai")}
    # A passage speaks of every year of its range; a question asks of none.
    assert years_named("crimes reported from 2005 through 2008") == {"2005", "2008"}
    assert years_named("crimes reported from 2005 through 2008", spans=False) == frozenset()
    assert years_named("Theo Luật Đất đai 2024 và Thông tư số 110/2025/TT-BTC ngày 19/11/2025, năm 2014") == {"2014"}


def test_a_row_naming_the_asked_member_beside_others_answers_when_none_names_it_alone() -> None:
    texts = ["Nghị quyết 73/2025/NQ-HĐND quy định chính sách hỗ trợ tại trạm y tế.",
             "1. Hỗ trợ cho điều dưỡng, hộ sinh, y sĩ: lương 7.000.000 đồng/người/tháng.",
             "2. Hỗ trợ cho bác sĩ, dược sĩ: lương 9.000.000 đồng/người/tháng."]
    chunks = _document_chunks(texts, "nq73.pdf", "73/2025/NQ-HĐND", "Nghị quyết 73/2025/NQ-HĐND")
    answer = answer_extractively(parse_question(
        "Theo Nghị quyết 73/2025/NQ-HĐND, dược sĩ làm việc tại trạm y tế được hỗ trợ lương bao nhiêu mỗi tháng?"),
        _retrieved([chunks[1], chunks[2]]), LexicalIndex(chunks), 0.0, 1)
    assert "9.000.000" in answer.text.split("[1]")[0], answer.text


def test_a_row_longer_than_a_chunk_brings_its_opening_from_the_chunk_before() -> None:
    row = ("1 | Thủ tục cấp giấy phép kinh doanh dịch vụ karaoke | 10 ngày làm việc | 1.000.000 đồng/phòng, không quá "
           "6.000.000 đồng/Giấy phép | Thông tư số 110/2025/TT-BTC quy định mức thu, nộp phí thẩm định karaoke. | Có")
    text = "STT | Tên thủ tục | Thời gian | Phí, lệ phí | Căn cứ | Ghi chú\n" + row + "\nTexas | 21,550 | 56,941 | 51,670 | | Có"
    cut = text.index("nộp phí thẩm định karaoke")  # the row's tail opens the next chunk, mid-line
    first = Chunk("c0", "d", "qd.docx", "t", "", 0, 0, cut, text[:cut], "h")
    second = Chunk("c1", "d", "qd.docx", "t", "", 1, cut, len(text), text[cut:], "h", table_header=text[: text.index("\n")])
    quotes, _ = quoted_unit(second, cut, text.index("\nTexas"), reader=Around(text, first, second))
    assert any(q.startswith("1 | Thủ tục cấp giấy phép kinh doanh dịch vụ karaoke") and "6.000.000" in q for q in quotes), quotes
    # A chunk that opens on a row of its own (a state's, with no number) reads nothing back.
    own_line = text.index("Texas |")
    third = Chunk("c2", "d", "qd.docx", "t", "", 1, own_line, len(text), text[own_line:], "h", table_header=text[: text.index("\n")])
    quotes, _ = quoted_unit(third, own_line, len(text), reader=Around(text, first, third))
    assert not any("karaoke" in q for q in quotes), quotes
