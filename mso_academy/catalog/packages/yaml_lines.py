"""YAML read so that every problem can name its file and line.

`yaml.safe_load` forgets where a value was written and silently keeps the last of two equal keys; people who
edit packages by hand need "course.yaml:12: …" and need to hear about the duplicate. So each document is also
composed into nodes and turned into a map from key path to line (`Lines`), and `Reader`/`Doc` collect the
problems of one package against those lines instead of stopping at the first.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mso_academy.catalog.packages.spec import Problem

Lines = dict[tuple[Any, ...], int]


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: Lines, twice: list[tuple[str, int]]) -> Lines:
    """Every key path in a YAML document → its 1-based line, so problems can name the line.

    Keys that appear twice in one mapping (YAML would silently keep the last) are collected in `twice`.
    """
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                twice.append((key_node.value, key_node.start_mark.line + 1))
            seen.add(key_node.value)
            child = (*path, _key(key_node))
            out[child] = key_node.start_mark.line + 1
            _line_map(value_node, child, out, twice)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), out, twice)
    return out


def _key(node: yaml.ScalarNode) -> Any:
    """A mapping key as `safe_load` reads it (so that `1:` is the int 1, as in the loaded data)."""
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except yaml.YAMLError:
        return node.value


def _line(lines: Lines, *path: Any) -> int | None:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


class Reader:
    """Collects problems while reading one package."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        for base in (self.root.parent, self.root.resolve().parent):
            try:
                return str(path.relative_to(base))
            except ValueError:
                try:
                    return str(path.resolve().relative_to(base))
                except ValueError:
                    continue
        return str(path)

    def problem(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def read_text(self, path: Path) -> str | None:
        """The file's text exactly as written (line endings kept, so an export round-trips byte for byte)."""
        try:
            return path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            self.problem(path, None, "file not found")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            self.problem(path, line, "the file is not UTF-8 text; save it as UTF-8")
        return None

    def load_yaml(self, path: Path) -> tuple[Any, Lines]:
        text = self.read_text(path)
        if text is None:
            return None, {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            what = getattr(exc, "problem", None) or str(exc)
            context = getattr(exc, "context", None)
            self.problem(
                path,
                mark.line + 1 if mark else 1,
                f"invalid YAML: {what}" + (f" ({context})" if context else "") + "; expected valid YAML",
            )
            return None, {}
        if node is None:
            return None, {}
        twice: list[tuple[str, int]] = []
        lines = _line_map(node, (), {}, twice)
        for key, line in twice:
            self.problem(path, line, f"the key {key!r} appears twice in the same mapping; write it once")
        return data, lines


@dataclass
class Doc:
    """One YAML document (or a part of one, under `prefix`) that problems can point into."""

    reader: Reader
    path: Path
    lines: Lines
    prefix: tuple[Any, ...] = ()

    def line(self, *at: Any) -> int:
        return _line(self.lines, *self.prefix, *at) or 1

    def problem(self, at: tuple[Any, ...], message: str) -> None:
        self.reader.problem(self.path, self.line(*at), message)

    def under(self, *at: Any) -> Doc:
        return Doc(self.reader, self.path, self.lines, (*self.prefix, *at))

    def unknown_keys(self, data: Mapping[Any, Any], allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            self.problem(
                (key,), f"unknown key {str(key)!r} in {what}; allowed keys: {', '.join(sorted(allowed))}.{hint}"
            )
