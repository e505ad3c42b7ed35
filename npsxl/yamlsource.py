"""Safe YAML loading that keeps line numbers and rejects duplicate keys.

PyYAML's ``safe_load`` silently keeps the last of two equal keys and forgets
where each value came from. Here the document is composed into nodes with the
safe loader, then turned into plain Python values while recording the line of
every value by its path, so validation errors can say ``model.yaml:214``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .problems import Location, Problem

Path_ = tuple  # a path into the document: ("themes", 1, "key_areas", 2)


@dataclass
class YamlDocument:
    """Plain Python data plus the line (1-based) where each path starts."""

    data: object
    filename: str
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def format_path(path: Path_) -> str:
    """``("themes", 1, "key_areas")`` -> ``themes[1].key_areas``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_yaml(text: str, filename: str) -> YamlDocument:
    """Parse one YAML document safely. Syntax errors and duplicate keys become problems."""
    doc = YamlDocument(data=None, filename=filename)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        doc.problems.append(
            Problem(
                "model-not-yaml",
                f"not valid YAML: {exc.problem or exc}",
                Location(file=filename, line=line),
                hint="check indentation and quoting on that line",
            )
        )
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem("model-not-yaml", f"not valid YAML: {exc}", Location(filename)))
        return doc
    if node is None:
        return doc

    def build(node, path):
        doc.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                key_line = key_node.start_mark.line + 1
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    doc.problems.append(
                        Problem(
                            "model-duplicate-key",
                            f"duplicate key {key!r} (first at line {doc.lines[path + (key,)]})",
                            Location(file=filename, line=key_line, path=format_path(path)),
                            hint="remove one of the two",
                        )
                    )
                    continue
                result[key] = build(value_node, path + (key,))
                doc.lines[path + (key,)] = key_line
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(child, path + (i,)) for i, child in enumerate(node.value)]
        return loader.construct_object(node, deep=True)

    try:
        doc.data = build(node, ())
    except yaml.YAMLError as exc:
        doc.problems.append(Problem("model-not-yaml", f"not valid YAML: {exc}", Location(filename)))
    finally:
        loader.dispose()
    return doc
