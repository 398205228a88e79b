"""Dangerous patterns: code that runs strings, shells out, unpickles, splices SQL, or carries
a secret.

Found on the parse tree (never in comments or strings that merely mention them): `eval` and
`exec` of anything but a literal, `os.system`/`os.popen`, `shell=True`, pickle-family
deserialization and unsafe YAML loads, SQL built by concatenation or interpolation and handed
to an execute-like call, and secrets written into the code (by the name they are assigned to,
or by the shape of well-known key formats).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import tree_sitter

from domain.atomization.languages import ts_language
from domain.atomization.parser import ParsedSource

Node = tree_sitter.Node


@dataclass(frozen=True)
class Danger:
    kind: str  # eval | shell | deserialization | sql_injection | secret
    message: str
    line: int  # 1-based, in the file
    column: int
    start_byte: int


_PY_QUERY = """
(call function: (identifier) @call.name arguments: (argument_list) @call.args) @call
(call function: (attribute object: (_) @attr.object attribute: (identifier) @attr.name)
      arguments: (argument_list) @attr.args) @attr.call
(keyword_argument name: (identifier) @kw.name value: (_) @kw.value) @kw
(assignment left: (_) @assign.left right: (_) @assign.right) @assign
(pair key: (string) @pair.key value: (_) @pair.value) @pair
(default_parameter name: (identifier) @param.name value: (_) @param.value) @param
(typed_default_parameter name: (identifier) @param.name value: (_) @param.value) @param
(string) @string
"""

_ES_QUERY = """
(call_expression function: (identifier) @call.name arguments: (arguments) @call.args) @call
(call_expression function: (member_expression object: (_) @attr.object
      property: (property_identifier) @attr.name) arguments: (arguments) @attr.args) @attr.call
(new_expression constructor: (identifier) @new.name) @new
(pair key: (_) @kw.name value: (_) @kw.value) @kw
(variable_declarator name: (identifier) @assign.left value: (_) @assign.right) @assign
(assignment_expression left: (_) @assign.left right: (_) @assign.right) @assign
(string) @string
(template_string) @string
"""

_SQL = re.compile(
    r"(?is)\b(?:select\b.*\bfrom|insert\s+into|update\b.*\bset|delete\s+from|drop\s+table"
    r"|create\s+table|alter\s+table|truncate\s+table)\b"
)
_SQL_CALLS = frozenset(
    {
        "execute",
        "executemany",
        "executescript",
        "raw",
        "read_sql",
        "read_sql_query",
        "query",
        "exec_driver_sql",
        "prepare",
        "text",
        "$queryRawUnsafe",
        "$executeRawUnsafe",
    }
)
_PICKLE_MODULES = frozenset({"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal"})
_PICKLE_CALLS = frozenset({"load", "loads", "Unpickler"})
_SECRET_NAME = re.compile(
    r"(?i)(?:^|[_\-.])(?:password|passwd|pwd|passphrase|secret|api_?key|apikey|access_?key"
    r"|secret_?key|private_?key|auth_?token|access_?token|refresh_?token|bearer_?token|token"
    r"|client_?secret|signing_?key|encryption_?key)$"
)
_CAMEL_SECRET = re.compile(
    r"(?:password|passwd|Password|Passwd|secret|Secret|apiKey|ApiKey|accessKey|AccessKey"
    r"|secretKey|SecretKey|privateKey|PrivateKey|authToken|AuthToken|accessToken|AccessToken"
    r"|refreshToken|RefreshToken|clientSecret|ClientSecret|token|Token)$"
)
_PLACEHOLDER = re.compile(
    r"(?i)^(?:|<[^>]*>|\$\{[^}]*\}|\{[^}]*\}|%\(?\w*\)?s|x+|\*+|\.+|-+|_+|none|null|nil"
    r"|undefined|todo|fixme|tbd|n/?a|redacted|hidden|masked|placeholder|example|sample|dummy"
    r"|fake|test|testing|string|str|text|password|secret|token|key|value|your[-_ ]?\w*)$"
)
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_KEY_FORMATS = re.compile(
    r"(?:AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|ghp_[A-Za-z0-9]{36}|gho_[A-Za-z0-9]{36}"
    r"|github_pat_[A-Za-z0-9_]{40,}|sk-(?:live-|proj-|ant-)?[A-Za-z0-9_\-]{20,}"
    r"|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_\-]{35}|sk_live_[0-9A-Za-z]{20,}"
    r"|-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY-----)"
)


@cache
def _query(language: str) -> tree_sitter.Query:
    source = _PY_QUERY if language == "python" else _ES_QUERY
    lang = ts_language(language)
    valid = []
    for pattern in _split_patterns(source):
        try:
            tree_sitter.Query(lang, pattern)
        except (tree_sitter.QueryError, ValueError):
            continue
        valid.append(pattern)
    return tree_sitter.Query(lang, "\n".join(valid))


def _split_patterns(source: str) -> list[str]:
    patterns: list[str] = []
    for line in source.strip().splitlines():
        if line.startswith(" ") and patterns:
            patterns[-1] += "\n" + line
        else:
            patterns.append(line)
    return patterns


def _text(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8", "replace") if node is not None else ""


def _string_value(node: Node, language: str) -> str | None:
    """The literal value of a plain string (no interpolation), else None."""
    if node.type == "string":
        if language == "python":
            if any(c.type == "interpolation" for c in node.named_children):
                return None
            start = next((c for c in node.children if c.type == "string_start"), None)
            if start is not None and "f" in _text(start).lower():
                return None
            return "".join(_text(c) for c in node.named_children if c.type == "string_content")
        return "".join(
            _text(c)
            for c in node.named_children
            if c.type in ("string_fragment", "escape_sequence")
        )
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(_text(c) for c in node.named_children if c.type == "string_fragment")
    return None


def _is_dynamic_sql(node: Node | None, language: str, assigned: dict[str, Node]) -> bool:
    """A string containing SQL that is assembled from pieces at run time."""
    if node is None:
        return False
    kind = node.type
    if kind in ("parenthesized_expression",) and node.named_children:
        return _is_dynamic_sql(node.named_children[0], language, assigned)
    if kind == "identifier":
        target = assigned.get(_text(node))
        return target is not None and target is not node and _is_dynamic_sql(target, language, {})
    text = _text(node)
    if not _SQL.search(text):
        return False
    if kind in ("binary_operator", "binary_expression"):
        operator = node.child_by_field_name("operator")
        return _text(operator) in ("+", "%")
    if kind == "string" and language == "python":
        return _string_value(node, language) is None  # an f-string with fields
    if kind == "template_string":
        return any(c.type == "template_substitution" for c in node.named_children)
    if kind in ("call", "call_expression"):
        function = node.child_by_field_name("function")
        return function is not None and _text(function).endswith((".format", ".concat"))
    return False


def _first_argument(args: Node | None) -> Node | None:
    if args is None:
        return None
    for child in args.named_children:
        if child.type not in ("comment",):
            return child
    return None


def _secret_name(name: str) -> bool:
    bare = name.rsplit(".", 1)[-1].strip("'\"` ")
    return bool(_SECRET_NAME.search(bare) or _CAMEL_SECRET.search(bare))


def _looks_secret(value: str, name: str) -> bool:
    stripped = value.strip()
    if len(stripped) < 6 or _PLACEHOLDER.match(stripped):
        return False
    if any(ch.isspace() for ch in stripped) or "/" in stripped or "://" in stripped:
        return False
    if _ENV_NAME.match(stripped):  # the name of an environment variable, not its value
        return False
    bare = name.rsplit(".", 1)[-1].strip("'\"` ").lower()
    return stripped.lower() not in (bare, bare.replace("_", ""), bare.replace("_", "-"))


def find_dangers(parsed: ParsedSource, start: int = 0, end: int | None = None) -> list[Danger]:
    """Dangerous patterns starting in bytes [start, end) of a parsed file."""
    stop = len(parsed.source) if end is None else end
    language = parsed.language
    cursor = tree_sitter.QueryCursor(_query(language))
    cursor.set_byte_range(start, stop)
    found: dict[tuple[int, str], Danger] = {}
    assigned: dict[str, Node] = {}
    matches = cursor.matches(parsed.root)
    for _, caps in matches:
        if "assign" in caps:
            left, right = caps["assign.left"][0], caps["assign.right"][0]
            if left.type == "identifier":
                assigned[_text(left)] = right
    imported_pickle = _pickle_names(parsed.source) if language == "python" else frozenset()

    def add(kind: str, node: Node, message: str) -> None:
        if not start <= node.start_byte < stop:
            return
        key = (node.start_byte, kind)
        if key not in found:
            found[key] = Danger(
                kind, message, node.start_point[0] + 1, node.start_point[1] + 1, node.start_byte
            )

    for _, caps in matches:
        if "call" in caps:
            node, name = caps["call"][0], _text(caps["call.name"][0])
            args = caps["call.args"][0]
            first = _first_argument(args)
            runs_code = name == "eval" or (language == "python" and name == "exec")
            if runs_code and not (first is not None and _string_value(first, language) is not None):
                add("eval", node, f"`{name}()` runs code built at run time")
            elif name in imported_pickle:
                add("deserialization", node, _PICKLE_MESSAGE)
            elif name in _SQL_CALLS and _is_dynamic_sql(first, language, assigned):
                add("sql_injection", node, _SQL_MESSAGE)
            elif language != "python" and name in ("exec", "execSync") and _is_dynamic(first):
                add("shell", node, "a shell command built at run time (`exec`)")
        elif "attr.call" in caps:
            node = caps["attr.call"][0]
            obj, name = _text(caps["attr.object"][0]), _text(caps["attr.name"][0])
            first = _first_argument(caps["attr.args"][0])
            if language == "python" and obj == "os" and name in ("system", "popen"):
                add("shell", node, f"`os.{name}()` runs a shell command")
            elif obj in _PICKLE_MODULES and name in _PICKLE_CALLS:
                add("deserialization", node, _PICKLE_MESSAGE)
            elif obj == "yaml" and name in ("load", "load_all", "unsafe_load", "full_load"):
                if name == "unsafe_load" or "SafeLoader" not in _text(caps["attr.args"][0]):
                    add("deserialization", node, "`yaml.load()` without SafeLoader builds objects")
            elif name in _SQL_CALLS and _is_dynamic_sql(first, language, assigned):
                add("sql_injection", node, _SQL_MESSAGE)
            elif (
                language != "python"
                and obj in ("child_process", "cp", "childProcess")
                and name in ("exec", "execSync")
                and _is_dynamic(first)
            ):
                add("shell", node, f"a shell command built at run time (`{obj}.{name}`)")
            elif language != "python" and obj == "vm" and name.startswith("run"):
                add("eval", node, f"`vm.{name}()` runs code built at run time")
        elif "new" in caps:
            if _text(caps["new.name"][0]) == "Function":
                add("eval", caps["new"][0], "`new Function()` runs code built at run time")
        elif "kw" in caps:
            node, key = caps["kw"][0], _text(caps["kw.name"][0]).strip("'\"`")
            value = caps["kw.value"][0]
            if key == "shell" and value.type == "true":
                add("shell", node, "`shell=True` hands the command to a shell")
            else:
                _secret(add, node, key, value, language)
        elif "assign" in caps:
            _secret(
                add,
                caps["assign"][0],
                _text(caps["assign.left"][0]),
                caps["assign.right"][0],
                language,
            )
        elif "pair" in caps:
            key = _string_value(caps["pair.key"][0], language) or ""
            _secret(add, caps["pair"][0], key, caps["pair.value"][0], language)
        elif "param" in caps:
            _secret(
                add,
                caps["param"][0],
                _text(caps["param.name"][0]),
                caps["param.value"][0],
                language,
            )
        elif "string" in caps:
            literal = caps["string"][0]
            shown = _text(literal)
            if len(shown) >= 20 and _KEY_FORMATS.search(shown):
                add(
                    "secret",
                    literal,
                    "a credential in a well-known key format is written in the code",
                )
    return sorted(found.values(), key=lambda d: d.start_byte)


def _is_dynamic(node: Node | None) -> bool:
    if node is None:
        return False
    if node.type == "template_string":
        return any(c.type == "template_substitution" for c in node.named_children)
    return node.type not in ("string",)


def _secret(
    add: Callable[[str, Node, str], None], node: Node, name: str, value: Node, language: str
) -> None:
    literal = _string_value(value, language)
    if literal is None or not _secret_name(name) or not _looks_secret(literal, name):
        return
    add(
        "secret",
        node,
        f"a hard-coded secret is assigned to `{name.strip()}`; read it from configuration",
    )


def _pickle_names(source: bytes) -> frozenset[str]:
    """Names bound by `from pickle import loads` and the like."""
    names: set[str] = set()
    if not any(module in source for module in (b"pickle", b"dill", b"marshal")):
        return frozenset()
    for match in _FROM_PICKLE.finditer(source):
        for part in match.group(2).decode("utf-8", "replace").strip("()").split(","):
            words = part.split()
            if words and words[0] in _PICKLE_CALLS:
                names.add(words[-1])
    return frozenset(names)


_FROM_PICKLE = re.compile(
    rb"^\s*from\s+(pickle|cPickle|_pickle|dill|cloudpickle|marshal)\s+import\s+([^\n#]+)", re.M
)
_PICKLE_MESSAGE = "unpickling runs arbitrary code; never deserialize data you did not produce"
_SQL_MESSAGE = "SQL built by concatenation or interpolation; pass parameters to the driver instead"
