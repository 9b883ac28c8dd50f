"""Every answer path keeps the citation invariants, and the checker sees an off-by-one on any of them.

The paths: extractive, metadata (issue dates), generated, and streamed (generated and extractive).
Each is run healthy (no violations), then with its citation offsets shifted by one character while
the quote stays the same, which the checker must report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import qa.answer.citations as citations_module
from qa import Answer, Assistant, Settings
from qa.answer import extractive, from_metadata, grounding
from qa.answer.invariants import violations
from qa.results import Citation
from qa.types import Chunk
from tests.fake_llm import ScriptedLLM

CLUSTERS = "How many industrial clusters are planned in Khanh Hoa and with what total area?"


def _generated(sample_index: Path, embedder, llm: ScriptedLLM) -> Assistant:
    settings = Settings(index_dir=sample_index, llm_base_url=llm.url, llm_model="scripted", llm_timeout=2, llm_retries=0)
    return Assistant(settings, embedder=embedder)


def _final(parts: Iterator[str | Answer]) -> Answer:
    answers = [p for p in parts if isinstance(p, Answer)]
    assert len(answers) == 1
    return answers[0]


def _shifted(cite: Callable[..., Citation]) -> Callable[..., Citation]:
    def off_by_one(n: int, chunk: Chunk, start: int, end: int, score: float) -> Citation:
        citation = cite(n, chunk, start, end, score)
        return citation.model_copy(update={"start": citation.start + 1, "end": citation.end + 1})

    return off_by_one


PATHS = ["extractive", "metadata", "generated", "streamed-generated", "streamed-extractive"]
# Which module's reference to the one Citation builder each path goes through.
BUILDER_OF = {"extractive": extractive, "metadata": from_metadata, "generated": grounding,
              "streamed-generated": grounding, "streamed-extractive": extractive}


def _answer(path: str, sample_assistant: Assistant, sample_index: Path, embedder, llm: ScriptedLLM) -> Answer:
    if path == "extractive":
        return sample_assistant.ask(CLUSTERS)
    if path == "metadata":
        return sample_assistant.ask("When was Conclusion 544-KL/TU issued?")
    if path == "streamed-extractive":
        return _final(sample_assistant.ask_stream(CLUSTERS))
    llm.enqueue("Khanh Hoa plans 14 industrial clusters [1]. They cover 669 hectares [1].")
    generated = _generated(sample_index, embedder, llm)
    return generated.ask(CLUSTERS) if path == "generated" else _final(generated.ask_stream(CLUSTERS))


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_path_keeps_the_invariants(
    path: str, sample_assistant: Assistant, sample_index: Path, embedder, llm: ScriptedLLM
) -> None:
    answer = _answer(path, sample_assistant, sample_index, embedder, llm)
    assert not answer.refused and answer.citations, answer
    if path == "metadata":
        assert "issued on 6 February 2024" in answer.answer
    assert violations(answer, sample_assistant.store) == []
    assert {"retrieve", "answer", "total"} <= answer.timings.keys(), "qa bench reads every stage's seconds"


@pytest.mark.parametrize("path", PATHS)
def test_an_off_by_one_citation_on_any_path_is_caught(
    path: str, sample_assistant: Assistant, sample_index: Path, embedder, llm: ScriptedLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BUILDER_OF[path], "cite", _shifted(citations_module.cite))
    answer = _answer(path, sample_assistant, sample_index, embedder, llm)
    assert answer.citations
    assert any("quote is not the document text" in v for v in violations(answer, sample_assistant.store))


def test_a_marker_without_a_citation_and_a_wrong_page_are_caught(sample_assistant: Assistant) -> None:
    answer = sample_assistant.ask(CLUSTERS)
    dangling = answer.model_copy(update={"answer": answer.answer + " Also [9]."})
    assert any("[9]" in v for v in violations(dangling, sample_assistant.store))
    wrong_page = answer.model_copy(update={"citations": [answer.citations[0].model_copy(update={"page": 3})]})
    assert any("page" in v for v in violations(wrong_page, sample_assistant.store))
