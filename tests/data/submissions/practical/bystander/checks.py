"""Check of the honest test-only practical."""

from __future__ import annotations

from practicals.bystander import probes

from practicals.check import check, expect_equal


@check(points=1, probe=probes.probe_echo, timeout=10)
def test_echo(obs):
    """echo returns its argument."""
    expect_equal(obs["value"], "hello", "`echo('hello')`")
