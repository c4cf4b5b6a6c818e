"""The one error type of the LAS domain layer; the JSON API turns it into {"fout", "code"}."""
from __future__ import annotations


class LasError(Exception):
    """A refusal the user should read. `status` follows docs/actors.md (400, 404, 409, 422, 502)."""

    def __init__(self, status: int, fout: str, code: str | None = None):
        super().__init__(fout)
        self.status = status
        self.fout = fout
        self.code = code

    def to_dict(self) -> dict:
        return {"fout": self.fout, "code": self.code}
