"""Exits with status 0 while being imported."""

import os


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    return 42


os._exit(0)
