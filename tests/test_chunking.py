from hypothesis import given, settings
from hypothesis import strategies as st

from qa.ingest.chunking import chunk_document, count_tokens
from qa.ingest.registry import Limits, load
from qa.types import LoadedDocument
from tests.conftest import SAMPLE

words = st.sampled_from(["Nghị", "quyết", "544-KL/TU", "cluster", "hectares.", "4,440", "\n", "\n\n", "Khanh", "Hoa:", "a"])


@settings(max_examples=60, deadline=None)
@given(st.lists(words, min_size=1, max_size=400), st.integers(32, 120), st.integers(0, 31))
def test_chunks_are_exact_slices_and_cover_all_text(parts: list[str], size: int, overlap: int) -> None:
    text = " ".join(parts)
    if not text.strip():
        return
    doc = LoadedDocument(text, "t")
    chunks = chunk_document(doc, "d", "s", "h" * 16, size, overlap)
    covered: set[int] = set()
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        covered.update(range(chunk.start, chunk.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts)), "chunks must move forward"


def test_sample_chunks_respect_token_budget_and_keep_sections() -> None:
    doc = load(SAMPLE / "khanh-hoa-industrial-clusters.txt", Limits(10**7))
    chunks = chunk_document(doc, "d", "s", "h" * 16, 120, 20)
    assert len(chunks) > 3
    assert all(count_tokens(c.text) <= 120 for c in chunks)
    assert any(c.section == "Drawing secondary investors" for c in chunks)
    assert doc.title == "Speeding up infrastructure investment in industrial clusters"


def test_titles_skip_letterheads_and_bullets() -> None:
    conclusion = load(SAMPLE / "khanh-hoa-ket-luan-544-KL-TU-2024.txt", Limits(10**7)).title
    assert conclusion.startswith("KET LUAN CUA BAN THUONG VU TINH UY") and len(conclusion) <= 150
    assert load(SAMPLE / "ninh-binh-merger-workshop.txt", Limits(10**7)).title.startswith("Building the new Ninh Binh")


def test_a_sentence_longer_than_a_chunk_is_cut_at_a_clauses_end() -> None:
    from qa.ingest.chunking import _split_long
    from qa.text import Span

    clause = "người được tuyển dụng vào công chức có thời gian công tác có đóng bảo hiểm xã hội bắt buộc, "
    text = "Thời gian công tác được tính khi " + clause * 30 + "kể cả thời gian tập sự."
    pieces = _split_long(text, Span(0, len(text)), 220)
    assert len(pieces) > 3
    for piece in pieces[1:]:
        assert text[piece.start :].startswith("người được tuyển dụng"), text[piece.start : piece.start + 30]
