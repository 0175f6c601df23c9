"""Why an edit was refused, in words for the user, field by field."""

from __future__ import annotations

from panjmap.validate import Problem


class EditError(ValueError):
    """The change was not written. ``problems`` name the field each one concerns."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def by_field(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        for problem in self.problems:
            fields.setdefault(problem.field, []).append(problem.message)
        return fields


class ConflictError(EditError):
    """Someone saved the record after this editor opened it; ``changed`` holds their values."""

    def __init__(self, message: str, changed: dict[str, tuple[str, str]]) -> None:
        super().__init__(message)
        self.changed = changed  # field -> (value the editor started from, value saved meanwhile)
