"""The mapping from grading signals to a calibrated score, stored as JSON (no pickles).

A calibration is a logistic model over standardised signals (coefficient signs constrained so that
e.g. more rubric coverage never lowers a score) followed by an isotonic map from its probability to
the instructors' score scale. ``fit`` learns both from graded answers; with a ``prior`` it pulls the
coefficients towards the prior's, so that a few dozen instructor grades adjust the shipped default
instead of replacing it.

Two calibrations ship with the package (regenerate both with ``python scripts/train_calibration.py``):
``graders/data/default_calibration.json`` for bank questions (and ad-hoc items whose reference is a
paragraph, graded sentence by sentence like a rubric), and ``graders/data/reference_calibration.json``
for ad-hoc items with a short reference answer (one claim, graded as a whole). The latter is a
``Blend``: the weighted mean of a SemEval-2013 model's P(correct) (the prior's signals plus the
references' context, ``signals.CONTEXT``), which tells right from wrong answers, the shipped rubric
calibration's score, which ranks degrees of credit, and the answer verifier's Platt-scaled P(correct)
(``graders.verifier``), mapped so that 0.5 falls where SemEval's correct and incorrect answers part
(a bank's own calibration from ``quiz calibrate`` does not change it). ``quiz calibrate`` stores a
bank's calibration as ``<bank file stem>.calibration.json`` next to a bank given by path, and as
``<user data dir>/calibration/<bank name>.calibration.json`` for a packaged bank given by name.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from graders.errors import InputError
from graders.results import atomic_write_text
from graders.signals import CONTEXT, FEATURES
from graders.verifier import SIGNAL as VERIFIER

log = logging.getLogger(__name__)

DEFAULT_FILE = "default_calibration.json"
REFERENCE_FILE = "reference_calibration.json"
MIN_SCALE = 1e-3  # standard deviation under which a signal counts as constant
# Sign each coefficient may take: +1 more of the signal never lowers the score, -1 never raises it.
SIGNS: dict[str, int] = {
    "ref_cos": 1,
    "ref_cos_demoted": 1,
    "question_cos": 0,
    "align_precision": 1,
    "align_recall": 1,
    "align_f1": 1,
    "coverage": 1,
    "coverage_soft": 1,
    "reversed": -1,
    "lemma_recall": 1,
    "lemma_precision": 1,
    "novelty": 1,
    "misconception": -1,
    "point_lemmas": 1,
    VERIFIER: 1,
    **dict.fromkeys(CONTEXT, 0),
}


@dataclass(frozen=True)
class Calibration:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    iso_x: np.ndarray  # isotonic knots: probability -> score; empty means identity
    iso_y: np.ndarray
    source: str = ""
    n_rows: int = 0

    @classmethod
    def untrained(cls) -> Calibration:
        """All-zero coefficients (every answer 0.5): for extracting signals before anything is fitted."""
        n = len(FEATURES)
        return cls(
            FEATURES, np.zeros(n), np.ones(n), np.zeros(n), 0.0, np.array([]), np.array([]), "untrained"
        )

    def probability(self, features: dict[str, float]) -> float:
        x = np.array([features[name] for name in self.features])
        z = float(((x - self.mean) / self.scale) @ self.coef + self.intercept)
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def score(self, features: dict[str, float]) -> float:
        """Calibrated score in [0, 1]."""
        p = self.probability(features)
        return float(np.interp(p, self.iso_x, self.iso_y)) if self.iso_x.size else p

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "source": self.source,
            "n_rows": self.n_rows,
            "features": list(self.features),
            "mean": _rounded(self.mean),
            "scale": _rounded(self.scale),
            "coef": _rounded(self.coef),
            "intercept": round(self.intercept, 6),
            "isotonic": {"x": _rounded(self.iso_x), "y": _rounded(self.iso_y)},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, where: str = "calibration") -> Calibration:
        try:
            features = tuple(data["features"])
            unknown = set(features) - set(SIGNS)
            if unknown:
                raise InputError(
                    f"{where}: unknown signals {sorted(unknown)}",
                    hint="refit it with 'quiz calibrate' for this version of the grader",
                )
            cal = cls(
                features=features,
                mean=np.array(data["mean"], dtype=float),
                scale=np.array(data["scale"], dtype=float),
                coef=np.array(data["coef"], dtype=float),
                intercept=float(data["intercept"]),
                iso_x=np.array(data["isotonic"]["x"], dtype=float),
                iso_y=np.array(data["isotonic"]["y"], dtype=float),
                source=str(data.get("source", "")),
                n_rows=int(data.get("n_rows", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{where}: not a grader calibration ({exc})", hint="refit it with 'quiz calibrate'"
            ) from None
        if (
            not (len(cal.mean) == len(cal.scale) == len(cal.coef) == len(features))
            or cal.iso_x.shape != cal.iso_y.shape
        ):
            raise InputError(f"{where}: inconsistent array lengths", hint="refit it with 'quiz calibrate'")
        return cal

    def save(self, path: Path) -> None:
        _write_json(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> Calibration:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(
                f"cannot read calibration {path}: {exc}", hint="refit it with 'quiz calibrate'"
            ) from None
        return cls.from_json(data, where=str(path))


@dataclass(frozen=True)
class Blend:
    """A weighted mean of calibrations' scores, then a piecewise-linear map (``map_x`` -> ``map_y``).

    Two calibrations that each rank one kind of data well can disagree on another: a fit on binary
    right/wrong labels ranks graded answers poorly, a fit on graded answers puts its 0.5 in the wrong
    place for binary labels. Their mean ranks both well, and the map moves its 0.5 back (``fit_blend``).
    """

    parts: tuple[Calibration, ...]
    weights: tuple[float, ...]
    map_x: np.ndarray
    map_y: np.ndarray
    source: str = ""
    n_rows: int = 0

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for part in self.parts for f in part.features))

    def score(self, features: dict[str, float]) -> float:
        """The mapped mean; a part whose signals are missing (the verifier, with another embedding model)
        is left out and the others' weights scaled up."""
        usable = [
            (part, w)
            for part, w in zip(self.parts, self.weights, strict=True)
            if all(f in features for f in part.features)
        ]
        mean = sum(w * part.score(features) for part, w in usable) / sum(w for _, w in usable)
        return float(np.interp(mean, self.map_x, self.map_y))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "kind": "blend",
            "source": self.source,
            "n_rows": self.n_rows,
            "weights": list(self.weights),
            "map": {"x": _rounded(self.map_x), "y": _rounded(self.map_y)},
            "parts": [part.to_json() for part in self.parts],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, where: str = "calibration") -> Blend:
        try:
            parts = tuple(Calibration.from_json(part, where=where) for part in data["parts"])
            blend = cls(
                parts,
                tuple(float(w) for w in data["weights"]),
                np.array(data["map"]["x"], dtype=float),
                np.array(data["map"]["y"], dtype=float),
                str(data.get("source", "")),
                int(data.get("n_rows", 0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{where}: not a blended grader calibration ({exc})",
                hint="regenerate it with scripts/train_calibration.py",
            ) from None
        if (
            data.get("kind") != "blend"
            or not blend.parts
            or len(blend.parts) != len(blend.weights)
            or blend.map_x.ndim != 1
            or blend.map_x.shape != blend.map_y.shape
            or len(blend.map_x) < 2
            or not np.all(np.diff(blend.map_x) > 0)
        ):
            raise InputError(
                f"{where}: inconsistent blend", hint="regenerate it with scripts/train_calibration.py"
            )
        return blend

    def save(self, path: Path) -> None:
        _write_json(path, self.to_json())


def fit_blend(
    parts: tuple[Calibration, ...],
    weights: tuple[float, ...],
    X: np.ndarray,
    y: np.ndarray,
    *,
    features: tuple[str, ...] = FEATURES,
    source: str = "",
) -> Blend:
    """Blend ``parts`` and map the blend linearly on each side of the threshold that best separates the
    rows of ``X`` labelled correct (``y`` >= 0.5) from the others, so that this threshold becomes 0.5.
    The map is monotone: the blend's ranking, and so its correlation with graded scores, stays."""
    unmapped = Blend(parts, weights, np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    raw = np.array([unmapped.score(dict(zip(features, row, strict=True))) for row in X])
    cut = min(max(_best_threshold(raw, np.asarray(y) >= 0.5), 1e-3), 1 - 1e-3)
    return Blend(parts, weights, np.array([0.0, cut, 1.0]), np.array([0.0, 0.5, 1.0]), source, len(raw))


def _best_threshold(values: np.ndarray, positive: np.ndarray) -> float:
    """The threshold t that maximises the accuracy of "positive when value >= t" (a cut between two
    distinct values is placed half-way between them; 0.5 without values)."""
    if not len(values):
        return 0.5
    order = np.argsort(values, kind="stable")
    v, pos = values[order], np.asarray(positive, dtype=bool)[order]
    negatives_below = np.concatenate([[0], np.cumsum(~pos)])
    positives_from = pos.sum() - np.concatenate([[0], np.cumsum(pos)])
    allowed = np.concatenate([[True], v[1:] > v[:-1], [True]])  # never between two equal values
    i = int(np.argmax(np.where(allowed, negatives_below + positives_from, -1)))
    if i == 0:
        return float(v[0])
    return float(v[-1]) + 1e-9 if i == len(v) else float(v[i - 1] + v[i]) / 2


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


def _write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(data, indent=1) + "\n")


def default_calibration() -> Calibration:
    """The calibration shipped for rubric items (SemEval-2013, then theory_dev and the bank's examples)."""
    return Calibration.from_json(_packaged(DEFAULT_FILE), where=DEFAULT_FILE)


def reference_calibration() -> Blend:
    """The calibration shipped for ad-hoc items with a short reference answer."""
    return Blend.from_json(_packaged(REFERENCE_FILE), where=REFERENCE_FILE)


def _packaged(name: str) -> dict[str, Any]:
    return json.loads(resources.files("graders.data").joinpath(name).read_text(encoding="utf-8"))


def fit(
    X: np.ndarray,
    y: np.ndarray,
    *,
    features: tuple[str, ...] = FEATURES,
    sample_weight: np.ndarray | None = None,
    prior: Calibration | None = None,
    strength: float = 1.0,
    isotonic: bool = True,
    source: str = "",
) -> Calibration:
    """Fit a calibration on signal rows ``X`` (columns ``features``) and scores ``y`` in [0, 1].

    Scores between 0 and 1 are soft labels (cross-entropy against the fraction). With a ``prior`` the
    coefficients are pulled towards the prior's with an L2 penalty of ``strength`` per row-weight unit
    summed over the rows, and the prior's standardisation is kept.
    """
    X = np.asarray(X, dtype=float)
    y = np.clip(np.asarray(y, dtype=float), 0.0, 1.0)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    mean, scale = X.mean(axis=0), np.maximum(X.std(axis=0), MIN_SCALE)
    coef0, b0 = np.zeros(len(features)), 0.0
    if prior is not None:
        index = [prior.features.index(f) for f in features]
        # Keep the prior's standardisation, except for signals the prior never saw vary (e.g. the
        # misconception signal on data without misconceptions): those take this data's.
        seen = prior.scale[index] > MIN_SCALE
        mean = np.where(seen, prior.mean[index], mean)
        scale = np.where(seen, prior.scale[index], scale)
        coef0, b0 = prior.coef[index], prior.intercept
    Z = (X - mean) / scale
    penalty = strength if prior is not None else 1e-3
    wsum = w.sum()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        coef, b = theta[:-1], theta[-1]
        z = Z @ coef + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
        eps = 1e-9
        nll = -(w * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))).sum() / wsum
        diff = coef - coef0
        grad_z = w * (p - y) / wsum
        grad = np.concatenate([Z.T @ grad_z + penalty * diff, [grad_z.sum()]])
        return nll + 0.5 * penalty * float(diff @ diff), grad

    bounds = [(0, None) if SIGNS[f] > 0 else (None, 0) if SIGNS[f] < 0 else (None, None) for f in features]
    theta0 = np.concatenate([coef0, [b0]])
    result = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)])
    coef, intercept = result.x[:-1], float(result.x[-1])
    cal = Calibration(features, mean, scale, coef, intercept, np.array([]), np.array([]), source, len(y))
    if not isotonic:
        return cal
    from sklearn.isotonic import IsotonicRegression

    probs = np.array([cal.probability(dict(zip(features, row, strict=True))) for row in X])
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(probs, y, sample_weight=w)
    return Calibration(
        features, mean, scale, coef, intercept, iso.X_thresholds_, iso.y_thresholds_, source, len(y)
    )


def calibration_path(bank: str | Path | None = None) -> Path:
    """Where the calibration of a bank (name, path, or None for the default bank) lives."""
    from graders.bank import is_packaged, resolve_bank_path

    path = resolve_bank_path(bank).resolve()
    if is_packaged(path):  # packaged banks are read-only
        from platformdirs import user_data_dir

        return Path(user_data_dir("attention-quiz")) / "calibration" / f"{path.stem}.calibration.json"
    return path.with_name(f"{path.stem}.calibration.json")


def calibration_for(bank: str | Path | None = None) -> Calibration:
    """The bank's own calibration when ``quiz calibrate`` stored one, else the shipped default."""
    path = calibration_path(bank)
    if path.exists():
        log.info("using calibration %s", path)
        return Calibration.load(path)
    return default_calibration()
