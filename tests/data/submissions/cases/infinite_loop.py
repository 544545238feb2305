"""attack() never returns."""


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    while True:
        pass
