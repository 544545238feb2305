"""An honest, correct submission (attack() included)."""


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    return 42
