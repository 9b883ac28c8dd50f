"""The `qa` command as a user runs it: real subprocesses, real index."""

import json
import subprocess
import sys
from pathlib import Path

from qa import REFUSAL


def qa(*args: str, index: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qa", "--index-dir", str(index), *args], capture_output=True, text=True, timeout=300
    )


def test_ask_json_has_the_documented_fields(sample_index: Path) -> None:
    run = qa("ask", "How many industrial clusters are planned in Khanh Hoa and with what total area?", "--json",
             index=sample_index)
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert {"answer", "refused", "citations", "backend", "timings"} <= answer.keys()
    assert answer["backend"] == "extractive" and not answer["refused"]
    citation = answer["citations"][0]
    assert {"n", "source", "title", "start", "end", "quote", "score"} <= citation.keys()
    assert citation["source"].endswith("khanh-hoa-industrial-clusters.txt")


def test_ask_text_shows_quote_and_source(sample_index: Path) -> None:
    run = qa("ask", "Ket luan 544-KL/TU duoc ban hanh ngay nao?", index=sample_index)
    assert run.returncode == 0, run.stderr
    assert "[1]" in run.stdout and "khanh-hoa-ket-luan-544-KL-TU-2024.txt" in run.stdout


def test_ask_prints_the_lead_first_and_what_adds_to_it_after(sample_index: Path) -> None:
    question = "When was the workshop on the Ninh Binh merger held?"
    answer = json.loads(qa("ask", question, "--json", index=sample_index).stdout)
    assert answer["lead"] and answer["answer"].startswith(answer["lead"]) and answer["answer"] != answer["lead"]
    run = qa("ask", question, index=sample_index)
    assert run.stdout.startswith(answer["lead"] + "\n\nAlso in the documents: ")


def test_unanswerable_question_prints_the_refusal(sample_index: Path) -> None:
    run = qa("ask", "What is the population of Hanoi?", index=sample_index)
    assert run.returncode == 0
    assert run.stdout.strip() == REFUSAL


def test_bad_input_gets_one_line_errors_and_nonzero_exit(tmp_path: Path, sample_index: Path) -> None:
    empty = qa("ask", "   ", index=sample_index)
    assert empty.returncode == 1 and empty.stderr.strip().startswith("Error: The question is empty")
    assert len(empty.stderr.strip().splitlines()) == 1
    missing = qa("ingest", str(tmp_path / "nope"), index=tmp_path / "idx")
    assert missing.returncode == 1 and "No such file or folder" in missing.stderr
    bad_setting = subprocess.run([sys.executable, "-m", "qa", "ask", "x"], capture_output=True, text=True,
                                 env={"QA_TOP_K": "many", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert bad_setting.returncode == 1 and "top_k" in bad_setting.stderr


def test_ingest_reports_summary_and_skips(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# Plan\n\nThe plan builds 14 clusters.", encoding="utf-8")
    (docs / "empty.txt").write_text("", encoding="utf-8")
    run = qa("ingest", str(docs), index=tmp_path / "idx")
    assert run.returncode == 0, run.stderr
    assert "skipped" in run.stdout and "empty file" in run.stdout
    assert "Done: 1 added, 0 updated, 0 unchanged, 0 removed, 1 skipped." in run.stdout
    again = qa("ingest", "--if-empty", str(docs), index=tmp_path / "idx")
    assert "nothing to do" in again.stdout
