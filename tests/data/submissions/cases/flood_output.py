"""attack() prints 100 MB."""

import sys


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    line = "x" * (1024 * 1024 - 1) + "\n"
    for _ in range(100):
        sys.stdout.write(line)
    return 0
