"""Checks of the test-only practical. SECRET-CHECKS-7f3a is what a leak would reveal."""

from __future__ import annotations

from practicals.adversary import probes

from practicals.check import check, expect_equal


@check(points=1, probe=probes.probe_add, a=2, b=3, timeout=10)
def test_add(obs):
    """add(2, 3) is 5."""
    expect_equal(obs["value"], 5, "`add(2, 3)`")


@check(points=1, probe=probes.probe_greet, timeout=10)
def test_greet(obs):
    """greet greets by name."""
    expect_equal(obs["value"], "Hello, Ada!", "`greet('Ada')`")


@check(points=1, probe=probes.probe_attack, timeout=10)
def test_attack(obs):
    """attack() returns the answer."""
    expect_equal(obs["value"], 42, "`attack()`")


@check(points=2, probe=probes.probe_add, visibility="hidden", a=1234, b=4321, timeout=10)
def test_hidden_add(obs):
    """add works on other numbers."""
    expect_equal(obs["value"] == 5555, True, "`add` on the hidden numbers gives their sum")
