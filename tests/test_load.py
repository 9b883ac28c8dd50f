"""50 concurrent questions against the served app over HTTP on loopback; bounded in count and time."""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from evals.load import QUESTIONS
from qa import Assistant

CONCURRENT = 50


def ask_over_http(base: str, question: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=120) as client:
        event = client.post("/gradio_api/call/ask", json={"data": [question]})
        event.raise_for_status()
        event_id = event.json()["event_id"]
        with client.stream("GET", f"/gradio_api/call/ask/{event_id}") as stream:
            kind = ""
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    payload = json.loads(line.split(":", 1)[1])
                    if kind == "error":
                        raise RuntimeError(f"server error: {payload}")
                    return time.perf_counter() - started, payload[0]
    raise RuntimeError("stream ended without a result")


def test_fifty_concurrent_questions_all_answer(sample_assistant: Assistant, capsys) -> None:
    from ui.server import BackgroundServer, create_server

    server = BackgroundServer(create_server(sample_assistant))
    base = server.url
    try:
        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            futures = [pool.submit(ask_over_http, base, QUESTIONS[i % len(QUESTIONS)]) for i in range(CONCURRENT)]
            time.sleep(0.5)
            page_started = time.perf_counter()
            page = httpx.get(base + "/", timeout=30)
            page_seconds = time.perf_counter() - page_started
            results = [f.result(timeout=300) for f in futures]
    finally:
        server.close()
    assert page.status_code == 200 and "Policy documents QA" in page.text
    latencies = sorted(r[0] for r in results)
    answers = [r[1] for r in results]
    assert len(answers) == CONCURRENT
    assert all("669 hectares" in a["answer"] for a in answers[0::5])
    assert all(a["refused"] for a in answers[3::5])
    with capsys.disabled():
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"\nload: {CONCURRENT} concurrent questions, p50 {statistics.median(latencies):.2f} s, "
              f"p95 {p95:.2f} s, page under load {page_seconds:.2f} s")


def test_a_crowd_larger_than_the_old_queue_gets_answers_not_busy_errors(sample_assistant: Assistant) -> None:
    """150 people ask at the same moment (the page used to hold 64 and answer the rest 'Queue is
    full'); each waits for its answer. The full 200-client, 60-second run is in `qa bench`."""
    from evals.load import load_test

    report = load_test(sample_assistant, clients=150, seconds=1)
    assert report["answers"] >= 150 and report["errors"] == 0, report["error_kinds"]


def test_a_new_visitor_does_not_make_gradio_work_out_every_block(sample_assistant: Assistant) -> None:
    """Gradio worked out the config of every block on a session's first event, on the event loop;
    ours works each out when first asked for, and ends with the same configs and attributes."""
    from gradio import state_holder

    from ui import gradio_sessions
    from ui.app import build_app

    blocks = build_app(sample_assistant)
    gradio_sessions.install()
    ours = state_holder.SessionState(blocks)
    theirs = object.__new__(state_holder.SessionState)
    gradio_sessions.GRADIO_SESSION_INIT(theirs, blocks)
    assert dict.__len__(ours.config_values) == 0, "configs were worked out before anything asked"
    some_block = next(iter(theirs.config_values))
    assert some_block in ours.config_values and dict.__len__(ours.config_values) == 1
    assert set(vars(ours)) == set(vars(theirs))
    assert dict(ours.config_values.items()) == theirs.config_values
    assert len(ours.config_values) == len(theirs.config_values) > 20
