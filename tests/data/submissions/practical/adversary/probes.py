"""Probes of the test-only practical: call the student's functions, observe their results."""

from __future__ import annotations

from typing import Any


def probe_add(sub: Any, ctx: Any) -> dict:
    a, b = ctx.kwargs["a"], ctx.kwargs["b"]
    return {"value": sub.add(a, b)}


def probe_greet(sub: Any, ctx: Any) -> dict:
    return {"value": sub.greet("Ada")}


def probe_attack(sub: Any, ctx: Any) -> dict:
    value = sub.attack()
    return {"value": value if isinstance(value, (int, str)) else repr(value)}
