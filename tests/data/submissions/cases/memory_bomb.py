"""attack() allocates until something gives."""


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    hoard = []
    while True:
        hoard.append(bytearray(64 * 1024 * 1024))
