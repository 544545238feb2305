"""TensorFlow's start-up lines, kept from the people who run the tool.

Loading TensorFlow (Keras loads it) prints lines from its C++ libraries straight to file descriptor 2,
before its logging is set up, so TF_CPP_MIN_LOG_LEVEL does not hold them back: absl's "All log messages
before absl::InitializeLog() is called are written to STDERR", oneDNN's "custom operations are on" and,
where CUDA libraries are installed, "Unable to register cuDNN factory" and the like. They tell a student or
an instructor nothing (TF_ENABLE_ONEDNN_OPTS=0 would silence one of them, and change the numerics). So:

- ``quiet_start_up`` runs the imports that load TensorFlow into this process (the practicals' checks, the
  doctor's TensorFlow check) with what they print passed on, these lines left out;
- ``without_start_up_noise`` leaves them out of what a sandboxed child printed (a submission that imports
  TensorFlow), where everything else, the student's own prints and warnings, stays.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

# What TensorFlow's libraries log while they load, after absl's prefix ("I0000 00:00:1.2  123 port.cc:153] ")
_MESSAGES = (
    "oneDNN custom operations are on",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "failed call to cuInit",
)
_ONE_AT_A_TIME = threading.RLock()
_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags"
    rf"|[IWE]\d{{4}} [\d:.]+ +\d+ \S+:\d+\] (?:{'|'.join(map(re.escape, _MESSAGES))})"
)


def without_start_up_noise(text: str) -> str:
    """``text`` without TensorFlow's start-up lines."""
    return "".join(line for line in text.splitlines(keepends=True) if not _NOISE.search(line))


@contextmanager
def quiet_start_up() -> Iterator[None]:
    """Run the block with what is written to file descriptor 2 passed on as it comes, TensorFlow's start-up
    lines left out. Python's ``sys.stderr`` writes there too (a progress bar, a warning): it goes the same
    way. Without a file descriptor 2 the block just runs. One thread at a time: file descriptor 2 is the
    process's, and a thread that restored it while another one's block ran would leave it in a pipe."""
    with _ONE_AT_A_TIME:
        sys.stderr.flush()
        try:
            stderr = os.dup(2)
        except OSError:
            yield
            return
        read, write = os.pipe()
        os.dup2(write, 2)
        os.close(write)
        relay = threading.Thread(target=_relay, args=(read, stderr), daemon=True)
        relay.start()
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(stderr, 2)  # closes the pipe's last writing end: the relay reads to the end and stops
            relay.join()
            os.close(stderr)


def _relay(read: int, out: int) -> None:
    """Copy the pipe to ``out`` as it comes, without TensorFlow's start-up lines. Each of them comes whole,
    in one write, so a chunk's end that is no whole line is passed on at once (a progress bar keeps
    moving). Whatever cannot be written is still read, so that no writer waits on a full pipe."""
    with os.fdopen(read, "rb") as pipe, os.fdopen(out, "wb", closefd=False) as sink:
        while chunk := pipe.read1(64 * 1024):
            lines = chunk.splitlines(keepends=True)
            with suppress(OSError):
                sink.write(
                    b"".join(line for line in lines if not _NOISE.search(line.decode(errors="replace")))
                )
                sink.flush()
