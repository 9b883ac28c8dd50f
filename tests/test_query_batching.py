"""Questions asked at once are embedded together, and each gets the vector it would have alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from qa.index.embedders import QueryBatcher

QUESTIONS = [f"How many industrial clusters does district {n} of Khanh Hoa plan, and how large are they?" for n in range(24)]


def test_concurrent_questions_share_calls_and_keep_their_vectors(embedder) -> None:
    batcher = QueryBatcher(embedder)
    alone = [embedder.embed_query(q) for q in QUESTIONS]
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        together = list(pool.map(batcher.embed_query, QUESTIONS))
    for one, other in zip(alone, together, strict=True):
        np.testing.assert_allclose(one, other, atol=1e-6)
    assert sum(batcher.batches) == len(QUESTIONS)
    assert len(batcher.batches) < len(QUESTIONS), "questions waiting together go in one call"


def test_a_failed_call_reaches_every_asker() -> None:
    class Broken:
        name, dim = "broken", 3

        def embed_queries(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("the engine failed")

    batcher = QueryBatcher(Broken())  # type: ignore[arg-type]
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batcher.embed_query, q) for q in QUESTIONS[:4]]
    for future in futures:
        with pytest.raises(RuntimeError, match="engine failed"):
            future.result()
    with ThreadPoolExecutor(1) as pool, pytest.raises(RuntimeError, match="engine failed"):
        pool.submit(batcher.embed_query, "and the next question").result(timeout=30)  # the worker lives on


def test_questions_retrieve_at_the_same_time() -> None:
    """Two questions' retrievals overlap (functools.cached_property on Python 3.11 would make the
    second wait for the first: one lock for every instance)."""
    import threading

    from qa.answer.base import AnswerRequest
    from qa.question import parse_question

    both_inside = threading.Barrier(2, timeout=10)

    def retrieve() -> list:
        both_inside.wait()  # raises BrokenBarrierError if the other retrieval cannot start meanwhile
        return []

    requests = [AnswerRequest(parse_question("How many clusters?"), retrieve, whole_index=True) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        assert [list(r) for r in pool.map(lambda request: request.retrieved, requests)] == [[], []]


def test_a_short_answer_from_the_embedder_fails_those_questions_not_the_worker() -> None:
    class Short:
        name, dim = "short", 3

        def embed_queries(self, texts: list[str]) -> np.ndarray:
            return np.zeros((max(0, len(texts) - 1), 3), dtype=np.float32)  # one vector too few

    batcher = QueryBatcher(Short(), workers=1)  # type: ignore[arg-type]
    with ThreadPoolExecutor(1) as pool:
        for question in ("one", "two"):
            with pytest.raises(ValueError):
                pool.submit(batcher.embed_query, question).result(timeout=30)  # never hangs


def test_a_question_asked_again_reuses_its_vector(embedder) -> None:
    batcher = QueryBatcher(embedder)
    first = batcher.embed_query(QUESTIONS[0])
    again = batcher.embed_query(QUESTIONS[0])
    other = batcher.embed_query(QUESTIONS[1])
    assert sum(batcher.batches) == 2, "the repeated question was embedded again"
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    with pytest.raises(ValueError):
        again[0] = 1.0  # a remembered vector is shared, so nobody may change it


def test_remembered_vectors_are_bounded(embedder) -> None:
    batcher = QueryBatcher(embedder)
    batcher.REMEMBERED = 3
    for question in QUESTIONS[:5]:
        batcher.embed_query(question)
    batcher.embed_query(QUESTIONS[0])  # forgotten: the oldest went first
    assert sum(batcher.batches) == 6
