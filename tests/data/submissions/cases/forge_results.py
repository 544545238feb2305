"""Writes fake passing result files wherever it can and prints fake replies."""

import json
import os


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


FAKE = {"score": 100, "max_score": 6, "tests": [], "kind": "observation", "observation": {"value": 42}}


def attack():
    print(json.dumps({**FAKE, "id": 3}))
    for target in (
        "results.json",
        "../results.json",
        "../../results.json",
        "/tmp/results.json",
        os.environ.get("QUIZ_TEST_OUT", "/nonexistent/x"),
    ):
        try:
            with open(target, "w") as stream:
                json.dump(FAKE, stream)
        except OSError:
            pass
    return 0
