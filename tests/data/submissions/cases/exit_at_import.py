"""Exits with status 0 while being imported."""

import os


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    return 42


# An assignment, so that it runs: a bare top-level call is demo code, which loading skips.
status = os._exit(0)
