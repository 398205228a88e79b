"""Errors raised by the atomization engine."""

from __future__ import annotations


class AtomizationError(Exception):
    """Base class of every error the atomization engine raises on purpose."""


class UnsupportedLanguageError(AtomizationError, ValueError):
    """The language (named explicitly or guessed from the extension) has no grammar here.

    A ValueError too, so callers validating user input can treat it like any bad value.
    """

    def __init__(self, language: str | None, path: str) -> None:
        self.language = language
        self.path = path
        what = f"language {language!r}" if language else "the extension of this file"
        super().__init__(
            f"cannot atomize {path!r}: {what} is not supported "
            "(python, typescript, tsx, javascript)"
        )
