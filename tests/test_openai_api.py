"""The OpenAI-compatible API of `qa serve`, through the real openai client, on loopback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from qa import REFUSAL, Assistant, Settings
from qa.errors import ConfigError
from tests.conftest import ROOT
from tests.fake_llm import ScriptedLLM, start
from ui.server import CONTENT_SECURITY_POLICY, LOGIN_ATTEMPTS, BackgroundServer, check_exposure, create_server

CLUSTERS = "How many industrial clusters are planned in Khanh Hoa and with what total area?"


@pytest.fixture(scope="module")
def open_server(sample_index: Path, embedder) -> Iterator[str]:
    server = BackgroundServer(create_server(Assistant(Settings(index_dir=sample_index), embedder=embedder)))
    yield server.url
    server.close()


@pytest.fixture
def small_index(tmp_path: Path, embedder) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.md").write_text("# Harbour\n\nThe harbour fee is 12 dong per tonne.\n", encoding="utf-8")
    Assistant(Settings(index_dir=tmp_path / "idx"), embedder=embedder).ingest([docs])
    return tmp_path / "idx"


@pytest.fixture(scope="module")
def guarded_server(sample_index: Path, embedder) -> Iterator[str]:
    settings = Settings(index_dir=sample_index, ui_auth="alice:s3cret-pass")
    server = BackgroundServer(create_server(Assistant(settings, embedder=embedder)))
    yield server.url
    server.close()


def client(url: str, key: str = "unused") -> openai.OpenAI:
    return openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=60)


def test_answer_with_markers_and_structured_citations(open_server: str, sample_index: Path, embedder) -> None:
    response = client(open_server).chat.completions.create(model="qa-policy", messages=[{"role": "user", "content": CLUSTERS}])
    content = response.choices[0].message.content or ""
    assert "669 hectares" in content and "[1]" in content
    assert "\n\nSources:\n[1] Speeding up infrastructure investment in industrial clusters" in content
    citations = (response.model_extra or {})["citations"]
    assert citations and citations[0]["n"] == 1 and citations[0]["source"].endswith("khanh-hoa-industrial-clusters.txt")
    store = Assistant(Settings(index_dir=sample_index), embedder=embedder).store
    for c in citations:
        assert set(c) >= {"doc", "title", "page", "path", "quote", "start", "end"}
        assert store.document_text(c["doc"])[c["start"] : c["end"]] == c["quote"]


def test_streamed_answer_is_the_same_answer(open_server: str) -> None:
    api = client(open_server)
    whole = api.chat.completions.create(model="qa-policy", messages=[{"role": "user", "content": CLUSTERS}])
    events = list(api.chat.completions.create(model="qa-policy", messages=[{"role": "user", "content": CLUSTERS}], stream=True))
    streamed = "".join(e.choices[0].delta.content or "" for e in events if e.choices)
    assert streamed == whole.choices[0].message.content
    assert events[-1].choices[0].finish_reason == "stop"
    assert (events[-1].model_extra or {})["citations"] == (whole.model_extra or {})["citations"]


def test_the_lead_comes_first_and_what_adds_to_it_after(open_server: str) -> None:
    question = "When was the workshop on the Ninh Binh merger held?"
    content = client(open_server).chat.completions.create(
        model="qa-policy", messages=[{"role": "user", "content": question}]).choices[0].message.content or ""
    lead, _, more = content.partition("\n\nAlso in the documents: ")
    assert "[1]" in lead and "[2]" not in lead and more.startswith("Strive by 2035") and "[2]" in more


def test_refusal_when_the_documents_do_not_answer(open_server: str) -> None:
    api = client(open_server)
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "What is the population of Hanoi?"}]
    response = api.chat.completions.create(model="qa-policy", messages=messages)
    assert response.choices[0].message.content == REFUSAL
    assert (response.model_extra or {})["citations"] == [] and (response.model_extra or {})["refused"] is True
    streamed = api.chat.completions.create(model="qa-policy", messages=messages, stream=True)
    assert "".join(e.choices[0].delta.content or "" for e in streamed if e.choices) == REFUSAL


def test_earlier_turns_are_the_history(open_server: str) -> None:
    messages: list[ChatCompletionMessageParam] = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "How many industrial clusters are planned in Khanh Hoa?"},
        {"role": "assistant", "content": "14 industrial clusters [1].\n\nSources:\n[1] Speeding up ..."},
        {"role": "user", "content": [{"type": "text", "text": "And their total area?"}]},
    ]
    response = client(open_server).chat.completions.create(model="qa-policy", messages=messages)
    assert "669 hectares" in (response.choices[0].message.content or ""), "alone, this question is refused"


def test_models_and_bad_requests(open_server: str) -> None:
    api = client(open_server)
    assert [m.id for m in api.models.list()] == ["qa-policy"]
    with pytest.raises(openai.BadRequestError, match="The question is empty"):
        api.chat.completions.create(model="qa-policy", messages=[{"role": "user", "content": "   "}])
    with pytest.raises(openai.BadRequestError, match="last message must be the user"):
        api.chat.completions.create(model="qa-policy", messages=[{"role": "assistant", "content": "hello"}])


def test_login_guards_the_api(guarded_server: str) -> None:
    with pytest.raises(openai.AuthenticationError):
        client(guarded_server).chat.completions.create(model="qa-policy", messages=[{"role": "user", "content": CLUSTERS}])
    with pytest.raises(openai.AuthenticationError):
        client(guarded_server, "alice:wrong").models.list()
    answer = client(guarded_server, "alice:s3cret-pass").chat.completions.create(
        model="qa-policy", messages=[{"role": "user", "content": CLUSTERS}])
    assert "669 hectares" in (answer.choices[0].message.content or "")
    basic = httpx.get(guarded_server + "/v1/models", auth=("alice", "s3cret-pass"))
    assert basic.status_code == 200 and basic.json()["data"][0]["id"] == "qa-policy"
    assert httpx.get(guarded_server + "/v1/models").status_code == 401


def test_failed_logins_are_limited_per_client(sample_index: Path, embedder) -> None:
    settings = Settings(index_dir=sample_index, ui_auth="alice:s3cret-pass")
    server = BackgroundServer(create_server(Assistant(settings, embedder=embedder)))
    try:
        for _ in range(LOGIN_ATTEMPTS):
            assert httpx.post(server.url + "/login", data={"username": "alice", "password": "guess"}).status_code == 400
        page_login = httpx.post(server.url + "/login", data={"username": "alice", "password": "s3cret-pass"})
        assert page_login.status_code == 429 and int(page_login.headers["Retry-After"]) > 0
        assert httpx.get(server.url + "/v1/models", auth=("alice", "s3cret-pass")).status_code == 429
    finally:
        server.close()


def test_every_response_carries_the_content_security_policy(open_server: str) -> None:
    for path in ("/", "/v1/models", "/config"):
        assert httpx.get(open_server + path).headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_no_login_off_loopback_needs_read_only(sample_index: Path) -> None:
    exposed = Settings(index_dir=sample_index, ui_host="0.0.0.0")
    with pytest.raises(ConfigError, match="--read-only"):
        check_exposure(exposed, read_only=False)
    check_exposure(exposed, read_only=True)
    check_exposure(Settings(index_dir=sample_index, ui_host="0.0.0.0", ui_auth="a:b"), read_only=False)
    check_exposure(Settings(index_dir=sample_index, ui_host="::1"), read_only=False)
    run = subprocess.run([sys.executable, "-m", "qa", "--index-dir", str(sample_index), "serve", "--host", "0.0.0.0"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 1 and "QA_UI_AUTH" in run.stderr and "--read-only" in run.stderr


def test_read_only_handlers_refuse_uploads_and_deletes(small_index: Path, embedder) -> None:
    """Hidden controls can still be called: the handlers themselves refuse, with the page's own session."""
    from ui.actions import PageActions, PageSession

    assistant = Assistant(Settings(index_dir=small_index), embedder=embedder)
    doc_id = assistant.documents()[0].doc_id
    session = PageSession(token="loaded")
    page = PageActions(assistant, read_only=True)
    assert page.may_change_documents(session, None) == "read_only"
    page.ask_delete(doc_id, session, None)  # type: ignore[arg-type]
    session.pending_delete = doc_id
    result = page.confirm_delete(session, None, None, None, None)  # type: ignore[arg-type]
    assert "read-only" in result[2] and [d.doc_id for d in assistant.documents()] == [doc_id]
    assert PageActions(assistant).may_change_documents(session, None) == ""


def test_a_generated_answer_keeps_its_checks_over_the_api(sample_index: Path, embedder) -> None:
    script = ScriptedLLM()
    fake = start(script)
    settings = Settings(index_dir=sample_index, llm_base_url=script.url, llm_model="scripted", llm_retries=0, top_k=8)
    server = BackgroundServer(create_server(Assistant(settings, embedder=embedder)))
    try:
        api = client(server.url)
        question: list[ChatCompletionMessageParam] = [{"role": "user", "content": "How many industrial clusters are planned in Khanh Hoa?"}]
        script.enqueue("The plan has 14 industrial clusters [3]. The budget is 98,765 billion VND [3].")
        whole = api.chat.completions.create(model="qa-policy", messages=question)
        content = whole.choices[0].message.content or ""
        assert content.startswith("The plan has 14 industrial clusters [1].") and "[3]" not in content, "renumbered"
        assert "✗ Not supported by its sources: “The budget is 98,765 billion VND [1].” (not found: 98,765)" in content
        extra = whole.model_extra or {}
        assert [c["n"] for c in extra["citations"]] == [1]
        assert {"text": "The budget is 98,765 billion VND [1].", "missing": ["98,765"]} in extra["unsupported"]
        script.enqueue("The plan has 14 industrial clusters [3]. The budget is 98,765 billion VND [3].")
        events = list(api.chat.completions.create(model="qa-policy", messages=question, stream=True))
        assert "".join(e.choices[0].delta.content or "" for e in events if e.choices) == content
    finally:
        server.close()
        fake.shutdown()
