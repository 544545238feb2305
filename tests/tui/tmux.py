"""A tmux driver for end-to-end tests: a private tmux server per test, keys in, screen text out."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path


class Tmux:
    def __init__(self, socket_dir: Path, env: dict[str, str]) -> None:
        self.socket = socket_dir / "tmux.sock"
        self.env = {**os.environ, **env}

    def _run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], env=self.env, capture_output=True, text=True, check=check
        )
        return result.stdout

    def start(
        self, session: str, command: list[str], *, cwd: Path, size: tuple[int, int] = (100, 30)
    ) -> None:
        # exec: the pane's process is the quiz itself, so killing the pane's pid kills the quiz
        shell = f"cd {shlex.quote(str(cwd))} && exec {shlex.join(command)}"
        width, height = size
        self._run("new-session", "-d", "-s", session, "-x", str(width), "-y", str(height), shell)

    def send(self, session: str, *keys: str, literal: bool = False) -> None:
        self._run("send-keys", "-t", session, *(["-l"] if literal else []), *keys)

    def screen(self, session: str) -> str:
        return self._run("capture-pane", "-p", "-t", session)

    def wait_for(
        self, session: str, text: str, *, timeout: float = 20.0, fail_on: tuple[str, ...] = ()
    ) -> str:
        """Poll the screen until ``text`` shows; fail at once when one of ``fail_on`` shows instead."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen(session)
            if text in screen:
                return screen
            if failure := next((bad for bad in fail_on if bad in screen), None):
                raise AssertionError(f"{failure!r} on screen while waiting for {text!r}:\n{screen}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{text!r} not on screen after {timeout:g} s; the screen shows:\n{screen}"
                )
            time.sleep(0.05)

    def pane_pid(self, session: str) -> int:
        return int(self._run("display-message", "-p", "-t", session, "#{pane_pid}").strip())

    def alive(self, session: str) -> bool:
        return (
            subprocess.run(
                ["tmux", "-S", str(self.socket), "has-session", "-t", session],
                env=self.env,
                capture_output=True,
            ).returncode
            == 0
        )

    def kill_server(self) -> None:
        self._run("kill-server", check=False)
