"""Reference solution of the test-only practical. SECRET-SOLUTION-9b2c is what a leak would reveal."""


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    return 42
