"""attack() tries to reach a server on this machine (its port is in QUIZ_TEST_PORT)."""

import os
import socket


def add(a, b):
    return a + b


def greet(name):
    return f"Hello, {name}!"


def attack():
    port = int(os.environ.get("QUIZ_TEST_PORT", "9"))
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"exfiltrated")
    return 42
