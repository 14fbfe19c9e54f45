"""A YAML value with the file and line it starts on (what the readers of YAML files get).

Apart from the YAML reader (``yamlsrc``), so that code naming it never imports PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exaudit.core.errors import InputError


@dataclass(frozen=True)
class Node:
    """A YAML value with the file and 1-based line it starts on."""

    file: str
    line: int
    value: Any  # dict[str, Node] | list[Node] | str | int | float | bool | None

    def error(self, message: str) -> InputError:
        return InputError(self.file, self.line, message)

    def mapping(self, what: str) -> dict[str, Node]:
        if not isinstance(self.value, dict):
            raise self.error(f"{what} must be a mapping")
        return self.value

    def sequence(self, what: str) -> list[Node]:
        if not isinstance(self.value, list):
            raise self.error(f"{what} must be a list")
        return self.value

    def items(self, what: str) -> list[Node]:
        """A list, or a single value taken as a list of one."""
        if isinstance(self.value, list):
            return self.value
        if isinstance(self.value, dict):
            raise self.error(f"{what} must be a name, an address or a list of those")
        return [self]

    def text(self, what: str) -> str:
        if isinstance(self.value, bool) or not isinstance(self.value, (str, int, float)):
            raise self.error(f"{what} must be a string")
        return str(self.value)

    def integer(self, what: str, lo: int, hi: int) -> int:
        v = self.value
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.error(f"{what} must be a whole number, not {v!r}")
        if not lo <= v <= hi:
            raise self.error(f"{what} {v} is out of range ({lo}-{hi})")
        return v

    def boolean(self, what: str) -> bool:
        if not isinstance(self.value, bool):
            raise self.error(f"{what} must be true or false, not {self.value!r}")
        return self.value
