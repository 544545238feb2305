"""TensorFlow's start-up lines never reach the user: not from this process's imports (``quiz check``'s
checks, ``quiz doctor``), not from a submission that imports TensorFlow; the student's own output does."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graders.start_up_noise import without_start_up_noise
from practicals import PRACTICALS_DIR

PROJECT = Path(__file__).resolve().parents[1]
# as TensorFlow 2.21 prints them on a CPU (the first three), and where CUDA libraries are installed
NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    "I0000 00:00:1796659541.466071   20697 port.cc:153] oneDNN custom operations are on. You may see slightly"
    " different numerical results due to floating-point round-off errors from different computation orders."
    " To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.\n",
    "I0000 00:00:1796659541.528567   20697 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to"
    " use available CPU instructions in performance-critical operations.\n",
    "To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other operations,"
    " rebuild TensorFlow with the appropriate compiler flags.\n",
    "E0000 00:00:1727357152.311240    2213 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to"
    " register factory for plugin cuDNN when one has already been registered\n",
]
KEPT = [
    "my own debug line\n",
    "/work/spacy_ner.py:11: UserWarning: my own warning\n",
    "I0000 00:00:1.5  7 mine.cc:1] a line of the student's in the same format\n",
    "W0000 00:00:1796659549.1  20697 op_level_cost_estimator.cc:699] a warning as the student's model runs\n",
]


def test_start_up_lines_are_left_out_and_everything_else_kept() -> None:
    mixed = [NOISE[0], KEPT[0], NOISE[1], KEPT[1], *NOISE[2:], *KEPT[2:], "no newline at the end"]
    assert without_start_up_noise("".join(mixed)) == "".join([*KEPT, "no newline at the end"])


def test_quiet_start_up_passes_on_what_native_code_and_python_write_without_the_start_up_lines() -> None:
    code = textwrap.dedent(
        f"""
        import os, sys
        from graders.start_up_noise import quiet_start_up
        sys.stderr.write("before\\n")
        with quiet_start_up():
            for line in {NOISE + KEPT!r}:
                os.write(2, line.encode())  # as the C++ libraries write: to the file descriptor
            print("from python", file=sys.stderr)
        sys.stderr.write("after\\n")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stderr == "".join(["before\n", *KEPT, "from python\n", "after\n"])


def test_load_checks_quiets_only_the_import_that_loads_them() -> None:
    """A batch asks for a practical's checks once per file: only the first call imports them (and may load
    TensorFlow), so only it costs a pipe and a relay thread; the others get the same checks without."""
    code = textwrap.dedent(
        """
        from contextlib import contextmanager
        from graders import runner

        entered = []
        real = runner.quiet_start_up

        @contextmanager
        def counted():
            entered.append(1)
            with real():
                yield

        runner.quiet_start_up = counted
        first = runner.load_checks("text_augmentation")
        again = [runner.load_checks("text_augmentation") for _ in range(3)]
        print(len(entered), len(first), all(checks == first for checks in again))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True, timeout=60
    )
    entered, checks, same = done.stdout.split()
    assert (entered, same) == ("1", "True") and int(checks) > 0, done.stdout + done.stderr


@pytest.mark.models
@pytest.mark.slow
def test_check_and_doctor_print_no_start_up_lines_and_the_students_output_stays(tmp_path: Path) -> None:
    """The parent loads TensorFlow with lstm_classifier's checks; the sandboxed child with a spacy_ner file
    that imports it and fails a check, whose output is shown."""
    shutil.copy(PRACTICALS_DIR / "lstm_classifier" / "solution.py", tmp_path / "lstm_classifier.py")
    (tmp_path / "spacy_ner.py").write_text(
        textwrap.dedent(
            """
            import sys

            import tensorflow as tf


            def extract_entities(text, nlp=None):
                print("my own debug line", file=sys.stderr)
                return []


            def entities_by_label(texts, nlp=None):
                return {}
            """
        )
    )
    check = subprocess.run(
        [sys.executable, "-m", "quiz", "check", str(tmp_path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "lstm_classifier  18/18 points" in check.stdout and "my own debug line" in check.stdout
    doctor = subprocess.run(
        [
            sys.executable,
            "-c",
            "from graders.assets.report import CHECKS, asset_report\n"
            "print(asset_report(checks=[c for c in CHECKS if c.name == 'TensorFlow/Keras'])[0].ok)",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert doctor.stdout.strip() == "True", doctor.stderr
    for output in (check.stdout, check.stderr, doctor.stderr):
        assert "absl::InitializeLog" not in output and "oneDNN" not in output, output
