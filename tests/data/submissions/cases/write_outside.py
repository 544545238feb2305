"""attack() writes (and deletes) outside its working directory."""

import os


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    for target in (
        os.environ.get("QUIZ_TEST_OUTSIDE", "/nonexistent/x"),
        "/tmp/quiz-escaped.txt",
        "../escaped.txt",
        "/etc/escaped.txt",
    ):
        try:
            with open(target, "w") as stream:
                stream.write("escaped")
        except OSError:
            pass
    victim = os.environ.get("QUIZ_TEST_VICTIM")
    if victim:
        try:
            os.remove(victim)
        except OSError:
            pass
    return 0
