"""Runs a question file through our pipeline and the naive one, scores both, and gates on thresholds."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import tomllib
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evals.facts import EvalQuestion, facts_passed, source_matches
from qa.answer.invariants import violations
from qa.answer.refusal import RefusalModel
from qa.answer.refusal import fit as fit_refusal_model
from qa.assistant import Assistant
from qa.config import Settings
from qa.errors import InputError
from qa.index.embedders import Embedder
from qa.ingest.pipeline import open_embedding_cache
from qa.question import parse_question
from qa.results import Retrieved
from qa.retrieve.hybrid import HybridRetriever, Retriever
from qa.retrieve.naive import NaiveRetriever

PIPELINES = ("ours", "naive")
RANK_DEPTH = 10


@dataclass(frozen=True)
class QuestionResult:
    id: str
    question: str
    answerable: bool
    passed: bool
    # Every fact in the answer's lead (Answer.lead), the part a reader takes as the answer: not
    # 0,5% first and the right 0,8% as the third quote. A generated or anatomy answer is all lead.
    lead_passed: bool
    facts_passed: int
    facts_total: int
    refused: bool
    evidence: float
    citations: list[str]
    citation_hits: int
    first_source_rank: int | None
    latency: float
    answer: str
    types: list[str] = field(default_factory=list)
    lang: str = ""
    # Rank of the first retrieved chunk from a listed source that holds every fact (passage-level).
    passage_rank: int | None = None
    # Broken answer invariants (qa/answer/invariants.py): any one fails the gate.
    violations: list[str] = field(default_factory=list)
    confidence: float | None = None
    signals: dict[str, float] = field(default_factory=dict)
    lead: str = ""


@dataclass
class EvalReport:
    settings_hash: str
    index_seconds: float | None
    questions: int
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    results: dict[str, list[QuestionResult]] = field(default_factory=dict)
    # Per question type and per language, for our pipeline: group -> metric -> value.
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)
    # Retrieval alone, by retriever mode (dense, lexical, hybrid) and question subset.
    ablation: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    # Other question files scored on the same index, for the record only (the blind split).
    companions: dict[str, EvalReport] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "settings_hash": self.settings_hash,
            "index_seconds": self.index_seconds,
            "questions": self.questions,
            "metrics": self.metrics,
            "breakdown": self.breakdown,
            "ablation": self.ablation,
            "results": {name: [asdict(r) for r in rs] for name, rs in self.results.items()},
        }


def _passage_rank(ranked: list[Retrieved], q: EvalQuestion) -> int | None:
    if not q.answerable:
        return None
    for i, r in enumerate(ranked):
        if source_matches(r.chunk.source, q.sources) and facts_passed(r.chunk.text, q.facts) == len(q.facts):
            return i + 1
    return None


def _language(q: EvalQuestion) -> str:
    return q.lang or parse_question(q.question).language


def score_question(assistant: Assistant, retriever: Retriever, q: EvalQuestion) -> QuestionResult:
    started = time.perf_counter()
    # Our pipeline is exactly what users get (including metadata answers); the naive one only retrieves.
    answer = assistant.ask(q.question, retriever=None if retriever is assistant.retriever else retriever)
    latency = time.perf_counter() - started
    ranked = retriever.retrieve(parse_question(q.question), RANK_DEPTH)
    first_rank = next((i + 1 for i, r in enumerate(ranked) if source_matches(r.chunk.source, q.sources)), None)
    passed_groups = facts_passed(answer.answer, q.facts) if not answer.refused else 0
    passed = (not answer.refused and passed_groups == len(q.facts)) if q.answerable else answer.refused
    lead_passed = passed and (not q.answerable or facts_passed(answer.lead or answer.answer, q.facts) == len(q.facts))
    return QuestionResult(
        id=q.id, question=q.question, answerable=q.answerable, passed=passed, lead_passed=lead_passed,
        facts_passed=passed_groups, facts_total=len(q.facts), refused=answer.refused,
        evidence=answer.evidence, citations=[c.source for c in answer.citations],
        citation_hits=sum(source_matches(c.source, q.sources) for c in answer.citations),
        first_source_rank=first_rank if q.answerable else None, latency=latency, answer=answer.answer,
        types=list(q.types) or (["unanswerable"] if not q.answerable else []), lang=_language(q),
        passage_rank=_passage_rank(ranked, q), violations=violations(answer, assistant.store),
        confidence=answer.confidence, signals=answer.signals, lead=answer.lead,
    )


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def summarize(results: list[QuestionResult]) -> dict[str, float]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    refused = [r for r in results if r.refused]
    answered = [r for r in answerable if not r.refused]
    ranks = [r.first_source_rank for r in answerable]
    latencies = sorted(r.latency for r in results)
    p95_index = min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))
    return {
        "fact_accuracy": _ratio(sum(r.passed for r in answerable), len(answerable)),
        "lead_accuracy": _ratio(sum(r.lead_passed for r in answerable), len(answerable)),
        "unanswerable_refused": _ratio(sum(r.passed for r in unanswerable), len(unanswerable)),
        "refusal_precision": _ratio(sum(not r.answerable for r in refused), len(refused)) if refused else 1.0,
        "refusal_recall": _ratio(sum(r.refused for r in unanswerable), len(unanswerable)),
        "citation_precision": _ratio(sum(r.citation_hits for r in answered), sum(len(r.citations) for r in answered)),
        "citation_hit_rate": _ratio(sum(r.citation_hits > 0 for r in answered), len(answered)),
        "recall_at_1": _ratio(sum(r is not None and r <= 1 for r in ranks), len(ranks)),
        "recall_at_5": _ratio(sum(r is not None and r <= 5 for r in ranks), len(ranks)),
        "recall_at_10": _ratio(sum(r is not None and r <= 10 for r in ranks), len(ranks)),
        "mrr": _ratio(sum(1 / r for r in ranks if r), len(ranks)),
        "passage_recall_at_5": _ratio(sum(r.passage_rank is not None and r.passage_rank <= 5 for r in answerable), len(answerable)),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else 0.0,
        "latency_p95_ms": round(1000 * latencies[p95_index], 1) if latencies else 0.0,
    }


def breakdown(results: list[QuestionResult]) -> dict[str, dict[str, float]]:
    """Per question type and per language: how many, and how many were right (facts in the
    answer, or refused when unanswerable), plus retrieval for the answerable ones."""
    groups: dict[str, list[QuestionResult]] = {}
    for r in results:
        for name in [f"type:{t}" for t in r.types] + [f"lang:{r.lang}", "all"]:
            groups.setdefault(name, []).append(r)
    table = {}
    for name in sorted(groups):
        rs = groups[name]
        answerable = [r for r in rs if r.answerable]
        table[name] = {
            "n": len(rs),
            "accuracy": _ratio(sum(r.passed for r in rs), len(rs)),
            "answerable": len(answerable),
            "fact_accuracy": _ratio(sum(r.passed for r in answerable), len(answerable)),
            "lead_accuracy": _ratio(sum(r.lead_passed for r in answerable), len(answerable)),
            "refused_right": _ratio(sum(r.passed for r in rs if not r.answerable), len(rs) - len(answerable)),
            "passage_recall_at_5": _ratio(sum(r.passage_rank is not None and r.passage_rank <= 5 for r in answerable), len(answerable)),
        }
    return table


ABLATION_MODES = ("dense", "lexical", "hybrid")
ABLATION_SUBSETS = {"all": lambda q: True, "no_diacritics": lambda q: "no_diacritics" in q.types}


def ablation(assistant: Assistant, questions: list[EvalQuestion]) -> dict[str, dict[str, dict[str, float]]]:
    """Dense only, BM25 only and hybrid, side by side on the same index: document recall and
    passage recall (a chunk from the right source holding every fact) at 1 and 5, and MRR."""
    answerable = [q for q in questions if q.answerable]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for mode in ABLATION_MODES:
        retriever = HybridRetriever(assistant.settings, assistant.store, assistant.embedder, mode=mode)
        retriever.bm25 = assistant.retriever.bm25  # one BM25 index in memory for all three
        ranks: dict[str, tuple[int | None, int | None]] = {}
        for q in answerable:
            ranked = retriever.retrieve(parse_question(q.question), RANK_DEPTH)
            doc_rank = next((i + 1 for i, r in enumerate(ranked) if source_matches(r.chunk.source, q.sources)), None)
            ranks[q.id] = (doc_rank, _passage_rank(ranked, q))
        for subset, wanted in ABLATION_SUBSETS.items():
            chosen = [ranks[q.id] for q in answerable if wanted(q)]
            out.setdefault(subset, {})[mode] = {
                "n": len(chosen),
                "recall_at_1": _ratio(sum(d is not None and d <= 1 for d, _ in chosen), len(chosen)),
                "recall_at_5": _ratio(sum(d is not None and d <= 5 for d, _ in chosen), len(chosen)),
                "mrr": _ratio(sum(1 / d for d, _ in chosen if d), len(chosen)),
                "passage_recall_at_5": _ratio(sum(p is not None and p <= 5 for _, p in chosen), len(chosen)),
                "passage_mrr": _ratio(sum(1 / p for _, p in chosen if p), len(chosen)),
            }
    return out


def ablation_failures(table: dict[str, dict[str, dict[str, float]]], checks: list[str]) -> list[str]:
    """Hybrid must be strictly ahead of dense alone and of BM25 alone on each 'subset:metric'."""
    failures = []
    for check in checks:
        subset, _, metric = check.partition(":")
        if subset not in table or metric not in table[subset].get("hybrid", {}):
            raise InputError(f"Unknown ablation check {check!r}: use subset:metric, e.g. all:passage_mrr.")
        modes = table[subset]
        hybrid = modes["hybrid"][metric]
        for single in ("dense", "lexical"):
            if hybrid <= modes[single][metric]:
                failures.append(f"hybrid {metric} {hybrid:.3f} is not ahead of {single} alone ({modes[single][metric]:.3f}) on {subset} questions")
    return failures


def run_eval(
    settings: Settings,
    questions: list[EvalQuestion],
    docs: Path | list[Path] | None = None,
    index: Path | None = None,
    pipelines: tuple[str, ...] = PIPELINES,
    embedder: Embedder | None = None,
    with_ablation: bool = False,
    vectors: Path | None = None,
    save_vectors: Path | None = None,
    report_only: dict[str, list[EvalQuestion]] | None = None,
) -> EvalReport:
    """Index `docs` into a fresh temporary index (or open `index`), then score every pipeline."""
    folders = [docs] if isinstance(docs, Path) else list(docs or [])
    if folders and index is not None:
        raise InputError("Give either --docs (build a fresh index) or --index (use an existing one), not both.")
    with ExitStack() as stack:
        index_seconds = None
        if folders:
            for folder in folders:
                if not folder.is_dir():
                    raise InputError(f"--docs must be a folder of documents: {folder}")
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="qa-eval-"))
            settings = settings.model_copy(update={"index_dir": Path(tmp), "chroma_url": None})
        elif index is not None:
            settings = settings.model_copy(update={"index_dir": index})
        assistant = Assistant(settings, embedder=embedder)
        if folders:
            if vectors is not None and vectors.is_file():
                cache = open_embedding_cache(settings)
                cache.import_npz(vectors)
                cache.close()
            started = time.perf_counter()
            assistant.ingest(folders)
            index_seconds = round(time.perf_counter() - started, 2)
        if save_vectors is not None:
            cache = open_embedding_cache(settings)
            cache.export_npz(save_vectors, [cache.key(c.indexed_text) for c in assistant.store.iter_chunks()])
            cache.close()
        if assistant.store.count() == 0:
            raise InputError("The index is empty: pass --docs DIR, or ingest documents first.")
        report = EvalReport(settings.settings_hash(), index_seconds, len(questions))
        for name in pipelines:
            retriever: Retriever = assistant.retriever if name == "ours" else NaiveRetriever(assistant.store, assistant.embedder)
            results = [score_question(assistant, retriever, q) for q in questions]
            report.results[name] = results
            report.metrics[name] = summarize(results)
        report.breakdown = breakdown(report.results[pipelines[0]])
        if with_ablation:
            report.ablation = ablation(assistant, questions)
        for name, others in (report_only or {}).items():
            companion = EvalReport(settings.settings_hash(), index_seconds, len(others))
            scored = [score_question(assistant, assistant.retriever, q) for q in others]
            companion.results["ours"] = scored
            companion.metrics["ours"] = summarize(scored)
            companion.breakdown = breakdown(scored)
            report.companions[name] = companion
        return report


def load_thresholds(path: Path) -> dict[str, float]:
    if not path.is_file():
        raise InputError(f"Threshold file not found: {path}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {k: float(v) for k, v in data.get("minimum", {}).items()}


def fit_refusal(results: list[QuestionResult]) -> tuple[RefusalModel, dict[str, float]]:
    """Fit the refusal model on answers given with no refusal at all: an answer is right when the
    question is answerable and its facts are in it. Answers read from metadata carry no signals."""
    rows = [r for r in results if r.signals]
    if len(rows) < 20:
        raise InputError(f"Only {len(rows)} extractive answers to fit the refusal model on; it needs at least 20.")
    return fit_refusal_model(
        [r.signals for r in rows], [r.answerable and r.facts_passed == r.facts_total for r in rows], [not r.answerable for r in rows]
    )


def load_gate(path: Path) -> tuple[dict[str, float], list[str]]:
    """The [minimum] thresholds, and where hybrid must beat each single retriever
    ([ablation] hybrid_ahead_on = ["all:passage_mrr", "no_diacritics:mrr"]), if the file asks."""
    thresholds = load_thresholds(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return thresholds, [str(c) for c in data.get("ablation", {}).get("hybrid_ahead_on", [])]


def gate(report: EvalReport, thresholds: dict[str, float], pipeline: str = "ours") -> list[str]:
    """Metrics below their minimum, as readable lines; empty when the gate passes."""
    metrics = report.metrics[pipeline]
    unknown = sorted(set(thresholds) - set(metrics))
    if unknown:
        raise InputError(f"Unknown metrics in the threshold file: {', '.join(unknown)}")
    failures = [f"{k} = {metrics[k]:.3f} is below its threshold {v:.3f}" for k, v in thresholds.items() if metrics[k] < v]
    for r in report.results[pipeline]:
        failures += [f"{r.id}: {problem}" for problem in r.violations]
    return failures


def compare(report: EvalReport, baseline: dict[str, Any], pipeline: str = "ours") -> list[str]:
    """What changed against a previous JSON report, question by question."""
    before = {r["id"]: r for r in baseline.get("results", {}).get(pipeline, [])}
    lines = []
    for r in report.results.get(pipeline, []):
        old = before.get(r.id)
        if old is None:
            lines.append(f"{r.id}: new question ({'pass' if r.passed else 'fail'})")
        elif old["passed"] != r.passed:
            lines.append(f"{r.id}: {'fail -> pass' if r.passed else 'pass -> FAIL'}  {r.question}")
        elif old["refused"] != r.refused:
            lines.append(f"{r.id}: refused {old['refused']} -> {r.refused}")
        elif "lead_passed" in old and old["lead_passed"] != r.lead_passed:
            lines.append(f"{r.id}: lead {'fail -> pass' if r.lead_passed else 'pass -> FAIL'}  {r.question}")
    for name, old_value in baseline.get("metrics", {}).get(pipeline, {}).items():
        new_value = report.metrics[pipeline].get(name)
        if new_value is not None and abs(new_value - old_value) > 1e-9:
            lines.append(f"metric {name}: {old_value} -> {new_value}")
    return lines


def metrics_table(report: EvalReport) -> str:
    names = list(report.metrics)
    rows = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for metric in report.metrics[names[0]]:
        rows.append(f"| {metric} | " + " | ".join(f"{report.metrics[n][metric]:g}" for n in names) + " |")
    return "\n".join(rows)


def breakdown_table(report: EvalReport) -> str:
    if not report.breakdown:
        return ""
    rows = ["| group | n | right | facts in answer (answerable) | facts in its lead | refused right (unanswerable) | passage recall@5 |",
            "|---|---|---|---|---|---|---|"]
    for name, m in report.breakdown.items():
        unanswerable = int(m["n"] - m["answerable"])
        rows.append(
            f"| {name} | {m['n']:g} | {m['accuracy']:.2f} | "
            + (f"{m['fact_accuracy']:.2f} ({m['answerable']:g})" if m["answerable"] else "–") + " | "
            + (f"{m['lead_accuracy']:.2f}" if m["answerable"] else "–") + " | "
            + (f"{m['refused_right']:.2f} ({unanswerable})" if unanswerable else "–") + " | "
            + (f"{m['passage_recall_at_5']:.2f}" if m["answerable"] else "–") + " |"
        )
    return "\n".join(rows)


def ablation_table(report: EvalReport) -> str:
    if not report.ablation:
        return ""
    rows = ["| questions | retriever | n | recall@1 | recall@5 | MRR | passage recall@5 | passage MRR |", "|---|---|---|---|---|---|---|---|"]
    for subset, modes in report.ablation.items():
        for mode, m in modes.items():
            rows.append(
                f"| {subset} | {mode} | {m['n']:g} | {m['recall_at_1']:.3f} | {m['recall_at_5']:.3f} | {m['mrr']:.3f} | "
                f"{m['passage_recall_at_5']:.3f} | {m['passage_mrr']:.3f} |"
            )
    return "\n".join(rows)


def to_markdown(report: EvalReport) -> str:
    lines = [
        "# Eval report",
        "",
        f"{report.questions} questions · settings {report.settings_hash}"
        + (f" · indexing took {report.index_seconds} s" if report.index_seconds is not None else ""),
        "",
        metrics_table(report),
        "",
        breakdown_table(report),
        "",
        ablation_table(report),
        "",
    ]
    for name, results in report.results.items():
        failed = [r for r in results if not r.passed]
        lines += [f"## {name}: {len(failed)} failed", ""]
        for r in failed:
            lines.append(f"- `{r.id}` {r.question} → {'REFUSED' if r.refused else r.answer[:160]}")
        lines.append("")
    return "\n".join(lines)


def write_json(report: EvalReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")


def calibrate(results: list[QuestionResult]) -> tuple[float, list[tuple[float, int, int]]]:
    """Pick the refusal threshold from answers produced with no refusal (threshold 0).

    An answerable question counts as right at threshold t when its facts passed and its evidence
    is >= t; an unanswerable one when its evidence is < t. Returns the threshold with the most
    right answers (the midpoint of the best gap, for margin) and the whole curve.
    """
    evidences = sorted({r.evidence for r in results})
    cuts = [0.0] + [(a + b) / 2 for a, b in zip(evidences, evidences[1:], strict=False)] + [evidences[-1] + 0.01]
    curve = []
    for t in cuts:
        answered_right = sum(r.passed and r.evidence >= t for r in results if r.answerable)
        refused_right = sum(r.evidence < t for r in results if not r.answerable)
        curve.append((round(t, 4), answered_right, refused_right))
    best = max(curve, key=lambda row: (row[1] + row[2], -row[0]))
    return best[0], curve
