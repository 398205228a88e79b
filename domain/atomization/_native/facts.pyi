import tree_sitter

Range = tuple[int, int]

def collect(
    tree: tree_sitter.Tree, source: bytes, python: bool
) -> tuple[
    list[Range],
    list[Range],
    list[Range],
    list[Range],
    list[Range],
    list[int],
    list[Range],
    list[int],
    list[Range],
    list[Range],
    list[tree_sitter.Node],
]: ...
def file_facts(
    tree: tree_sitter.Tree, source: bytes, python: bool
) -> tuple[
    list[int],
    bytes,
    list[int],
    list[bytes],
    list[int],
    list[int],
    list[bytes],
    list[str],
    list[int],
    list[bytes],
    list[tree_sitter.Node],
    dict[int, Range],
]: ...
def check_layout(tree: tree_sitter.Tree, node: tree_sitter.Node) -> bool: ...
