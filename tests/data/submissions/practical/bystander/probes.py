"""Probe of the honest test-only practical."""

from __future__ import annotations

from typing import Any


def probe_echo(sub: Any, ctx: Any) -> dict:
    return {"value": sub.echo("hello")}
