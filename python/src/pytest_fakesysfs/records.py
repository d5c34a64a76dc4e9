"""Typed values for what the trace and `ctl` report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class TraceRecord:
    """One line of the access trace (see docs/harness.md for every field).

    Indexing (`record["error"]`) reads the raw JSON object, fields included or not.
    """

    time: str
    op: str
    path: str = ""
    pid: Optional[int] = None
    comm: Optional[str] = None
    host: Optional[str] = None
    value: Optional[str] = None
    errno: int = 0
    error: Optional[str] = None
    reason: Optional[str] = None
    fault: bool = False
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, record: dict) -> "TraceRecord":
        return cls(time=record.get("time", ""), op=record.get("op", ""), path=record.get("path", ""),
                   pid=record.get("pid"), comm=record.get("comm"), host=record.get("host"),
                   value=record.get("value"), errno=record.get("errno", 0), error=record.get("error"),
                   reason=record.get("reason"), fault=record.get("fault", False), raw=record)

    @property
    def failed(self) -> bool:
        return self.errno != 0

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


@dataclass(frozen=True)
class Fault:
    """A fault added with `FakeSysfs.fault(...)`: its id and how the server describes it."""

    id: int
    description: str
