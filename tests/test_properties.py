"""Property tests for the parsers people's trust rests on: citations, metadata, quotes."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa import Assistant
from qa.answer.grounding import cited_numbers, renumber
from qa.ingest.anatomy import read_anatomy
from qa.text import normalize

marks = st.lists(st.integers(0, 12), min_size=0, max_size=4).map(lambda ns: "[" + ", ".join(map(str, ns)) + "]" if ns else "")
answers = st.lists(st.tuples(st.text(alphabet="abc 14.,", max_size=20), marks), max_size=8).map(
    lambda parts: "".join(t + m for t, m in parts)
)


@given(answers, st.sets(st.integers(1, 6), max_size=6))
def test_renumbered_citations_only_point_at_given_sources(text: str, valid: set[int]) -> None:
    cleaned, mapping = renumber(text, valid)
    assert set(mapping) <= valid
    assert sorted(mapping.values()) == list(range(1, len(mapping) + 1))
    assert set(cited_numbers(cleaned)) == set(mapping.values())
    assert not re.search(r"\[\s*\]", cleaned)


@given(st.text(max_size=400))
def test_metadata_spans_point_at_what_they_claim(text: str) -> None:
    text = normalize(text)
    meta = read_anatomy(text)
    if meta.doc_number:
        assert text[meta.doc_number.start : meta.doc_number.end] == meta.doc_number.value
    if meta.issued:
        assert meta.issued.end > meta.issued.start
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.issued.value)


@given(st.sampled_from(["Số 544-KL/TU\nNghị quyết 06-NQ/TU, ngày 11/01/2021", "Decision No. 123/QD-TTg dated March 5, 2023"]),
       st.text(alphabet=" \nabcXYZ.,", max_size=60))
def test_metadata_survives_noise_after_the_heading(head: str, noise: str) -> None:
    meta = read_anatomy(head + "\n" + noise)
    assert meta.doc_number is not None and meta.issued is not None


words = st.sampled_from(["How", "many", "industrial", "clusters", "Khanh", "Hoa", "Nghị", "quyết", "06-NQ/TU", "workers",
                         "hectares", "merger", "Ninh", "Binh", "population", "Kon", "Tum", "ngày", "ban", "hành"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(words, min_size=1, max_size=9))
def test_every_quote_is_its_document_slice_for_any_question(sample_assistant: Assistant, question: list[str]) -> None:
    answer = sample_assistant.ask(" ".join(question))
    for c in answer.citations:
        with open(c.source, encoding="utf-8") as handle:
            assert normalize(handle.read())[c.start : c.end] == c.quote
