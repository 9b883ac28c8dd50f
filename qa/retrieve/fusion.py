"""Weighted reciprocal rank fusion, as a pure function with a stable order.

Ties are broken by the better single rank, then by a key the caller gives (the chunk's file name
and position: never its id, which hashes the file's absolute path, so a checkout in another folder
ranked ties differently), never by set or dict order, so the same question gives the same ranking
under any PYTHONHASHSEED and in any folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fused:
    chunk_id: str
    score: float
    dense_rank: int | None
    lexical_rank: int | None


def fuse(
    dense: Sequence[str], lexical: Sequence[str], rrf_k: int, dense_weight: float = 1.0, lexical_weight: float = 1.0,
    tie_key: Callable[[str], Any] = str, extra: Sequence[Sequence[str]] = (), extra_weights: Sequence[float] = (),
) -> list[Fused]:
    """Chunk ids ranked by sum(weight / (rrf_k + rank)) over the lists that hold them (rank from 1).
    `extra` lists (weight 1, or their `extra_weights`) add to the score without being a rank of their own."""
    dense_rank = {chunk_id: rank for rank, chunk_id in reversed(list(enumerate(dense)))}
    lexical_rank = {chunk_id: rank for rank, chunk_id in reversed(list(enumerate(lexical)))}
    extra_ranks = [{chunk_id: rank for rank, chunk_id in reversed(list(enumerate(ids)))} for ids in extra]
    weights = list(extra_weights) or [1.0] * len(extra)
    fused = []
    for chunk_id in dict.fromkeys([*dense, *lexical, *(c for ids in extra for c in ids)]):
        d, lx = dense_rank.get(chunk_id), lexical_rank.get(chunk_id)
        score = (dense_weight / (rrf_k + d + 1) if d is not None else 0.0) + (
            lexical_weight / (rrf_k + lx + 1) if lx is not None else 0.0
        ) + sum(weight / (rrf_k + ranks[chunk_id] + 1) for ranks, weight in zip(extra_ranks, weights, strict=True) if chunk_id in ranks)
        fused.append(Fused(chunk_id, score, d, lx))
    fused.sort(key=lambda f: (-f.score, min((r for r in (f.dense_rank, f.lexical_rank) if r is not None), default=len(dense) + len(lexical)),
                              tie_key(f.chunk_id)))
    return fused
