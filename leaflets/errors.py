"""The one exception family of the library: every user-facing error carries a path and line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located at ``path:lineno`` when known."""

    path: str | None
    lineno: int | None
    message: str

    def __str__(self) -> str:
        if self.path and self.lineno:
            return f"{self.path}:{self.lineno}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


class LeafletError(Exception):
    """A problem with the user's input: shown as ``path:line: message``, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str, path: str | Path | None = None, lineno: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.lineno = lineno

    @property
    def problems(self) -> list[Problem]:
        """The located problems this error stands for (one, unless a subclass gathers more)."""
        return [Problem(self.path, self.lineno, self.message)]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UsageError(LeafletError):
    """The command line asked for something that cannot be done as asked."""

    exit_code = 2


class CatalogError(LeafletError):
    """A PO/POT file cannot be read or is inconsistent."""


class TemplateError(LeafletError):
    """A Jinja2 template or leaflet metadata file is broken."""


class RenderError(LeafletError):
    """WeasyPrint produced something we will not hand to a patient."""


class ProblemsError(LeafletError):
    """Several located problems found together, reported one per line."""

    def __init__(self, problems: list[Problem]):
        self._problems = sorted(problems, key=lambda p: (p.path or "", p.lineno or 0, p.message))
        first = self._problems[0] if self._problems else Problem(None, None, "no problems")
        super().__init__(first.message, first.path, first.lineno)

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)
