"""add() takes one argument; greet() returns the wrong type."""


def add(a):
    return a


def greet(name):
    return [name]


def attack():
    return 42
