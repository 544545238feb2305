"""attack() returns a 2 MB string, so the probe's observation exceeds the size cap."""


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    return "x" * 2_000_000
