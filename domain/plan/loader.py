"""Reading plan documents (YAML or JSON) into a validated :class:`MasterPlanSpec`.

Errors name the field (``phases[0].milestones[1].tasks[2].key``) and, for YAML, the line,
so that a person can find the problem without reading a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from domain.errors import PlanProblem, PlanValidationError
from domain.plan.rules import whole_plan_problems
from domain.plan.schema import MasterPlanSpec

Path_ = tuple[str | int, ...]


def _yaml_lines(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            # A missing-field error points at the mapping; a bad value at the value's own line.
            _yaml_lines(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _yaml_lines(item, (*path, index), out)


def _format_location(loc: Path_) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _line_for(loc: Path_, lines: Mapping[Path_, int]) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def parse_plan_text(text: str, *, source_name: str = "<plan>") -> MasterPlanSpec:
    """Parse YAML or JSON text (YAML is a superset) and validate it as a plan."""
    lines: dict[Path_, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanValidationError(
            [PlanProblem(source_name, f"not valid YAML/JSON: {problem}", line)]
        ) from None
    if node is not None:
        _yaml_lines(node, (), lines)
    return validate_plan_data(data, lines=lines)


def validate_plan_data(data: Any, *, lines: Mapping[Path_, int] | None = None) -> MasterPlanSpec:
    """Validate an already-decoded document (e.g. an API body)."""
    if data is None or (isinstance(data, Mapping) and not data):
        raise PlanValidationError([PlanProblem("", "the plan is empty", 1 if lines else None)])
    if not isinstance(data, Mapping):
        raise PlanValidationError(
            [PlanProblem("", f"a plan must be a mapping, not {type(data).__name__}")]
        )
    try:
        spec = MasterPlanSpec.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc: Path_ = tuple(err["loc"])
            message = err["msg"].removeprefix("Value error, ")
            line = _line_for(loc, lines) if lines else None
            problems.append(PlanProblem(_format_location(loc), message, line))
        raise PlanValidationError(problems) from None
    rule_problems = whole_plan_problems(spec)
    if rule_problems:
        raise PlanValidationError(
            [
                PlanProblem(p.location, p.message, _line_for(_parse_location(p.location), lines))
                if lines
                else p
                for p in rule_problems
            ]
        )
    return spec


def _parse_location(location: str) -> Path_:
    parts: list[str | int] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", location):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return tuple(parts)


def plan_json_schema() -> dict[str, Any]:
    return MasterPlanSpec.model_json_schema()


def dump_plan(spec: MasterPlanSpec) -> str:
    return json.dumps(spec.model_dump(mode="json"), indent=2)
