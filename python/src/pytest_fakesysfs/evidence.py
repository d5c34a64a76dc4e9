"""What a failing test's report shows of its mounts: the last trace records and the server log."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

TRACE_RECORDS = 50
LOG_LINES = 200


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"(cannot read {path}: {error.strerror})"
    kept = text.splitlines()[-lines:]
    return "\n".join(kept) if kept else "(empty)"


def sections(tree) -> List[Tuple[str, str]]:
    """Report sections for one mount: its trace's last records and its server log."""
    found = []
    if tree.trace_file is not None:
        found.append((f"fakesysfs trace, last {TRACE_RECORDS} records ({tree.trace_file})",
                      _tail(tree.trace_file, TRACE_RECORDS)))
    found.append((f"fakesysfs server log ({tree.log_file})", _tail(tree.log_file, LOG_LINES)))
    return found
