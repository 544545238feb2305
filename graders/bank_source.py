"""Parse a bank file (TOML or YAML) into plain data plus the line where every field starts.

Pydantic reports a problem by field path (``("questions", 3, "rubric", 1, "weight")``); instructors
need a line number. YAML keeps positions on its composed nodes; tomllib keeps none, so TOML files are
scanned a second time by a small recursive-descent reader that records where each table, key and
array element starts. That reader only ever sees text tomllib has already accepted.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import yaml

from graders.errors import BankProblem

FieldPath = tuple[str | int, ...]

FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml"}


@dataclass
class BankSource:
    """A parsed bank file: ``data`` is None when the file could not be parsed at all."""

    file: str
    data: Any
    lines: dict[FieldPath, int] = field(default_factory=dict)
    problems: list[BankProblem] = field(default_factory=list)

    def line_of(self, path: FieldPath) -> int:
        """Line of ``path``, else of its nearest enclosing field or table (the file's first line at worst)."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def parse_source(file: str, text: str, fmt: str) -> BankSource:
    """Parse ``text`` as ``fmt`` ("toml" or "yaml"); syntax errors become problems, never exceptions."""
    if fmt == "toml":
        return _parse_toml(file, text)
    return _parse_yaml(file, text)


def format_path(path: FieldPath, data: Any) -> str:
    """``("questions", 3, "rubric", 1, "weight")`` -> ``questions[Q4].rubric[1].weight``.

    A question is named by its id when it has one, since instructors know questions by id; other
    list items keep their 0-based index.
    """
    text = ""
    node = data
    for depth, part in enumerate(path):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            question_id = node.get("id") if isinstance(node, dict) else None
            named = depth == 1 and path[0] == "questions" and isinstance(question_id, str) and question_id
            text += f"[{question_id}]" if named else f"[{part}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            text += f".{part}" if text else part
    return text


# --- TOML -----------------------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)$")


def _parse_toml(file: str, text: str) -> BankSource:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        if match := _TOML_POSITION.search(message):
            line: int | None = int(match.group(1))
            message = message[: match.start()]
        elif match := _TOML_AT_END.search(message):
            line = text.count("\n") + 1
            message = message[: match.start()] + " at end of file"
        else:
            line = None
        return BankSource(file, None, problems=[BankProblem(file, "", line, f"invalid TOML: {message}")])
    return BankSource(file, data, lines=_TomlLineScanner(text).scan())


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class _TomlLineScanner:
    """Walk valid TOML text and record the 1-based line where each field path starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[FieldPath, int] = {}
        self._newlines = [i for i, char in enumerate(text) if char == "\n"]
        # concrete path of an array of tables -> index of its last element, so that ``[[questions.rubric]]``
        # attaches to the latest ``[[questions]]`` and restarts its count under each question
        self._last_index: dict[FieldPath, int] = {}

    def scan(self) -> dict[FieldPath, int]:
        table: FieldPath = ()
        while self._skip_blank(newlines=True):
            if self.text.startswith("[[", self.pos):
                table = self._header(array=True)
            elif self._peek() == "[":
                table = self._header(array=False)
            else:
                self._key_value(table)
        return self.lines

    # -- structure

    def _header(self, *, array: bool) -> FieldPath:
        line = self._line()
        self.pos += 2 if array else 1
        keys = self._key()
        self.pos += 2 if array else 1
        path = self._resolve(keys[:-1] if array else keys)
        if array:
            path += (keys[-1],)
            index = self._last_index.get(path, -1) + 1
            self._last_index[path] = index
            self.lines.setdefault(path, line)
            path += (index,)
        self.lines[path] = line
        return path

    def _resolve(self, keys: list[str]) -> FieldPath:
        path: FieldPath = ()
        for key in keys:
            path += (key,)
            if path in self._last_index:
                path += (self._last_index[path],)
        return path

    def _key_value(self, table: FieldPath) -> None:
        line = self._line()
        keys = self._key()
        for end in range(1, len(keys) + 1):
            self.lines.setdefault(table + tuple(keys[:end]), line)
        self._skip_blank()
        self.pos += 1  # "="
        self._value(table + tuple(keys))

    def _key(self) -> list[str]:
        keys: list[str] = []
        while True:
            self._skip_blank()
            char = self._peek()
            if char in "\"'":
                start = self.pos
                self._string()
                # let tomllib decode escapes in a quoted key rather than re-implementing them
                keys.append(next(iter(tomllib.loads(self.text[start : self.pos] + " = 0"))))
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    return keys
                keys.append(match.group())
                self.pos = match.end()
            self._skip_blank()
            if self._peek() != ".":
                return keys
            self.pos += 1

    def _value(self, path: FieldPath) -> None:
        self._skip_blank()
        char = self._peek()
        if char in "\"'":
            self._string()
        elif char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        else:
            while self._peek() not in ",]}\n#":
                self.pos += 1

    def _array(self, path: FieldPath) -> None:
        self.pos += 1
        index = 0
        while self._skip_blank(newlines=True) and self._peek() != "]":
            self.lines[path + (index,)] = self._line()
            self._value(path + (index,))
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self.pos += 1
                index += 1
        self.pos += 1

    def _inline_table(self, path: FieldPath) -> None:
        self.pos += 1
        while self._skip_blank(newlines=True) and self._peek() != "}":
            self._key_value(path)
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self.pos += 1
        self.pos += 1

    # -- lexing

    def _string(self) -> None:
        quote = self._peek()
        if self.text.startswith(quote * 3, self.pos):
            end = self._find_closing(quote * 3, self.pos + 3, escapes=quote == '"') + 3
            # a multi-line string may end with up to two quotes of its own before the delimiter
            for _ in range(2):
                if self.text.startswith(quote, end):
                    end += 1
        else:
            end = self._find_closing(quote, self.pos + 1, escapes=quote == '"') + 1
        self.pos = end

    def _find_closing(self, delimiter: str, start: int, *, escapes: bool) -> int:
        pos = start
        while pos < len(self.text):
            if escapes and self.text[pos] == "\\":
                pos += 2
            elif self.text.startswith(delimiter, pos):
                return pos
            else:
                pos += 1
        return len(self.text)

    def _skip_blank(self, *, newlines: bool = False) -> bool:
        """Skip spaces and comments (and newlines when asked); return False at the end of the text."""
        skip = " \t\r\n" if newlines else " \t\r"
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in skip:
                self.pos += 1
            elif char == "#":
                newline = self.text.find("\n", self.pos)
                self.pos = len(self.text) if newline < 0 else newline
            else:
                return True
        return False

    def _peek(self) -> str:
        # "\n" at the end of the text stops every scanning loop without an index check
        return self.text[self.pos] if self.pos < len(self.text) else "\n"

    def _line(self) -> int:
        return bisect.bisect_left(self._newlines, self.pos) + 1


# --- YAML -----------------------------------------------------------------------------------------


def _parse_yaml(file: str, text: str) -> BankSource:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = ": ".join(part for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else None
        return BankSource(file, None, problems=[BankProblem(file, "", line, f"invalid YAML: {message}")])
    except yaml.YAMLError as exc:
        return BankSource(file, None, problems=[BankProblem(file, "", None, f"invalid YAML: {exc}")])
    finally:
        loader.dispose()
    source = BankSource(file, data)
    if node is not None:
        _walk_yaml(node, (), source)
    return source


def _walk_yaml(node: yaml.Node, path: FieldPath, source: BankSource) -> None:
    source.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key_path = path + (key_node.value,)
            line = key_node.start_mark.line + 1
            if key_path in source.lines:
                # PyYAML silently keeps the last of two equal keys; TOML rejects them, so YAML does too
                first = source.lines[key_path]
                field_name = format_path(key_path, source.data)
                source.problems.append(
                    BankProblem(source.file, field_name, line, f"duplicate key (first at line {first})")
                )
                continue
            source.lines[key_path] = line
            _walk_yaml(value_node, key_path, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_yaml(item, path + (index,), source)
