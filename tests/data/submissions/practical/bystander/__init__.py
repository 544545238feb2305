"""Test-only practical graded next to the adversary."""
