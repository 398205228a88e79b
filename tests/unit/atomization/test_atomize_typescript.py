"""TypeScript, TSX and JavaScript: decomposition and context."""

from __future__ import annotations

from domain.atomization import AtomizationConfig

from .helpers import atomize

TS = """import { z } from "zod";
import type { Store } from "./store";
import * as path from "node:path";

/** A todo item. */
export interface Todo {
  id: string;
  title: string;
  done: boolean;
}

export enum Priority { Low, High }

/**
 * Keeps todos in memory.
 */
export class TodoRepository {
  private items: Map<string, Todo> = new Map();

  constructor(private readonly store: Store) {}

  /**
   * Add a todo.
   * @param todo - the todo to add
   * @returns the stored todo
   * @throws {Error} when the id is taken
   */
  add(todo: Todo): Todo {
    if (this.items.has(todo.id)) {
      throw new Error(`duplicate ${todo.id}`);
    }
    this.items.set(todo.id, todo);
    return todo;
  }

  list(priority: Priority = Priority.Low): Todo[] {
    const out: Todo[] = [];
    for (const item of this.items.values()) {
      if (!item.done) {
        out.push(item);
      }
    }
    return out.sort((a, b) => a.title.localeCompare(b.title));
  }
}

export const schema = z.object({ id: z.string(), title: z.string() });
export const join = (a: string, b: string): string => path.join(a, b);
"""

SMALL = AtomizationConfig(target_loc=3, max_loc=5)


def test_typescript_class_split_with_jsdoc_contract_and_types() -> None:
    atoms = atomize(TS, "src/repo.ts", config=SMALL).atoms
    add = next(a for a in atoms if a.name == "TodoRepository.add")
    assert add.kind == "method"
    assert add.code.lstrip().startswith("/**")  # the JSDoc travels with its method
    assert add.context.enclosing_scope == "export class TodoRepository {"
    assert add.context.preconditions == ("todo: the todo to add",)
    assert add.context.postconditions == (
        "returns: the stored todo",
        "throws Error: when the id is taken",
    )
    assert any(t.startswith("interface Todo {") for t in add.context.types)
    listing = [a for a in atoms if a.name == "TodoRepository.list"]
    assert any(any(t.startswith("enum Priority") for t in a.context.types) for a in listing)


def test_typescript_imports_resolved_minimally() -> None:
    atoms = atomize(TS, "src/repo.ts", config=SMALL).atoms
    schema = next(a for a in atoms if "export const schema" in a.code)
    assert 'import { z } from "zod";' in schema.context.imports
    join = next(a for a in atoms if "export const join" in a.code)
    assert 'import * as path from "node:path";' in join.context.imports
    ctor = next(a for a in atoms if "constructor" in a.code)
    assert 'import type { Store } from "./store";' in ctor.context.imports


def test_template_strings_object_keys_and_members_are_not_uses() -> None:
    source = (
        "export function f(a: number): string {\n"
        "  const o = { key: a, other: 2 };\n"
        "  return `${o.key} and ${a}`;\n}\n"
    )
    (atom,) = atomize(source, "f.ts").atoms
    assert atom.context.unresolved == ()


def test_long_arrow_function_assigned_to_const_is_split() -> None:
    body = "".join(f"  const v{i} = compute({i});\n" for i in range(40))
    source = f"export const handler = async (event: Event): Promise<void> => {{\n{body}}};\n"
    atoms = atomize(source, "h.ts").atoms
    assert len(atoms) >= 3
    assert all(a.loc <= 15 for a in atoms)
    assert atoms[0].name == "handler"
    assert atoms[1].context.enclosing_scope is not None
    assert atoms[1].context.enclosing_scope.startswith("export const handler = async")


def test_describe_blocks_and_iife_are_split() -> None:
    cases = "".join(
        f"  it('case {i}', () => {{\n    const x = make({i});\n    expect(x).toBe({i});\n  }});\n\n"
        for i in range(12)
    )
    atoms = atomize(f"describe('suite', () => {{\n{cases}}});\n", "s.test.js").atoms
    assert len(atoms) >= 3 and all(a.loc <= 15 for a in atoms)
    iife = "(function () {\n" + "".join(f"  var a{i} = {i};\n" for i in range(40)) + "})();\n"
    atoms = atomize(iife, "umd.js").atoms
    assert len(atoms) >= 3 and all(a.loc <= 15 for a in atoms)


def test_switch_cases_are_cut_points() -> None:
    cases = "".join(
        f"    case {i}:\n      a();\n      b();\n      return {i};\n" for i in range(10)
    )
    source = f"function f(x) {{\n  switch (x) {{\n{cases}    default:\n      return 0;\n  }}\n}}\n"
    atoms = atomize(source, "sw.js").atoms
    assert len(atoms) >= 3 and all(a.loc <= 15 for a in atoms)


def test_tsx_component() -> None:
    source = (
        "import React from 'react';\n\n"
        "type Props = { name: string };\n\n"
        "export function Hello({ name }: Props) {\n"
        '  return (\n    <div className="greeting">\n      <Title text={name} />\n'
        "    </div>\n  );\n}\n"
    )
    (atom,) = atomize(source, "Hello.tsx").atoms
    assert atom.context.unresolved == ("Title",)  # <div> is intrinsic; Title is a component


def test_javascript_commonjs_require_is_an_import() -> None:
    source = "const fs = require('fs');\nconst { join } = require('path');\n\n" + "".join(
        f"function f{i}(p) {{\n  return fs.readFileSync(join(p, '{i}'));\n}}\n\n" for i in range(6)
    )
    atoms = atomize(source, "c.cjs").atoms
    later = atoms[-1]
    assert any("require('fs')" in i for i in later.context.imports)
    assert later.context.unresolved == ()


def test_typescript_syntax_error_reported_on_atom() -> None:
    source = (
        "export function ok(): number {\n  return 1;\n}\n\n"
        "export function bad(a: number {\n  return a;\n}\n"
    )
    result = atomize(source, "e.ts")
    assert result.syntax_issues
    assert any(a.issues for a in result.atoms)
