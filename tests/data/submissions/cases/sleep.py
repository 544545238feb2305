"""attack() sleeps for days."""

import time


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    time.sleep(10**6)
