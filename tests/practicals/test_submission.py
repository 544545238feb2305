"""Loading a submission: which file is a practical's, what of it runs on import (one transformation for
.py files and notebooks), and the messages when it cannot be used."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

import practicals
from practicals.check import CheckFailed
from practicals.submission import (
    Submission,
    SubmissionError,
    find_submission_file,
    load_module,
    missing_file_hints,
    practical_files,
    prepare,
    skipped_folder,
)

DEMO = """\
import time


def build():
    return 1


model = build()
history = model.fit(range(3), epochs=20)
losses = history.history["loss"]
for epoch in range(3):
    time.sleep(50)
while True:
    pass
with open("data.txt") as handle:
    text = handle.read()
size = len(text)
if __name__ == "__main__":
    build()
print(model)
ready = True
"""


def notebook(path: Path, *cells: str) -> Path:
    """A notebook of these code cells, after a markdown cell (which counts in the cell numbers)."""
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_markdown_cell("# My practical")]
    book.cells += [nbformat.v4.new_code_cell(cell) for cell in cells]
    nbformat.write(book, path)
    return path


def reasons(file: Path) -> list[tuple[str, str]]:
    return [(item.where, item.reason) for item in prepare(file).skipped]


def test_demo_code_of_a_file_is_skipped_and_listed(tmp_path: Path) -> None:
    """Training runs, loops and what only they feed never run on import; definitions and set-up do."""
    file = tmp_path / "demo.py"
    file.write_text(DEMO)
    started = time.monotonic()
    module = load_module(file, "demo")  # `1 .fit(...)`, `open("data.txt")` or the loops would fail or hang
    assert time.monotonic() - started < 5
    assert module.model == 1 and module.ready is True
    assert not {"history", "losses", "text", "size", "epoch"} & set(vars(module))
    assert reasons(file) == [
        ("line 9", "runs .fit(...) on import"),
        ("line 10", "uses history, which only skipped code sets"),
        ("line 11", "top-level for loop"),
        ("line 13", "top-level while loop"),
        ("line 15", "top-level with block"),
        ("line 17", "uses text, which only skipped code sets"),
        ("line 20", "top-level call"),
    ]
    assert str(prepare(file).skipped[0]) == (
        "line 9: history = model.fit(range(3), epochs=20)  (runs .fit(...) on import)"
    )


def test_a_notebook_goes_through_the_same_transformation_across_cells(tmp_path: Path) -> None:
    cells = DEMO.split("\n\n\n")  # imports / def / the rest
    file = notebook(tmp_path / "demo.ipynb", *cells)
    module = load_module(file, "demo")
    assert module.model == 1 and module.ready is True and "history" not in vars(module)
    where = [where for where, _ in reasons(file)]
    assert where[:2] == ["cell 4, line 2", "cell 4, line 3"]  # the markdown cell is cell 1
    assert len(where) == 7


def test_a_block_that_sets_up_what_the_functions_read_runs(tmp_path: Path) -> None:
    """A vocabulary filled in a loop or a file read in a ``with`` block is set-up, not demo code, when the
    file's functions read it; a loop that trains stays skipped whatever it fills."""
    (tmp_path / "words.txt").write_text("attention is all you need")
    file = tmp_path / "setup.py"
    file.write_text(
        "from pathlib import Path\n"
        f"with open({str(tmp_path / 'words.txt')!r}) as handle:\n"
        "    text = handle.read()\n"
        "vocab = {}\n"
        "for word in text.split():\n"
        "    vocab[word] = len(vocab)\n"
        "losses = []\n"
        "for epoch in range(3):\n"
        "    losses.append(model.fit(epoch))\n"
        "def encode(words):\n"
        "    return [vocab[w] for w in words] + losses\n"
    )
    module = load_module(file, "setup")
    assert module.encode(["you", "need"]) == [3, 4]
    assert reasons(file) == [("line 8", "top-level for loop")]


def test_a_rebound_name_is_used_again(tmp_path: Path) -> None:
    file = tmp_path / "rebound.py"
    file.write_text("history = model.fit()\nhistory = {'loss': [1.0]}\nlast = history['loss'][-1]\n")
    assert load_module(file, "rebound").last == 1.0


def test_ipython_syntax_becomes_python(tmp_path: Path) -> None:
    file = notebook(
        tmp_path / "magic.ipynb",
        "%%bash\npip install spacy\necho done",
        "%%time\ndef f():\n    return 1",
        "import importlib.util\nif importlib.util.find_spec('no_such_module') is None:\n    !pip install x",
        "files = !ls\n%matplotlib inline\nf?\n??f",
        "text = '''\n%s is not a magic inside a string\n'''",
    )
    module = load_module(file, "magic")
    assert module.f() == 1 and module.files is None
    assert module.text.strip() == "%s is not a magic inside a string"
    assert reasons(file) == [
        ("cell 2, line 1", "cell magic %%bash: not Python"),
        ("cell 4, line 3", "shell command"),
        ("cell 5, line 1", "IPython shell assignment: set to None"),
        ("cell 5, line 2", "IPython magic"),
        ("cell 5, line 3", "IPython help"),
        ("cell 5, line 4", "IPython help"),
    ]


def test_a_notebook_syntax_error_names_the_cell_and_its_line(tmp_path: Path) -> None:
    file = notebook(tmp_path / "typo.ipynb", "!pip install spacy\nimport os", "x = 1\ny = (2,\nprint(x)")
    with pytest.raises(
        SubmissionError, match=r"typo.ipynb has a syntax error at cell 3, line 2: '\(' was never"
    ):
        load_module(file, "typo")
    file = notebook(tmp_path / "outside.ipynb", "x = 1", "return x")
    with pytest.raises(SubmissionError, match="at cell 3, line 1: 'return' outside function"):
        load_module(file, "outside")


def test_notebook_front_end_imports_and_what_uses_them_are_skipped(tmp_path: Path) -> None:
    file = notebook(
        tmp_path / "colab.ipynb",
        "from google.colab import drive\ndrive.mount('/content/drive')",
        "import os, IPython.display\nfrom IPython.display import HTML, display\npage = HTML('<b>x</b>')",
        "def f():\n    return os.sep",
    )
    module = load_module(file, "colab")
    assert module.f() == os.sep and "page" not in vars(module) and "IPython" not in vars(module)
    assert reasons(file) == [
        ("cell 2, line 1", "notebook-only module"),
        ("cell 2, line 2", "top-level call"),
        ("cell 3, line 1", "notebook-only module"),
        ("cell 3, line 2", "notebook-only module"),
        ("cell 3, line 3", "uses HTML, which only skipped code sets"),
    ]


@pytest.mark.slow
def test_import_time_randomness_works_under_determinism(tmp_path: Path) -> None:
    """With TF_DETERMINISTIC_OPS, as where checks run, TensorFlow's random ops need a seed: Jupyter has
    none either, yet the code runs there, so loading seeds first."""
    file = tmp_path / "noisy.py"
    file.write_text("import tensorflow as tf\nNOISE = tf.random.uniform((2,))\n")
    script = "import sys; from practicals.submission import load_module; load_module(sys.argv[1], 'noisy')"
    done = subprocess.run(
        [sys.executable, "-c", script, str(file)],
        env={**os.environ, "TF_DETERMINISTIC_OPS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture
def known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(practicals.PRACTICALS, "demo", "test-only practical")


@pytest.mark.usefixtures("known")
def test_practical_files_accept_case_and_download_copies_like_batch(tmp_path: Path) -> None:
    names = ["Demo.py", "demo (1).ipynb", "spacy_ner.PY", "homework.py", "notes.txt"]
    found = practical_files([tmp_path / name for name in names])
    assert found.graded == {"spacy_ner": tmp_path / "spacy_ner.PY"}
    assert found.named["demo"] == [tmp_path / "Demo.py", tmp_path / "demo (1).ipynb"]
    assert found.other == [tmp_path / "homework.py"]
    exact = practical_files([tmp_path / "demo (1).py", tmp_path / "demo.ipynb"])
    assert exact.graded == {"demo": tmp_path / "demo.ipynb"}


@pytest.mark.usefixtures("known")
def test_find_submission_file_finds_what_batch_grades(tmp_path: Path) -> None:
    (tmp_path / "Demo (1).py").write_text("x = 1\n")
    assert find_submission_file(tmp_path, "demo") == tmp_path / "Demo (1).py"
    (tmp_path / "demo.IPYNB").write_text("{}")
    with pytest.raises(SubmissionError, match=r"Demo \(1\).py and demo.IPYNB could each be demo: keep one"):
        find_submission_file(tmp_path, "demo")


@pytest.mark.usefixtures("known")
def test_a_missing_file_names_what_was_found_instead(tmp_path: Path) -> None:
    files = [
        "src/demo.py",
        "demo-v2.py",
        "submission.zip",
        "env/pyvenv.cfg",
        "env/lib/demo.py",
        ".git/demo.py",
    ]
    for name in [*files, "other/notes.py"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    assert missing_file_hints(tmp_path, "demo") == [
        "found demo-v2.py: rename it to demo.py",
        "found submission.zip: unzip it into the folder",
        "found src/demo.py: move it to the folder's top level",
    ]
    with pytest.raises(SubmissionError) as raised:
        find_submission_file(tmp_path, "demo")
    assert raised.value.message.startswith(
        f"no demo.py or demo.ipynb in the submission folder {tmp_path.name}/; "
    )
    assert "found src/demo.py: move it" in raised.value.message
    assert missing_file_hints(tmp_path, "spacy_ner") == ["found submission.zip: unzip it into the folder"]


@pytest.mark.usefixtures("known")
def test_a_folder_that_cannot_be_searched_is_not_skipped_and_the_hints_pass_it_by(
    tmp_path: Path, chmod: Callable[[Path, int], None]
) -> None:
    """Whether a folder that cannot be searched is a virtualenv is unknown: it may hold work, so it is not
    skipped, and telling so is no error; the hints of a missing file name what the other folders hold."""
    for name in ("src/demo.py", "locked/demo.py", "venv/pyvenv.cfg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    for name in ("locked", "venv"):
        chmod(tmp_path / name, 0)
    assert missing_file_hints(tmp_path, "demo") == ["found src/demo.py: move it to the folder's top level"]
    assert not skipped_folder(tmp_path / "locked") and not skipped_folder(tmp_path / "venv")
    chmod(tmp_path / "venv", 0o700)
    assert skipped_folder(tmp_path / "venv")


NETWORK = '''\
import socket
import urllib.error


class LocalEntryNotFoundError(FileNotFoundError):
    """As huggingface_hub raises it offline."""


def fetch():
    raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))


def load():
    try:
        raise LocalEntryNotFoundError("not in the cache")
    except LocalEntryNotFoundError as exc:
        raise OSError("We couldn't connect to 'https://huggingface.co' to load the files.") from exc


def crash():
    raise ValueError("not the network")
'''


def test_network_failures_say_that_checks_run_offline(tmp_path: Path) -> None:
    file = tmp_path / "offline.py"
    file.write_text(NETWORK + "\ndata = fetch()\n")
    with pytest.raises(SubmissionError) as raised:
        load_module(file, "offline")
    assert raised.value.message.startswith("importing offline.py raised URLError: <urlopen error")
    assert raised.value.message.endswith(
        "; the checks run without network access: download nothing when your file is imported or your "
        "functions run; read local files, and use the models the checks pass as arguments"
    )
    file.write_text(NETWORK)
    submission = Submission(load_module(file, "offline"), "offline")
    with pytest.raises(
        CheckFailed, match=r"huggingface.co' to load the files; the checks run without network"
    ):
        submission.load()
    with pytest.raises(CheckFailed) as raised:
        submission.crash()
    assert raised.value.message == "`crash` raised ValueError: not the network"
