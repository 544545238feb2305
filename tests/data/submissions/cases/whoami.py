"""attack() reports who and where it runs."""

import os


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    visible = [
        p
        for p in ("/work/main/practicals", "/work/main/bank", "/work/main/tests", "/root/.bashrc")
        if os.path.exists(p)
    ]
    return f"uid={os.getuid()} cwd={os.getcwd()} sees={visible} home={os.environ.get('HOME')}"
