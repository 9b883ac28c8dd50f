"""When to refuse: a small logistic model over several signals, not one score.

The evidence score of a wrong answer overlaps that of a right one, so no threshold on it alone
can separate them. The model reads what else is known about the best passage: whether dense and
BM25 retrieval agree on it, the margin over the next passage, names and numbers of the question
missing from it, its retrieval rank and similarity, and whether the question came with a story.
It is fitted on the dev split with cross-validation (`qa eval --fit-refusal`), stored as JSON
beside this module, and gives every extractive answer a confidence.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

SIGNALS = (
    "evidence", "margin", "agree", "dense_similarity", "lexical_top", "rank", "missing_numbers", "missing_names",
    "story", "vietnamese", "wanted_value", "missing_rare", "chunk_coverage", "same_document",
    "unknown_names", "meaning", "unit_found", "rare_in_sentence",
)
MODEL_FILE = "refusal_model.json"


@dataclass(frozen=True)
class RefusalModel:
    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    cut: float

    def confidence(self, signals: dict[str, float]) -> float:
        z = self.bias + sum(
            w * (signals.get(name, 0.0) - m) / s for w, name, m, s in zip(self.weights, SIGNALS, self.means, self.scales, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, object]:
        return {"signals": list(SIGNALS), "weights": list(self.weights), "bias": self.bias, "means": list(self.means),
                "scales": list(self.scales), "cut": self.cut}


@cache
def load_model() -> RefusalModel | None:
    """The fitted model shipped with the package, or None when there is none (or it names other signals)."""
    resource = resources.files("qa.answer").joinpath(MODEL_FILE)
    if not resource.is_file():
        return None
    data = json.loads(resource.read_text(encoding="utf-8"))
    if data.get("signals") != list(SIGNALS):
        return None
    return RefusalModel(tuple(data["weights"]), float(data["bias"]), tuple(data["means"]), tuple(data["scales"]), float(data["cut"]))


def _fit(x: np.ndarray, y: np.ndarray, l2: float = 5.0, steps: int = 3000) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent on standardised features, with an L2 penalty."""
    w = np.zeros(x.shape[1])
    b = 0.0
    rate = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= rate * (x.T @ (p - y) / len(y) + l2 * w / len(y))
        b -= rate * float(np.mean(p - y))
    return w, b


def fit(
    rows: list[dict[str, float]], labels: list[bool], unanswerable: list[bool], folds: int = 5, seed: int = 0
) -> tuple[RefusalModel, dict[str, float]]:
    """Fit P(the answer is right) on right answers against answers to unanswerable questions; a
    wrong answer to an answerable question is lost whether refused or not, so it teaches nothing
    about when to refuse. The cut is 0.5: answer when the answer is more likely right than not.
    (The cut where the most questions come out right on out-of-fold predictions is reported beside
    it: it moves with a few questions, 0.48-0.53 on the last fits.) Reports cross-validated refusal
    precision and recall at the cut."""
    keep = [label or never for label, never in zip(labels, unanswerable, strict=True)]
    x = np.array([[row.get(name, 0.0) for name in SIGNALS] for row, k in zip(rows, keep, strict=True) if k], dtype=np.float64)
    y = np.array([label for label, k in zip(labels, keep, strict=True) if k], dtype=np.float64)
    should = y == 0
    means = x.mean(axis=0)
    scales = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
    z = (x - means) / scales
    order = np.random.default_rng(seed).permutation(len(y))
    out_of_fold = np.zeros(len(y))
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        w, b = _fit(z[train], y[train])
        out_of_fold[test] = 1.0 / (1.0 + np.exp(-(z[test] @ w + b)))
    cuts = np.unique(np.round(out_of_fold, 3))

    def right(cut: float) -> float:
        kept = out_of_fold >= cut
        return float(np.sum(kept & (y == 1)) + np.sum(~kept & should))

    best_cut = max(cuts, key=lambda c: (right(c), -abs(c - 0.5)))
    cut = 0.5
    refused = out_of_fold < cut
    report = {
        "questions": float(len(y)),
        "cv_right": right(cut) / len(y),
        "cv_refusal_precision": float(np.sum(refused & should) / max(1, np.sum(refused))),
        "cv_refusal_recall": float(np.sum(refused & should) / max(1, np.sum(should))),
        "cut": cut,
        "cv_best_cut": float(best_cut),
        "cv_right_at_best_cut": right(best_cut) / len(y),
    }
    w, b = _fit(z, y)
    model = RefusalModel(tuple(map(float, w)), float(b), tuple(map(float, means)), tuple(map(float, scales)), cut)
    return model, report


def save(model: RefusalModel, path: Path) -> None:
    path.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
