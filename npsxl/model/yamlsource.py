"""Safe YAML loading that keeps line numbers and rejects duplicate keys.

PyYAML's ``safe_load`` silently keeps the last of two equal keys and forgets
where each value came from. Here the document is composed into nodes with the
safe loader, then turned into plain Python values while recording the line of
every value by its path, so validation errors can say ``model.yaml:214``.

Hostile or broken input never raises: it becomes a located :class:`Problem`.
Before composing, one cheap pass over the parser's events rejects aliases
(``*name``, including ``<<: *name`` merges) and nesting deeper than
:data:`MAX_DEPTH`. A model file has no use for either, and they are how a small
file becomes a huge or infinitely recursive structure (the "billion laughs").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.reader import ReaderError

from npsxl.core import catalogue as P
from npsxl.core.catalogue import ProblemType
from npsxl.core.problems import Location, Problem

# libyaml's parser when PyYAML was built with it: the same nodes and marks, ten times
# faster. A file it finds broken is parsed again with the pure-Python parser, whose error
# messages are clearer ("found character '\\t' that cannot start any token").
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple  # a path into the document: ("themes", 1, "key_areas", 2)

MAX_DEPTH = 32  # nested mappings/lists; model.yaml needs 6
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass
class YamlDocument:
    """Plain Python data plus the line (1-based) where each path starts."""

    data: object
    filename: str
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    invalid: set[Path_] = field(default_factory=set)  # values already reported as unreadable

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def _line_of(event: yaml.Event) -> int | None:
    """The 1-based line an event starts on (PyYAML always marks parsed events)."""
    return event.start_mark.line + 1 if event.start_mark is not None else None


def format_path(path: Path_) -> str:
    """``("themes", 1, "key_areas")`` -> ``themes[1].key_areas``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _shorten(text, limit: int = 60) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _syntax_problem(exc: Exception, text: str, filename: str) -> Problem:
    """A located ``model-not-yaml`` problem for any error PyYAML raises while reading."""
    line = None
    hint = None  # the catalogue's: check indentation and quoting on that line
    if isinstance(exc, ReaderError):  # a character YAML does not allow, e.g. a control code
        line = text.count("\n", 0, exc.position) + 1
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"character U+{ord(character):04X} is not allowed in YAML"
        hint = "delete the invisible control character"
    elif isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or exc.context or str(exc)
        if "mapping values are not allowed" in message:
            hint = 'text containing ": " must be in quotes, or written as a >- block'
        elif "\t" in message or "\\t" in message:
            message = message.replace("\t", "\\t")
            hint = "replace the tab with spaces"
    else:
        message = str(exc)
    return P.MODEL_NOT_YAML(Location(file=filename, line=line), hint=hint, reason=message)


def _prescan(text: str, filename: str, loader_class) -> list[Problem]:
    """Check the event stream (linear in the text) for aliases and excessive nesting."""
    problems: list[Problem] = []
    loader = loader_class(text)
    depth = 0
    seen_aliases: set = set()
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                line = _line_of(event)
                if (line, event.anchor) in seen_aliases:
                    continue
                seen_aliases.add((line, event.anchor))
                problems.append(
                    P.MODEL_YAML_ALIAS(Location(file=filename, line=line), anchor=event.anchor)
                )
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    where = Location(file=filename, line=_line_of(event))
                    problems.append(P.MODEL_TOO_DEEP(where, limit=MAX_DEPTH))
                    break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return problems


def parse_yaml(text: str, filename: str) -> YamlDocument:
    """Parse one YAML document safely. Every error becomes a located problem, never an exception."""
    if _FAST_LOADER is not yaml.SafeLoader:
        doc = _parse(text, filename, _FAST_LOADER)
        if not any(p.code == P.MODEL_NOT_YAML.code for p in doc.problems):
            return doc
    return _parse(text, filename, yaml.SafeLoader)


def _parse(text: str, filename: str, loader_class) -> YamlDocument:
    doc = YamlDocument(data=None, filename=filename)
    try:
        doc.problems += _prescan(text, filename, loader_class)
        if doc.problems:
            return doc
        loader = loader_class(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                doc.data = _Builder(loader, doc).build(node, ())
        finally:
            loader.dispose()
    except (yaml.YAMLError, RecursionError) as exc:
        doc.data = None
        doc.problems.append(_syntax_problem(exc, text, filename))
    return doc


class _Builder:
    """Turns composed nodes into dicts, lists and scalars, recording lines and problems."""

    def __init__(self, loader: yaml.SafeLoader, doc: YamlDocument):
        self.loader = loader
        self.doc = doc

    def problem(self, kind: ProblemType, line, path, /, **fields) -> None:
        location = Location(file=self.doc.filename, line=line, path=format_path(path) or None)
        self.doc.problems.append(kind(location, **fields))

    def build(self, node, path):
        line = node.start_mark.line + 1
        self.doc.lines.setdefault(path, line)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            self.problem(P.MODEL_YAML_TAG, line, path, tag=node.tag)
            self.doc.invalid.add(path)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node, path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                self.problem(P.MODEL_YAML_MERGE, key_line, path)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "mapping" if isinstance(key_node, yaml.MappingNode) else "list"
                self.problem(P.MODEL_KEY_NOT_A_WORD, key_line, path, kind=kind)
                continue
            before = len(self.doc.problems)
            key = self.scalar(key_node, path, is_key=True)
            if len(self.doc.problems) > before:
                continue
            key = key if isinstance(key, str) else str(key)
            if key in result:
                first_line = self.doc.lines[path + (key,)]
                self.problem(
                    P.MODEL_DUPLICATE_KEY, key_line, path + (key,), key=key, first_line=first_line
                )
                continue
            self.doc.lines[path + (key,)] = key_line
            result[key] = self.build(value_node, path + (key,))
        return result

    def scalar(self, node, path, is_key=False):
        try:
            return self.loader.construct_object(node, deep=True)
        except Exception as exc:  # PyYAML raises ValueError, TypeError... for bad values
            reason = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else str(exc)
            self.problem(
                P.MODEL_BAD_VALUE,
                node.start_mark.line + 1,
                path,
                value=_shorten(node.value),
                reason=_shorten(reason),
            )
            if not is_key:
                self.doc.invalid.add(path)
            return None
