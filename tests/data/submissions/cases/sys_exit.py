"""attack() calls sys.exit(0)."""

import sys


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    sys.exit(0)
