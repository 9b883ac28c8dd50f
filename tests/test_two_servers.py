"""More than one machine: two `qa serve` processes, each with its own index folder, against one real
`chroma run` server. A document uploaded through either page is answered by the other within seconds,
found there by both BM25 and dense search, and a deletion through either is gone from both.

Everything goes over HTTP as a browser or a program would send it: the page's own upload and delete
(Gradio's queue, with the session the page's load event creates), the OpenAI-compatible API for
answers, and the page's `/ask` endpoint for the answer as data (its signals say which retrievers
found the passage the answer quotes).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa import Assistant, Settings
from tests.conftest import ROOT, SAMPLE, seed_vectors

CLUSTERS = SAMPLE / "khanh-hoa-industrial-clusters.txt"
CLUSTERS_QUESTION = "How many industrial clusters are planned in Khanh Hoa and with what total area?"
WORKSHOP = SAMPLE / "khanh-hoa-centrally-run-city-workshop.txt"
WORKSHOP_QUESTION = "What was the scale of Khanh Hoa's economy after the reorganization, in billion VND?"
SEEN_WITHIN = 10.0  # seconds; measured, a change shows on the other server at its next question (~0.1 s)


@dataclass
class Server:
    """One `qa serve` process: a machine with its own index folder."""

    name: str
    index_dir: Path
    url: str
    process: subprocess.Popen[str]
    http: httpx.Client
    session: str = ""

    # --- the page, as a browser drives it -------------------------------------------------------

    def _fn(self, name: str) -> tuple[int, list[int]]:
        config = self.http.get(self.url + "/config").json()
        dependency = next(d for d in config["dependencies"] if d["api_name"] == name)
        return int(dependency["id"]), list(dependency["outputs"])

    def call(self, name: str, data: list[Any]) -> dict[int, Any]:
        """Run one page event on the queue in this page's session; its outputs by component id."""
        fn_index, outputs = self._fn(name)
        joined = self.http.post(self.url + "/gradio_api/queue/join", json={
            "data": data, "fn_index": fn_index, "session_hash": self.session, "event_data": None, "trigger_id": None})
        assert joined.status_code == 200, joined.text
        with self.http.stream("GET", self.url + "/gradio_api/queue/data", params={"session_hash": self.session},
                              timeout=120) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    assert message.get("success"), message
                    return dict(zip(outputs, message["output"]["data"], strict=True))
        raise AssertionError(f"{self.name}: the event {name} never completed")

    def component(self, elem_id: str) -> int:
        config = self.http.get(self.url + "/config").json()
        return int(next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id))

    def open_page(self) -> None:
        """What loading the page does: the load event gives this session its token."""
        self.session = uuid.uuid4().hex[:12]
        self.call("on_load", ["en", "", None])

    def upload(self, path: Path) -> str:
        stored = self.http.post(self.url + "/gradio_api/upload", files={"files": (path.name, path.read_bytes())})
        assert stored.status_code == 200, stored.text
        file = {"path": stored.json()[0], "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}
        result = self.call("upload", [[file], None, [], None, None])
        return str(result[self.component("qa-upload-result")])

    def delete(self, doc_id: str) -> str:
        self.call("ask_delete", [doc_id, None])
        result = self.call("confirm_delete", [None, [], None, None])
        return str(result[self.component("qa-delete-result")])

    def documents(self) -> dict[str, str]:
        """File name by doc id, as a page opened now lists them (its delete menu)."""
        session, self.session = self.session, uuid.uuid4().hex[:12]
        try:
            listed = self.call("on_load", ["en", "", None])[self.component("qa-delete-choice")]
        finally:
            self.session = session
        return {doc_id: re.sub(r"^.*\((.*)\)$", r"\1", label) for label, doc_id in listed["choices"]}

    # --- programs ------------------------------------------------------------------------------

    def chat(self, question: str) -> dict[str, Any]:
        """POST /v1/chat/completions, as Open WebUI or the openai SDK would."""
        reply = self.http.post(self.url + "/v1/chat/completions",
                               json={"model": "qa-policy", "messages": [{"role": "user", "content": question}]})
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def ask(self, question: str) -> dict[str, Any]:
        """The page's /ask endpoint (what gradio_client calls): the whole Answer as data."""
        session, self.session = self.session, uuid.uuid4().hex[:12]
        try:
            answer = self._fn("ask")[1][0]
            return dict(self.call("ask", [question])[answer])
        finally:
            self.session = session


def cited_files(reply: dict[str, Any]) -> set[str]:
    return {Path(c["source"]).name for c in reply["citations"]}


def within(seconds: float, what: str, check: Callable[..., bool], *args: Any) -> float:
    """Ask again until `check(*args)` holds; the seconds it took."""
    started = time.monotonic()
    while not check(*args):
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        time.sleep(0.5)
    return time.monotonic() - started


def start_server(index_dir: Path, chroma_url: str, env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    """`qa serve` on a free port, as installed (the venv's `qa`), its errors in `log`."""
    qa = Path(sys.executable).parent / "qa"
    with open(log, "w") as errors:
        return subprocess.Popen(
            [str(qa), "--index-dir", str(index_dir), "--chroma-url", chroma_url, "serve", "--port", "0"],
            stdout=subprocess.PIPE, stderr=errors, text=True, env=env,
        )


def announced_url(process: subprocess.Popen[str], log: Path) -> str:
    assert process.stdout is not None
    line = process.stdout.readline()  # 'Serving the chat on http://127.0.0.1:PORT/ and ...'
    found = re.search(r"on (http://\S+?)/ ", line)
    assert found, f"qa serve did not start: {line!r}\n{log.read_text()}"
    return found.group(1)


@pytest.fixture
def two_servers(chroma_server: str, tmp_path: Path, sample_vectors: Path) -> Iterator[tuple[Server, Server]]:
    # PYTHONPATH: the code under test, even when the venv's editable install points at another checkout.
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
               # A collection of their own on the shared server: other tests use it too.
               QA_COLLECTION_PREFIX=f"two-{uuid.uuid4().hex[:8]}")
    names = ("a", "b")
    for name in names:
        # Each machine's embedding cache starts with the sample vectors: an upload embeds nothing again.
        seed_vectors(tmp_path / name / "index", sample_vectors)
    processes = [start_server(tmp_path / name / "index", chroma_server, env, tmp_path / name / f"{name}.log")
                 for name in names]
    servers: list[Server] = []
    try:
        for name, process in zip(names, processes, strict=True):
            url = announced_url(process, tmp_path / name / f"{name}.log")
            server = Server(name, tmp_path / name / "index", url, process, httpx.Client(timeout=60))
            within(60, f"{name} answers HTTP", _up, server)
            servers.append(server)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.http.close()
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()


def _up(server: Server) -> bool:
    try:
        return server.http.get(server.url + "/v1/models").status_code == 200
    except httpx.TransportError:
        return False


def lists_only(server: Server, name: str) -> bool:
    return list(server.documents().values()) == [name]


def does_not_cite(server: Server, question: str, name: str) -> bool:
    return name not in cited_files(server.chat(question))


def found_by_both(answer: dict[str, Any]) -> bool:
    """The passage the answer quotes was among both the dense and the BM25 candidates (the refusal
    model's 'agree' signal, in the Answer the /ask endpoint returns)."""
    return answer["signals"].get("agree") == 1.0 and answer["signals"].get("dense_similarity", 0.0) > 0.5


def test_two_servers_share_one_chroma(two_servers: tuple[Server, Server]) -> None:
    a, b = two_servers
    for server in (a, b):
        server.open_page()
        assert server.documents() == {}

    # Uploaded through A's page; answered by B.
    assert "added" in a.upload(CLUSTERS).lower()
    within(SEEN_WITHIN, "B answers from the document uploaded through A",
           lambda: cited_files(b.chat(CLUSTERS_QUESTION)) == {CLUSTERS.name})
    reply = b.chat(CLUSTERS_QUESTION)
    content = reply["choices"][0]["message"]["content"]
    assert not reply["refused"] and "669" in content and "14" in content
    answer = b.ask(CLUSTERS_QUESTION)
    assert found_by_both(answer), answer["signals"]

    # Uploaded through B's page; answered by A.
    assert "added" in b.upload(WORKSHOP).lower()
    within(SEEN_WITHIN, "A answers from the document uploaded through B",
           lambda: cited_files(a.chat(WORKSHOP_QUESTION)) == {WORKSHOP.name})
    answer = a.ask(WORKSHOP_QUESTION)
    assert not answer["refused"] and "175,000" in answer["answer"]
    assert found_by_both(answer), answer["signals"]
    assert found_by_both(a.ask(CLUSTERS_QUESTION)), "A, which ingested it, finds it by both too"
    for server in (a, b):
        assert sorted(server.documents().values()) == sorted([CLUSTERS.name, WORKSHOP.name])
        assert list(server.index_dir.glob("bm25-*.npz")), f"{server.name} keeps its own BM25 in its own folder"

    # Deleted through B's page (A uploaded it): gone from both lists and both servers' answers.
    clusters_id = next(d for d, name in b.documents().items() if name == CLUSTERS.name)
    assert "deleted" in b.delete(clusters_id).lower()
    for server in (b, a):
        within(SEEN_WITHIN, f"{server.name} no longer lists the deleted document", lists_only, server, WORKSHOP.name)
        within(SEEN_WITHIN, f"{server.name} no longer answers from the deleted document",
               does_not_cite, server, CLUSTERS_QUESTION, CLUSTERS.name)
        # Asked by its words alone (BM25's side): nothing of it is left in that server's BM25.
        assert CLUSTERS.name not in cited_files(server.ask("industrial clusters 669 hectares Khanh Hoa"))
        assert found_by_both(server.ask(WORKSHOP_QUESTION)), f"{server.name} still finds the other document"


def test_a_new_machine_keeps_its_bm25(chroma_server: str, tmp_path: Path, embedder) -> None:
    """With a Chroma server nothing creates the index folder before the first question (`qa serve`'s
    warm-up): BM25 is saved there all the same, so the next start reads it instead of rebuilding."""
    settings = Settings(index_dir=tmp_path / "new-machine" / "index", chroma_url=chroma_server,
                        collection_prefix=f"new-{uuid.uuid4().hex[:8]}")
    assistant = Assistant(settings, embedder=embedder)
    assistant.retrieve("warm-up")
    assert assistant.retriever.bm25.saved_path.exists()


def test_a_collection_made_again_elsewhere_is_followed(chroma_server: str, tmp_path: Path, embedder) -> None:
    """`qa repair` on one machine, when the vector index cannot be searched, makes the collection
    again; the other machine's next question follows it instead of calling its index damaged."""
    prefix = f"again-{uuid.uuid4().hex[:8]}"
    one, other = (Assistant(Settings(index_dir=tmp_path / name, chroma_url=chroma_server, collection_prefix=prefix),
                            embedder=embedder) for name in ("one", "other"))
    one.ingest([CLUSTERS])
    assert not other.ask(CLUSTERS_QUESTION).refused
    one.store.reset_chunks()
    assert other.ask(CLUSTERS_QUESTION).refused and other.store.count() == 0
    one.ingest([CLUSTERS])  # what repair does next: the documents' chunks again
    assert not other.ask(CLUSTERS_QUESTION).refused
