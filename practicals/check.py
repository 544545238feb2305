"""The check model shared by every practical.

A check has two halves, so that its verdict never depends on code the student can tamper with:

- a **probe** (``practicals/<id>/probes.py``) runs next to the student's code: it calls the
  submission's functions on inputs it builds and returns a small JSON-serialisable observation
  (shapes, dtypes, a loss history, generated text ...);
- a **judge** (the decorated function in ``practicals/<id>/checks.py``) runs in the trusted
  process: it compares the observation with what is expected and raises ``CheckFailed`` with a
  message stating what was expected and what was observed.

Under plain pytest both halves run in one process (``pytest practicals/<id>/checks.py
--submission PATH``). The grading runner runs the probe in an isolated child and the judge in the
parent. Observations always make a JSON round trip, so both paths judge exactly the same data.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Visibility = Literal["visible", "hidden"]
Observation = dict[str, Any]


class CheckFailed(AssertionError):
    """A check's expectation was not met; the message is shown to the student."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ProbeContext:
    """What a probe gets besides the submission: a seed and JSON-serialisable keyword arguments."""

    seed: int = 0
    kwargs: dict[str, Any] = field(default_factory=dict)


Probe = Callable[[Any, ProbeContext], Observation]
Judge = Callable[[Observation], None]


@dataclass(frozen=True)
class Check:
    practical: str
    name: str
    description: str
    points: float
    visibility: Visibility
    probe: Probe
    judge: Judge
    probe_kwargs: dict[str, Any]
    timeout: float

    @property
    def probe_name(self) -> str:
        return self.probe.__name__

    @property
    def check_id(self) -> str:
        return f"{self.practical}::{self.name}"


# practical id -> its checks in definition order; filled when practicals.<id>.checks is imported.
REGISTRY: dict[str, list[Check]] = {}


def _practical_of(module_name: str, suffix: str) -> str:
    parts = module_name.split(".")
    if len(parts) != 3 or parts[0] != "practicals" or parts[2] != suffix:
        raise TypeError(f"{module_name!r} is not a practicals.<id>.{suffix} module")
    return parts[1]


def check(
    *,
    points: float,
    probe: Probe,
    visibility: Visibility = "visible",
    timeout: float = 60.0,
    **probe_kwargs: Any,
) -> Callable[[Judge], Callable[..., None]]:
    """Declare a check: decorate its judge; the result is also a pytest test function."""
    if visibility not in ("visible", "hidden"):
        raise ValueError(f"visibility must be 'visible' or 'hidden', not {visibility!r}")
    if points <= 0:
        raise ValueError("a check must be worth more than 0 points")

    def decorate(judge: Judge) -> Callable[..., None]:
        practical = _practical_of(judge.__module__, "checks")
        if _practical_of(probe.__module__, "probes") != practical:
            raise TypeError(f"probe {probe.__name__} must live in practicals.{practical}.probes")
        description = (judge.__doc__ or judge.__name__).strip().splitlines()[0]
        spec = Check(
            practical=practical,
            name=judge.__name__,
            description=description,
            points=float(points),
            visibility=visibility,
            probe=probe,
            judge=judge,
            probe_kwargs=dict(probe_kwargs),
            timeout=timeout,
        )
        checks = REGISTRY.setdefault(practical, [])
        checks[:] = [c for c in checks if c.name != spec.name] + [spec]

        def test(submission: Any, check_seed: int) -> None:
            observation = run_probe(spec, submission, seed=check_seed)
            spec.judge(observation)

        test.__name__ = judge.__name__
        test.__qualname__ = judge.__qualname__
        test.__doc__ = judge.__doc__
        test.__module__ = judge.__module__
        test.check = spec  # type: ignore[attr-defined]
        return test

    return decorate


def run_probe(spec: Check, submission: Any, *, seed: int = 0) -> Observation:
    """Run a check's probe on a loaded submission; return its observation after a JSON round trip."""
    from practicals.probing import seed_everything

    seed_everything(seed)
    observation = spec.probe(submission, ProbeContext(seed=seed, kwargs=dict(spec.probe_kwargs)))
    if not isinstance(observation, dict):
        raise TypeError(f"probe {spec.probe_name} returned {type(observation).__name__}, not a dict")
    return json.loads(json.dumps(observation, allow_nan=True, default=_jsonable))


def _jsonable(value: Any) -> Any:
    """Make numpy scalars and arrays JSON-friendly; refuse anything else loudly."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"observation value of type {type(value).__name__} is not JSON-serialisable")


# ---- helpers for judges: each raises CheckFailed with an "expected ..., observed ..." message ----


def fail(what: str, *, expected: Any, observed: Any) -> None:
    raise CheckFailed(f"{what}: expected {_show(expected)}, observed {_show(observed)}")


def expect(condition: bool, what: str, *, expected: Any, observed: Any) -> None:
    if not condition:
        fail(what, expected=expected, observed=observed)


def expect_equal(observed: Any, expected: Any, what: str) -> None:
    if _normalise(observed) != _normalise(expected):
        fail(what, expected=expected, observed=observed)


def expect_close(observed: float | None, expected: float, what: str, *, tol: float = 1e-4) -> None:
    if observed is None or not math.isfinite(observed) or abs(observed - expected) > tol:
        fail(what, expected=f"{expected:g} (within {tol:g})", observed=observed)


def expect_at_least(observed: float | None, minimum: float, what: str) -> None:
    if observed is None or not math.isfinite(observed) or observed < minimum:
        fail(what, expected=f">= {minimum:g}", observed=observed)


def expect_at_most(observed: float | None, maximum: float, what: str) -> None:
    if observed is None or not math.isfinite(observed) or observed > maximum:
        fail(what, expected=f"<= {maximum:g}", observed=observed)


def _normalise(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    return value


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, float):
        text = f"{value:.4g}"
    elif isinstance(value, (list, tuple)) and all(isinstance(v, (int, type(None))) for v in value):
        text = "(" + ", ".join("None" if v is None else str(v) for v in value) + ")"
    else:
        text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
