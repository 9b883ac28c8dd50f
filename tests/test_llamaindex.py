"""The pipeline as LlamaIndex components, with the scripted OpenAI-compatible server as the LLM."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.llms import CompletionResponse, CompletionResponseGen, CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.query_engine import RetrieverQueryEngine

from qa import REFUSAL, Assistant, Settings
from qa.llamaindex import LlamaIndexModel, PolicyQueryEngine, PolicyRetriever
from tests.conftest import ROOT
from tests.fake_llm import ScriptedLLM

CLUSTERS = "How many industrial clusters are planned in Khanh Hoa and with what total area?"


class OpenAICompatibleLLM(CustomLLM):
    """A LlamaIndex LLM for an OpenAI-compatible server through the real openai client. LlamaIndex's
    own OpenAILike cannot be installed here: llama-index-llms-openai requires openai<3."""

    base_url: str
    model: str = "scripted"

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name=self.model)

    def _client(self) -> Any:
        import openai

        return openai.OpenAI(base_url=self.base_url, api_key="not-needed", max_retries=0, timeout=10)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        reply = self._client().chat.completions.create(model=self.model, messages=[{"role": "user", "content": prompt}])
        return CompletionResponse(text=reply.choices[0].message.content or "")

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        events = self._client().chat.completions.create(model=self.model, messages=[{"role": "user", "content": prompt}], stream=True)
        text = ""
        for event in events:
            delta = event.choices[0].delta.content if event.choices else None
            if delta:
                text += delta
                yield CompletionResponse(text=text, delta=delta)


def answerable_sample_questions() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (ROOT / "evals" / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["answerable"]]


def test_default_path_never_imports_llama_index(sample_index: Path) -> None:
    script = f"""
import sys
from qa.cli import main
sys.argv = ["qa", "--index-dir", {str(sample_index)!r}, "ask", {CLUSTERS!r}]
try:
    main()
except SystemExit:
    pass
from qa import Assistant, Settings
from ui.server import create_server
create_server(Assistant(Settings(index_dir={str(sample_index)!r})))
print("LOADED", sorted(m for m in sys.modules if m.startswith("llama_index.")))
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert "669 hectares" in run.stdout, run.stderr[-2000:]
    assert "LOADED []" in run.stdout


def test_retriever_nodes_index_the_stored_text_exactly(sample_assistant: Assistant) -> None:
    nodes = PolicyRetriever(sample_assistant).retrieve(CLUSTERS)
    assert len(nodes) == sample_assistant.settings.top_k
    assert nodes[0].node.metadata["source"].endswith("khanh-hoa-industrial-clusters.txt")
    for hit in nodes:
        meta = hit.node.metadata
        text = sample_assistant.store.document_text(meta["doc_id"])
        assert text[meta["start"] : meta["end"]] == hit.node.get_content()
        assert (hit.node.start_char_idx, hit.node.end_char_idx) == (meta["start"], meta["end"])  # type: ignore[attr-defined]
        assert {"title", "page", "path"} <= set(meta) and hit.score is not None
    # What an LLM reads: the text with its title and path, not the offsets.
    shown = nodes[0].node.get_content(metadata_mode="llm")  # type: ignore[arg-type]
    assert "title:" in shown and "start:" not in shown


def test_retriever_query_engine_answers_the_sample_questions(sample_assistant: Assistant, llm: ScriptedLLM) -> None:
    engine = RetrieverQueryEngine.from_args(PolicyRetriever(sample_assistant), llm=OpenAICompatibleLLM(base_url=llm.url))
    questions = answerable_sample_questions()
    found = 0
    for i, row in enumerate(questions):
        llm.enqueue(f"scripted reply {i}")
        response = engine.query(row["question"])
        assert isinstance(response, Response) and response.response == f"scripted reply {i}"
        prompt = llm.requests[-1]["body"]["messages"][-1]["content"]
        assert row["question"] in prompt
        for node in response.source_nodes:
            meta = node.node.metadata
            assert sample_assistant.store.document_text(meta["doc_id"])[meta["start"] : meta["end"]] in prompt
        # Every fact of the question (any of its spellings) reached the LLM in the retrieved context.
        found += all(any(spelling in prompt for spelling in fact) for fact in row["facts"])
    assert len(llm.requests) == len(questions)
    assert found / len(questions) >= 0.9, f"facts reached the LLM for {found} of {len(questions)} questions"


def test_query_engine_sources_are_the_citations(sample_assistant: Assistant) -> None:
    engine = PolicyQueryEngine(assistant=sample_assistant)
    response = engine.query(CLUSTERS)
    assert "669 hectares" in str(response) and response.metadata and response.metadata["refused"] is False
    assert [n.node.metadata["n"] for n in response.source_nodes] == list(range(1, len(response.source_nodes) + 1))
    for node in response.source_nodes:
        meta = node.node.metadata
        assert sample_assistant.store.document_text(meta["doc_id"])[meta["start"] : meta["end"]] == node.node.get_content()
        assert meta["source"].endswith("khanh-hoa-industrial-clusters.txt") and "path" in meta and "page" in meta
    refused = engine.query("What is the population of Hanoi?")
    assert str(refused) == REFUSAL and refused.source_nodes == [] and refused.metadata and refused.metadata["refused"]


def test_a_llamaindex_llm_gets_the_same_checks(sample_index: Path, embedder, llm: ScriptedLLM) -> None:
    model = LlamaIndexModel(OpenAICompatibleLLM(base_url=llm.url))
    assistant = Assistant(Settings(index_dir=sample_index, top_k=8), embedder=embedder, model=model)
    llm.enqueue("The plan has 14 industrial clusters [1][12]. The budget is 98,765 billion VND [1].")
    answer = assistant.ask("How many industrial clusters are planned in Khanh Hoa?")
    assert answer.backend == "llm:scripted"
    assert "[12]" not in answer.answer and [c.n for c in answer.citations] == [1], "a source never given is dropped"
    flagged = [s for s in answer.unsupported]
    assert len(flagged) == 1 and "98,765" in flagged[0].missing, "an invented number is flagged"
    assert re.search(r'<source n="1"', llm.requests[-1]["body"]["messages"][-1]["content"])

    llm.enqueue(REFUSAL)  # the model's refusal (a question the refusal gate lets through to it)
    assert assistant.ask("How many industrial clusters are planned in Khanh Hoa?").refused
    assert not llm.replies

    llm.enqueue("There will be 14 industrial clusters [1].")
    parts = list(assistant.ask_stream("How many industrial clusters are planned in Khanh Hoa?"))
    assert len(parts) > 3 and parts[-1].citations  # type: ignore[union-attr]
    assert llm.requests[-1]["body"]["stream"] is True

    # A failing server: the extractive answer stands in, and says why.
    fallback = assistant.ask("How many industrial clusters are planned in Khanh Hoa?")
    assert fallback.backend == "extractive" and "failed" in fallback.notice
