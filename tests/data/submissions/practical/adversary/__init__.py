"""Test-only practical whose attack check adversarial submissions try to subvert."""
