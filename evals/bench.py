"""`qa bench`: ingest throughput against the embedder's own limit, and query latency and memory as
the corpus grows, for our pipeline and the naive LlamaIndex one, in one run.

Large corpora: the sample documents are ingested for real (so answers stay checkable) and hidden
among filler chunks. Filler text is sample sentences that hold no digit, three to a chunk, drawn with
a fixed seed: realistic policy prose on the same topics, but no number, date or document number a
benchmark question asks for lives anywhere except in the real documents. Filler vectors are real
embeddings of a pool of filler chunks, computed once and cached on disk, then reused (with a tiny
seeded perturbation so no two are identical). The report says so.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from evals.bench_files import hostile_files, tiny_files
from evals.bench_files import lines as hostile_file_lines
from qa.assistant import Assistant
from qa.config import Settings
from qa.errors import InputError
from qa.index.embedders import Embedder, make_embedder
from qa.index.store import connect
from qa.retrieve.hybrid import Retriever
from qa.retrieve.naive import NaiveRetriever
from qa.text import sentence_spans
from qa.types import Chunk

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
QUESTIONS = [
    ("How many industrial clusters are planned in Khanh Hoa and with what total area?", "669 hectares"),
    ("Ket luan 544-KL/TU duoc ban hanh ngay nao?", "06 thang 02 nam 2024"),
    ("How many workers do the operating industrial clusters employ?", "4,440"),
    ("What growth rate did Khanh Hoa's economy reach in 2021-2025?", "8%"),
]
SEED = 20261122
UPLOAD = "Harbour note. The Cam Ranh harbour dredging plan was approved with a budget of 12 billion dong.\n"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sentences() -> list[str]:
    out = []
    for path in sorted(SAMPLE.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [text[s.start : s.end] for s in sentence_spans(text) if s.end - s.start > 40]
    return out


def filler_sentences() -> list[str]:
    """Sample sentences without a digit: if filler repeated "669 hectares", an answer quoting the
    filler copy would be counted right while citing the wrong document."""
    return [s for s in _sentences() if not re.search(r"\d", s)]


def filler_texts(n: int, rng: random.Random) -> list[str]:
    pool = filler_sentences()
    return [" ".join(rng.sample(pool, 3)) for _ in range(n)]


def embedder_throughput(embedder: Embedder, texts: list[str]) -> float:
    """Texts per second through the embedder alone, in the ingest's batch size."""
    embedder.embed_passages(texts[:2])
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        embedder.embed_passages(texts[i : i + 32])
    return len(texts) / (time.perf_counter() - started)


def filler_vectors(embedder: Embedder, pool: int, cache_dir: Path) -> tuple[list[str], np.ndarray]:
    cache = cache_dir / f"filler-nodigits-{embedder.name}-{pool}-{SEED}.npz"
    texts = filler_texts(pool, random.Random(SEED))
    if cache.exists():
        return texts, np.load(cache)["vectors"]
    vectors = np.concatenate([embedder.embed_passages(texts[i : i + 32]) for i in range(0, pool, 32)])
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez(cache, vectors=vectors)
    return texts, vectors


def add_filler(assistant: Assistant, count: int, texts: list[str], vectors: np.ndarray) -> None:
    rng = np.random.default_rng(SEED)
    batch: list[Chunk] = []
    for i in range(count):
        j = i % len(texts)
        batch.append(Chunk(f"filler-{i}", f"filler-{i // 20}", f"filler/{i // 20}.txt", "Filler", "", i % 20, 0,
                           len(texts[j]), texts[j], "filler"))
        if len(batch) == 2000 or i == count - 1:
            idx = [int(c.chunk_id.split("-")[1]) % len(texts) for c in batch]
            noisy = vectors[idx] + rng.normal(0, 0.002, (len(batch), vectors.shape[1])).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            assistant.store.add(batch, noisy)
            batch = []


def query_latency(assistant: Assistant, retriever: Retriever | None, repeats: int) -> dict[str, Any]:
    retrieve, answer, total, correct, missed = [], [], [], 0, set()
    started = time.perf_counter()
    assistant.ask(QUESTIONS[0][0], retriever=retriever)  # BM25 built (or read back), caches filled
    first_query_ms = round(1000 * (time.perf_counter() - started), 1)
    for question, _ in QUESTIONS[1:]:
        assistant.ask(question, retriever=retriever)
    for _ in range(repeats):
        for question, fact in QUESTIONS:
            result = assistant.ask(question, retriever=retriever)
            retrieve.append(result.timings["retrieve"])
            answer.append(result.timings["answer"])
            total.append(result.timings["total"])
            if fact in result.answer:
                correct += 1
            else:
                missed.add(question)
    def p(values: list[float], q: float) -> float:
        return round(1000 * sorted(values)[min(len(values) - 1, int(q * len(values)))], 1)
    return {
        "retrieve_p50_ms": p(retrieve, 0.5), "retrieve_p95_ms": p(retrieve, 0.95), "answer_p50_ms": p(answer, 0.5),
        "total_p50_ms": p(total, 0.5), "total_p95_ms": p(total, 0.95),
        "answers_with_fact": round(correct / len(total), 3), "peak_rss_mb": round(peak_rss_mb(), 1),
        "first_query_ms": first_query_ms, "missed": sorted(missed),
    }


class _Timed:
    """Wraps a method of the Assistant and records how long each call took inside it."""

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method
        self.seconds: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.method(*args, **kwargs)
        finally:
            self.seconds.append(time.perf_counter() - started)


def _overhead(assistant: Assistant, method: str, call: Callable[[str], Any], repeats: int) -> dict[str, float]:
    """Per question: the wall time of `call` minus the time spent inside `assistant.<method>`, in ms."""
    inner = _Timed(getattr(assistant, method))
    setattr(assistant, method, inner)
    try:
        extra = []
        for _ in range(repeats):
            for question, _fact in QUESTIONS:
                started = time.perf_counter()
                call(question)
                extra.append(time.perf_counter() - started - inner.seconds[-1])
    finally:
        delattr(assistant, method)
    extra.sort()
    return {"p50_ms": round(1000 * extra[len(extra) // 2], 3), "p95_ms": round(1000 * extra[min(len(extra) - 1, int(0.95 * len(extra)))], 3)}


def front_door_overhead(assistant: Assistant, repeats: int) -> dict[str, Any]:
    """What each way in adds per question on top of the Python API: the LlamaIndex retriever and query
    engine (nodes built from chunks and citations), and the OpenAI-compatible HTTP API (a real server
    on loopback, called with the openai client: HTTP, JSON, the client's own parsing)."""
    import openai

    from qa.llamaindex import PolicyQueryEngine, PolicyRetriever
    from ui.server import BackgroundServer, create_server

    for question, _ in QUESTIONS:
        assistant.ask(question)  # caches warm, so only the front door differs
    retriever, engine = PolicyRetriever(assistant), PolicyQueryEngine(assistant=assistant)
    report = {
        "llamaindex_retriever": _overhead(assistant, "retrieve", retriever.retrieve, repeats),
        "llamaindex_query_engine": _overhead(assistant, "ask", engine.query, repeats),
    }
    server = BackgroundServer(create_server(assistant))
    try:
        client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)

        def over_http(question: str) -> None:
            client.chat.completions.create(model="qa-policy", messages=[{"role": "user", "content": question}])

        over_http(QUESTIONS[0][0])  # the connection opened
        report["http_api"] = _overhead(assistant, "ask", over_http, repeats)
    finally:
        server.close()
    return report


def query_after_upload(assistant: Assistant, folder: Path) -> float:
    """Milliseconds for the first question after one new document lands: BM25 catches up with it."""
    folder.mkdir()
    (folder / "harbour-note.txt").write_text(UPLOAD, encoding="utf-8")
    assistant.ingest([folder])
    started = time.perf_counter()
    assistant.ask(QUESTIONS[0][0])
    return round(1000 * (time.perf_counter() - started), 1)


def query_after_restart(settings: Settings, embedder: Embedder) -> float:
    """Milliseconds for the first question after the index is opened again (BM25 read from disk)."""
    started = time.perf_counter()
    Assistant(settings, embedder=embedder).ask(QUESTIONS[0][0])
    return round(1000 * (time.perf_counter() - started), 1)


def run_bench(
    settings: Settings, sizes: list[int], filler_pool: int, repeats: int, cache_dir: Path, quick: bool = False
) -> dict[str, Any]:
    if not SAMPLE.is_dir():
        raise InputError(f"qa bench measures on the sample corpus, which is not at {SAMPLE}: run it from a checkout of the repository.")
    # Collections of its own: on a shared Chroma server the bench must never touch a real corpus.
    settings = settings.model_copy(update={"collection_prefix": "qa-bench"})
    embedder = make_embedder(settings)
    report: dict[str, Any] = {
        "date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "embedder": embedder.name, "settings_hash": settings.settings_hash(), "rows": [],
        "corpus": (f"sample documents ingested for real + filler chunks of 3 digit-free sample sentences each "
                   f"(seed {SEED}), so asked-for numbers exist only in the real documents; filler vectors: "
                   f"{filler_pool} real embeddings of filler chunks, reused with seeded noise (sigma 0.002)"),
    }
    with tempfile.TemporaryDirectory(prefix="qa-bench-") as folder:
        base = settings.model_copy(update={"index_dir": Path(folder) / "ingest"})
        assistant = Assistant(base, embedder=embedder)
        first = assistant.ingest([SAMPLE])
        chunk_texts = [c.text for c in assistant.store.iter_chunks()]
        report["embedder_chunks_per_s"] = round(embedder_throughput(embedder, chunk_texts[:48]), 1)
        sentences = _sentences()[:64]
        report["embedder_sentences_per_s"] = round(embedder_throughput(embedder, sentences), 1)
        elapsed = sum(first.seconds.values())
        second = assistant.ingest([SAMPLE])
        report["ingest"] = {
            "chunks": first.chunks, "tokens": first.tokens, "seconds": {k: round(v, 2) for k, v in first.seconds.items()},
            "chunks_per_s": round(first.chunks / elapsed, 1), "tokens_per_s": round(first.tokens / elapsed, 1),
            "share_of_embedder_limit": round((first.chunks / elapsed) / report["embedder_chunks_per_s"], 2),
            "second_ingest_embedded": second.embedded,
        }
        report["front_doors"] = front_door_overhead(assistant, max(repeats, 5))
        if not quick:
            from evals.load import load_test

            # The API (what programs and Open WebUI call) and the page's Gradio endpoint, which
            # sets up a Gradio session for every call.
            report["load"] = {route: load_test(assistant, clients=200, seconds=60, route=route) for route in ("api", "page")}
        texts, vectors = filler_vectors(embedder, filler_pool, cache_dir)
        for size in sizes:
            run_settings = settings.model_copy(update={"index_dir": Path(folder) / f"n{size}"})
            run_settings.index_dir.mkdir(parents=True)
            # The sample documents were embedded above; their vectors come from the cache.
            shutil.copy(base.index_dir / "embeddings.sqlite3", run_settings.index_dir / "embeddings.sqlite3")
            drop_server_collection(run_settings)  # one server, one collection name: start each size empty
            assistant = Assistant(run_settings, embedder=embedder)
            assistant.ingest([SAMPLE])
            add_filler(assistant, max(0, size - assistant.store.count()), texts, vectors)
            ours = query_latency(assistant, None, repeats)  # exactly what `qa ask` does
            naive = query_latency(assistant, NaiveRetriever(assistant.store, embedder), repeats)
            ours["after_upload_ms"] = query_after_upload(assistant, Path(folder) / f"upload-{size}")
            ours["after_restart_ms"] = query_after_restart(run_settings, embedder)
            report["rows"].append({
                "chunks": assistant.store.count(), "store": "server" if settings.chroma_url else "embedded", "ours": ours, "naive": naive,
                "p95_ratio_ours_to_naive": round(ours["total_p95_ms"] / max(naive["total_p95_ms"], 0.1), 2),
            })
        drop_server_collection(settings)
    report["files"] = hostile_files(settings, quick)
    report["files"]["tiny_files"] = tiny_files(settings, embedder, 200 if quick else 5000)
    return report


def drop_server_collection(settings: Settings) -> None:
    if settings.chroma_url:
        client = connect(settings)
        if settings.collection_name() in [c.name for c in client.list_collections()]:
            client.delete_collection(settings.collection_name())


def table(report: dict[str, Any]) -> str:
    ingest = report["ingest"]
    lines = [
        f"qa bench · {report['date']} · {report['machine']} · embedder {report['embedder']}",
        f"embedder alone: {report['embedder_chunks_per_s']} chunks/s on the same chunks, "
        f"{report['embedder_sentences_per_s']} sentences/s",
        f"ingest: {ingest['chunks']} chunks, {ingest['chunks_per_s']} chunks/s, {ingest['tokens_per_s']} tokens/s "
        f"({ingest['share_of_embedder_limit']:.0%} of the embedder's limit); "
        + ", ".join(f"{stage} {seconds} s" for stage, seconds in ingest["seconds"].items()) + "; "
        f"second ingest embedded {ingest['second_ingest_embedded']}",
        f"corpus: {report['corpus']}",
        "per-question overhead on top of the Python API (sample index): "
        + ", ".join(f"{name.replace('_', ' ')} p50 {r['p50_ms']} ms (p95 {r['p95_ms']} ms)" for name, r in report["front_doors"].items())
        + "; target for the LlamaIndex adapter: under 1 ms p50",
    ]
    where = {"api": "the OpenAI-compatible API", "page": "the page's Gradio endpoint"}
    for route, load in report.get("load", {}).items():
        lines.append(
            f"under load, {where[route]}: {load['clients']} clients for {load['seconds']} s: "
            f"{load['answers']} answers ({load['answers_per_s']}/s), {load['errors']} errors, "
            f"p50 {load['p50_s']} s, p95 {load['p95_s']} s (target: 0 errors, p95 under 5 s)"
        )
    lines += [
        "",
        "| chunks | store | pipeline | first query | retrieve p50 | total p50 | total p95 | facts found | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        for name in ("ours", "naive"):
            r = row[name]
            lines.append(f"| {row['chunks']} | {row['store']} | {name} | {r['first_query_ms']} ms | {r['retrieve_p50_ms']} ms | "
                         f"{r['total_p50_ms']} ms | "
                         f"{r['total_p95_ms']} ms | {r['answers_with_fact']:.0%} | {r['peak_rss_mb']} |")
    lines.append("")
    lines += [f"{row['chunks']} chunks ({row['store']}): total p95 ours / naive = {row['p95_ratio_ours_to_naive']}" for row in report["rows"]]
    lines += [f"{row['chunks']} chunks ({row['store']}): first question after uploading one document "
              f"{row['ours']['after_upload_ms']} ms; after opening the index again {row['ours']['after_restart_ms']} ms"
              for row in report["rows"]]
    lines += [f"{row['chunks']} chunks ({row['store']}): {name} missed the fact of: {'; '.join(row[name]['missed'])}"
              for row in report["rows"] for name in ("ours", "naive") if row[name]["missed"]]
    lines += ["", *hostile_file_lines(report["files"])]
    lines.append("first query: the first question on a freshly built index; for ours it includes building BM25 over "
                 "every chunk and saving it, which later openings read back.")
    return "\n".join(lines)


def write(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1), encoding="utf-8")


__all__ = ["run_bench", "table", "write"]
