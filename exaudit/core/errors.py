"""The one exception users see: input that cannot be used, with file and line."""

from __future__ import annotations


class InputError(Exception):
    """Input exaudit cannot use; printed as ``exaudit: error: FILE:LINE: what`` (exit 2)."""

    def __init__(self, file: str | None, line: int | None, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[str | None, int | None, str]]:
        # raised in a worker process, it crosses back to the parent by pickling
        return (InputError, (self.file, self.line, self.message))

    def __str__(self) -> str:
        if self.file is None:  # about the command line, not a file: the message alone
            return self.message
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"
