"""Builds the atomizer's native core (Cython, linked against the vendored tree-sitter runtime).

Everything else about the project is declared in pyproject.toml. The native core is optional:
when it cannot be built (no C compiler), MGE runs the same atomizer in pure Python, slower.
"""

import os
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup

RUNTIME = "third_party/tree-sitter/lib"
NATIVE = Path("domain/atomization/_native")
# Hidden visibility: the runtime's symbols must not clash with other copies in the process.
FLAGS = ["-std=c11", "-O2", "-fvisibility=hidden", "-Wno-unused-function"]


def native_module(name: str) -> Extension:
    return Extension(
        f"domain.atomization._native.{name}",
        sources=[str(NATIVE / f"{name}.pyx"), f"{RUNTIME}/src/lib.c"],
        include_dirs=[f"{RUNTIME}/include", f"{RUNTIME}/src", str(NATIVE)],
        define_macros=[("_DEFAULT_SOURCE", None)],
        extra_compile_args=FLAGS,
        optional=True,
    )


# MGE_NATIVE_ONLY=name[,name]: build only those modules (while working on one of them).
ONLY = {name for name in os.environ.get("MGE_NATIVE_ONLY", "").split(",") if name}
MODULES = [path.stem for path in sorted(NATIVE.glob("*.pyx")) if not ONLY or path.stem in ONLY]

setup(
    ext_modules=cythonize(
        [native_module(name) for name in MODULES],
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
        quiet=True,
    ),
)
