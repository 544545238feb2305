"""The exam countdown; posts ``Countdown.Expired`` once when the time is up."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widgets import Static

WARN_BELOW_S = 60.0


def format_remaining(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))  # round up: "0:00" only once the time is really up
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class Countdown(Static):
    class Expired(Message):
        pass

    def __init__(self, deadline: float, clock: Callable[[], float], **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.deadline = deadline
        self.clock = clock
        self._expired = False

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(0.5, self.tick)

    def tick(self) -> None:
        remaining = self.deadline - self.clock()
        self.update(f"Time left {format_remaining(remaining)}")
        self.set_class(remaining < WARN_BELOW_S, "-warning")
        if remaining <= 0 and not self._expired:
            self._expired = True
            self.post_message(self.Expired())
