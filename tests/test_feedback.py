import json
import subprocess
import sys
from pathlib import Path

from qa.feedback import FeedbackStore
from qa.results import Answer, Citation


def test_feedback_is_stored_and_exported(tmp_path: Path) -> None:
    index = tmp_path / "idx"
    store = FeedbackStore(index / "feedback.sqlite3")
    citation = Citation(n=1, doc_id="d", source="s.txt", title="T", start=0, end=3, quote="abc", score=1.0)
    answer = Answer(question="How many?", answer="14 [1]", refused=False, citations=[citation],
                    backend="extractive", evidence=1.0, settings_hash="abc123")
    store.record(answer, 1, "right number")
    store.record(answer, -1)
    out = tmp_path / "feedback.jsonl"
    run = subprocess.run([sys.executable, "-m", "qa", "--index-dir", str(index), "feedback", "export", "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["rating"] for r in rows] == [1, -1]
    assert rows[0]["comment"] == "right number" and rows[0]["settings_hash"] == "abc123"
    assert rows[0]["answer"]["citations"][0]["quote"] == "abc"
