import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.facts import contains_fact, facts_passed, load_questions, source_matches
from evals.harness import QuestionResult, gate, load_thresholds, run_eval, summarize
from qa import Settings
from qa.errors import InputError
from tests.conftest import ROOT, SAMPLE

QUESTIONS = ROOT / "evals" / "questions.jsonl"
THRESHOLDS = ROOT / "evals" / "thresholds.toml"


def test_fact_matching_ignores_case_diacritics_and_thousands_separators() -> None:
    assert contains_fact("about 4,440 workers", "4440")
    assert contains_fact("about 4440 workers", "4.440")
    assert contains_fact("Ngày 06/02/2024, TỈNH ỦY", "tinh uy")
    assert contains_fact("  669   hectares ", "669 hectares")
    assert not contains_fact("in 2014", "14")
    assert not contains_fact("14", "")
    assert facts_passed("14 clusters, 669 ha", [["14"], ["669 hectares", "669 ha"]]) == 2


@given(st.text(min_size=1, max_size=40), st.text(max_size=40), st.text(max_size=40))
def test_a_fact_is_found_wherever_it_stands_between_spaces(fact: str, before: str, after: str) -> None:
    if fact.strip():
        assert contains_fact(f"{before} {fact} {after}", fact)


def test_sources_match_by_relative_path() -> None:
    assert source_matches("/x/data/sample/a.txt", ["a.txt"])
    assert source_matches("/x/data/sample/sub/a.txt", ["sub/a.txt"])
    assert not source_matches("/x/data/sample/ba.txt", ["a.txt"])


def test_question_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "a", "question": "q"}\n{"id": "b"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"q.jsonl:2"):
        load_questions(bad)


def test_the_shipped_question_file_meets_its_brief() -> None:
    questions = load_questions(QUESTIONS)
    answerable = [q for q in questions if q.answerable]
    assert len(questions) >= 50
    assert sum(not q.answerable for q in questions) >= 10
    assert sum(len(q.sources) >= 2 for q in answerable) >= 3
    assert all(q.facts and q.sources for q in answerable)
    assert {s for q in answerable for s in q.sources} == {p.name for p in SAMPLE.glob("*.txt")}
    for q in answerable:
        texts = " ".join((SAMPLE / s).read_text(encoding="utf-8") for s in q.sources)
        for group in q.facts:
            assert any(contains_fact(texts, alt) for alt in group), f"{q.id}: {group} is in none of its sources"


def test_breaking_retrieval_fails_the_gate(sample_index: Path, embedder) -> None:
    questions = load_questions(QUESTIONS)
    thresholds = load_thresholds(THRESHOLDS)
    healthy = run_eval(Settings(index_dir=sample_index), questions, index=sample_index, pipelines=("ours",), embedder=embedder)
    assert gate(healthy, thresholds) == []
    broken = run_eval(Settings(index_dir=sample_index, top_k=0), questions, index=sample_index, pipelines=("ours",), embedder=embedder)
    failures = gate(broken, thresholds)
    assert any(f.startswith("fact_accuracy") for f in failures)
    assert any(f.startswith("refusal_precision") for f in failures)  # with no evidence, everything is refused


def test_eval_cli_gate_and_reports(sample_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run = subprocess.run(
        [sys.executable, "-m", "qa", "eval", "--questions", str(QUESTIONS), "--index", str(sample_index),
         "--gate", str(THRESHOLDS), "--json", str(out), "--markdown", str(tmp_path / "r.md"), "--pipeline", "ours"],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Eval gate passed" in run.stdout
    report = json.loads(out.read_text())
    assert report["metrics"]["ours"]["fact_accuracy"] >= load_thresholds(THRESHOLDS)["fact_accuracy"]
    assert len(report["results"]["ours"]) == len(load_questions(QUESTIONS))
    assert (tmp_path / "r.md").read_text().startswith("# Eval report")


def test_the_ablation_gate_needs_hybrid_strictly_ahead() -> None:
    from evals.harness import ablation_failures

    table = {"all": {"dense": {"mrr": 0.7}, "lexical": {"mrr": 0.8}, "hybrid": {"mrr": 0.85}},
             "no_diacritics": {"dense": {"mrr": 0.3}, "lexical": {"mrr": 0.7}, "hybrid": {"mrr": 0.7}}}
    assert ablation_failures(table, ["all:mrr"]) == []
    failures = ablation_failures(table, ["all:mrr", "no_diacritics:mrr"])
    assert len(failures) == 1 and "lexical" in failures[0] and "no_diacritics" in failures[0]
    with pytest.raises(InputError):
        ablation_failures(table, ["all:nonsense"])


def test_blind_split_is_frozen_by_its_hash() -> None:
    import hashlib

    recorded = (ROOT / "evals" / "blind.sha256").read_text().split()[0]
    assert hashlib.sha256((ROOT / "evals" / "blind.jsonl").read_bytes()).hexdigest() == recorded
    blind = load_questions(ROOT / "evals" / "blind.jsonl")
    dev = load_questions(ROOT / "evals" / "dev.jsonl")
    assert len(blind) >= 100 and len(blind) + len(dev) >= 250
    assert not {q.question for q in blind} & {q.question for q in dev}
    everything = blind + dev
    assert sum(not q.answerable for q in everything) >= len(everything) / 4
    assert sum("story" in q.types for q in blind) >= 40


def test_dates_and_whole_numbers_match_as_people_write_them() -> None:
    assert contains_fact("Hà Nội, ngày 15 tháng 3 năm 2024", "15/03/2024")
    assert contains_fact("signed on 15 March 2024.", "ngày 15 tháng 3 năm 2024")
    assert contains_fact("from March 15, 2024", "15/3/2024")
    assert not contains_fact("on 16 March 2024", "15/3/2024")
    assert not contains_fact("about 14.5 ha", "14")
    assert contains_fact("about 14 ha.", "14")


def test_lead_accuracy_counts_the_facts_a_reader_takes_as_the_answer(sample_assistant) -> None:
    """An answer that quotes the right number third, after a wrong one, has the fact but not in its
    lead: fact accuracy counts it, lead accuracy does not."""
    from evals.facts import EvalQuestion
    from evals.harness import score_question

    question = EvalQuestion(id="q1", question="How many workers do the operating industrial clusters employ?",
                            facts=[["4,440"]], sources=[], answerable=True)
    result = score_question(sample_assistant, sample_assistant.retriever, question)
    assert result.passed and result.lead_passed
    wrong_first = QuestionResult(id="q2", question="?", answerable=True, passed=True, lead_passed=False, facts_passed=1, facts_total=1,
                                 refused=False, evidence=1.0, citations=[], citation_hits=0, first_source_rank=1, latency=0.1, answer="")
    metrics = summarize([result, wrong_first])
    assert metrics["fact_accuracy"] == 1.0 and metrics["lead_accuracy"] == 0.5
