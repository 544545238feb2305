"""The child side of grading: runs probes next to the student's code and answers in JSON.

Started by graders.sandbox.Worker as ``python -m graders.worker --reply-fd N ...`` inside the
sandbox. Before anything of the student's runs it covers hidden folders (when asked), drops to the
dedicated uid and sets its rlimits. Then it reads one JSON request per line on stdin::

    {"check": "...", "practical": "spacy_ner", "probe": "probe_x", "kwargs": {...}, "seed": 0,
     "submission": "/work dir/spacy_ner.py"}

and answers on the reply fd with ``{"kind": "loaded", "practical": ...}`` once a practical's file
has been imported, then one final ``observation`` / ``failed`` / ``error`` line. It never decides a
verdict: the judges run in the parent.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="graders.worker")
    parser.add_argument("--reply-fd", type=int, required=True)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--files", type=int, required=True)
    parser.add_argument("--tasks", type=int, required=True)
    parser.add_argument("--uid", type=int)
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("--preload", default="")
    args = parser.parse_args(argv)

    replies = os.fdopen(args.reply_fd, "w", encoding="utf-8")
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the student's code reads nothing from the runner
    for path in args.hide:
        _cover(path)
    if args.uid is not None:
        os.setgroups([])
        os.setresgid(args.uid, args.uid, args.uid)
        os.setresuid(args.uid, args.uid, args.uid)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_DATA, (args.memory, args.memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (args.files, args.files))
    resource.setrlimit(resource.RLIMIT_NPROC, (args.tasks, args.tasks))

    for practical in filter(None, args.preload.split(",")):
        try:
            importlib.import_module(f"practicals.{practical}.probes")
        except Exception:  # noqa: BLE001 - the same import fails again in the check, which reports it
            continue

    session = _Session()
    for line in requests:
        request = json.loads(line)
        reply = session.handle(request, replies)
        if os.getpid() != session.pid:
            os._exit(0)  # a copy forked by the student's code came back here: it must not answer
        sys.stdout.flush()
        sys.stderr.flush()
        replies.write(json.dumps({**reply, "id": request["id"]}, allow_nan=True) + "\n")
        replies.flush()


def _cover(path: str) -> None:
    """Mount an empty read-only tmpfs over ``path`` (needs root in a private mount namespace)."""
    libc = ctypes.CDLL(None, use_errno=True)
    ms_rdonly = 1
    if libc.mount(b"tmpfs", os.fsencode(path), b"tmpfs", ms_rdonly, b"size=4k") != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"cannot cover {path}: {os.strerror(errno)}")


class _Session:
    """State of one worker: the loaded submissions (or why they could not be loaded)."""

    def __init__(self) -> None:
        self.submissions: dict[str, Any] = {}
        self.pid = os.getpid()

    def handle(self, request: dict[str, Any], replies: Any) -> dict[str, Any]:
        from practicals.check import Check, CheckFailed, run_probe
        from practicals.submission import Submission, SubmissionError, load_module

        practical = request["practical"]
        if practical not in self.submissions:
            try:
                module = load_module(Path(request["submission"]), practical, seed=request["seed"])
                self.submissions[practical] = Submission(module, practical)
            except SubmissionError as exc:
                self.submissions[practical] = exc
            if os.getpid() != self.pid:
                os._exit(0)
            replies.write(json.dumps({"kind": "loaded", "practical": practical, "id": request["id"]}) + "\n")
            replies.flush()
        submission = self.submissions[practical]
        if isinstance(submission, SubmissionError):
            return {"kind": "failed", "message": submission.message}
        try:
            probe = getattr(importlib.import_module(f"practicals.{practical}.probes"), request["probe"])
            # run_probe needs only the probe half of a check; the judge stays in the parent.
            spec = Check(
                practical=practical,
                name=request["check"],
                description="",
                points=1.0,
                visibility="visible",
                probe=probe,
                judge=_no_judge,
                probe_kwargs=dict(request.get("kwargs") or {}),
                timeout=0.0,
            )
            return {"kind": "observation", "observation": run_probe(spec, submission, seed=request["seed"])}
        except CheckFailed as exc:
            return {"kind": "failed", "message": exc.message}
        except SystemExit as exc:
            return {
                "kind": "failed",
                "message": f"the submission called sys.exit({exc.code}) during the check",
            }
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which judges
            return {
                "kind": "error",
                "message": f"the check could not complete: {type(exc).__name__}: {exc}"[:1000],
            }


def _no_judge(observation: dict[str, Any]) -> None:
    """Judges never run in the worker."""


if __name__ == "__main__":
    main()
