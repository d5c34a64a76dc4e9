"""One fakesysfs mount, driven through the `fakesysfs` binary."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterable, List, Optional, Union

from .control import ControlHelpers
from .records import TraceRecord

PathLike = Union[str, "os.PathLike[str]"]


class MountError(RuntimeError):
    """`fakesysfs mount` failed, or the binary is missing."""


class CtlError(RuntimeError):
    """A `fakesysfs ctl` command failed; `status` and `stderr` say how."""

    def __init__(self, args: Iterable[str], status: int, stdout: str, stderr: str):
        self.command = list(args)
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        super().__init__(f"fakesysfs ctl {' '.join(self.command)}: exit {status}: {stderr.strip()}")


def find_binary(explicit: Optional[PathLike] = None) -> str:
    """The fakesysfs binary: `explicit`, else $FAKESYSFS_BINARY, else `fakesysfs` on PATH."""
    if explicit:
        source, candidate = "--fakesysfs-binary", os.fspath(explicit)
    elif os.environ.get("FAKESYSFS_BINARY"):
        source, candidate = "FAKESYSFS_BINARY", os.environ["FAKESYSFS_BINARY"]
    else:
        source, candidate = "PATH", shutil.which("fakesysfs") or ""
    if not candidate:
        raise MountError("no fakesysfs binary: set FAKESYSFS_BINARY or put fakesysfs on PATH")
    if not os.access(candidate, os.X_OK):
        raise MountError(f"fakesysfs binary {candidate} (from {source}) is not executable")
    return candidate


def fuse_problem() -> Optional[str]:
    """Why FUSE cannot be used here, or None when it can."""
    if not os.path.exists("/dev/fuse"):
        return "/dev/fuse is missing (load the fuse module)"
    if not os.access("/dev/fuse", os.R_OK | os.W_OK):
        return "/dev/fuse is not accessible to this user"
    if not (shutil.which("fusermount3") or os.geteuid() == 0):
        return "fusermount3 is missing (install fuse3)"
    return None


class FakeSysfs(ControlHelpers):
    """A mounted simulated /sys. Use as a context manager, or call `unmount()`.

    `root` is the mount point (the equivalent of /sys). With several hosts in
    the scenario, each host's /sys is `root/<host>`: pass `host=` to `path`.
    """

    def __init__(self, binary: str, workspace: Path, root: Path, trace_file: Optional[Path], log_file: Path):
        self.binary = binary
        self.workspace = workspace
        self.root = root
        self.trace_file = trace_file
        self.log_file = log_file
        self._mounted = True

    # Paths and files

    def path(self, *parts: str, host: Optional[str] = None) -> Path:
        """The path of a sysfs path inside the mount: `path("bus/pci/devices")`, `path("/sys/bus", "pci")`."""
        relative = [str(part) for part in parts]
        if relative and relative[0].startswith("/sys/"):
            relative[0] = relative[0][len("/sys/"):]
        relative = [part.lstrip("/") for part in relative]
        base = self.root / host if host else self.root
        return base.joinpath(*relative) if relative else base

    def read(self, *parts: str, host: Optional[str] = None) -> str:
        """The text of an attribute, as `cat` would print it; raises OSError with the kernel's errno.

        Plain read(2)s: Python's buffered files turn EAGAIN into "no data" instead of an error.
        """
        fd = os.open(self.path(*parts, host=host), os.O_RDONLY)
        try:
            chunks = []
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return b"".join(chunks).decode()
                chunks.append(chunk)
        finally:
            os.close(fd)

    def write(self, value: Union[str, bytes], *parts: str, host: Optional[str] = None) -> int:
        """One write(2) of `value` (no newline added); raises OSError with the kernel's errno."""
        data = value.encode() if isinstance(value, str) else value
        fd = os.open(self.path(*parts, host=host), os.O_WRONLY)
        try:
            return os.write(fd, data)
        finally:
            os.close(fd)

    # Live control

    def ctl(self, *args: str, check: bool = True) -> str:
        """Runs `fakesysfs ctl ROOT ARGS...` and returns what it printed; raises CtlError on failure."""
        words = [str(arg) for arg in args]
        result = subprocess.run([self.binary, "ctl", str(self.root), *words],
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise CtlError(words, result.returncode, result.stdout, result.stderr)
        return result.stdout

    # Trace

    def trace(self, op: Union[str, Iterable[str], None] = None, path: Optional[str] = None,
              errors: bool = False, pid: Optional[int] = None, comm: Optional[str] = None,
              host: Optional[str] = None) -> List[TraceRecord]:
        """The access trace so far, one `TraceRecord` per record, optionally filtered.

        `path` is a glob where `*` also matches `/`; `op` an operation or several.
        """
        if self.trace_file is None:
            raise RuntimeError("this mount has no trace (mount with trace=True)")
        operations = {op} if isinstance(op, str) else set(op) if op else None
        if path is not None and path.startswith("/sys/"):
            path = path[len("/sys"):]
        records = []
        if not self.trace_file.exists():
            return records
        with open(self.trace_file, "r") as lines:
            for line in lines:
                if not line.strip():
                    continue
                record: dict[str, Any] = json.loads(line)
                if operations and record.get("op") not in operations:
                    continue
                if path is not None and not fnmatch.fnmatchcase(record.get("path", ""), path):
                    continue
                if errors and record.get("errno", 0) == 0:
                    continue
                if pid is not None and record.get("pid") != pid:
                    continue
                if comm is not None and record.get("comm") != comm:
                    continue
                if host is not None and record.get("host") != host:
                    continue
                records.append(TraceRecord.from_json(record))
        return records

    # Life cycle

    @property
    def mounted(self) -> bool:
        return self._mounted and _is_mount_point(self.root)

    def unmount(self, keep_workspace: bool = False) -> None:
        """Stops the server and removes the workspace (unless kept: the trace and
        log of a failed test stay there); safe to call twice."""
        if not self._mounted:
            return
        self._mounted = False
        problems = []
        if _is_mount_point(self.root):
            result = subprocess.run([self.binary, "unmount", str(self.root)], capture_output=True, text=True, timeout=60)
            if result.returncode != 0:
                problems.append(result.stderr.strip())
        if _is_mount_point(self.root) and shutil.which("fusermount3"):
            subprocess.run(["fusermount3", "-uz", str(self.root)], capture_output=True, timeout=60)
        if _is_mount_point(self.root):
            raise MountError(f"{self.root} is still mounted: {'; '.join(problems)}")
        if not keep_workspace:
            shutil.rmtree(self.workspace, ignore_errors=True)

    def __enter__(self) -> "FakeSysfs":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.unmount()

    def __repr__(self) -> str:
        return f"FakeSysfs(root={str(self.root)!r}, mounted={self._mounted})"


def mount(scenario: Optional[PathLike] = None, *, trace: bool = True, trace_lookups: bool = False,
          binary: Optional[PathLike] = None, directory: Optional[PathLike] = None) -> FakeSysfs:
    """Mounts a simulated /sys on a fresh directory and returns it once served.

    `scenario` is a scenario YAML file (the default host without it). The trace,
    when on, is written to `<workspace>/trace.jsonl`.
    """
    executable = find_binary(binary)
    workspace = Path(tempfile.mkdtemp(prefix="fakesysfs-", dir=directory))
    root = workspace / "sys"
    root.mkdir()
    trace_file = workspace / "trace.jsonl" if trace else None
    log_file = workspace / "server.log"
    command = [executable, "mount", "--log", str(log_file)]
    if scenario is not None:
        command += ["--scenario", os.fspath(scenario)]
    if trace_file is not None:
        command += ["--trace", str(trace_file)]
        if trace_lookups:
            command.append("--trace-lookups")
    command.append(str(root))
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        log = log_file.read_text() if log_file.exists() else ""
        shutil.rmtree(workspace, ignore_errors=True)
        raise MountError(f"fakesysfs mount failed (exit {result.returncode}): {result.stderr.strip()} {log.strip()}".strip())
    return FakeSysfs(executable, workspace, root, trace_file, log_file)


def _is_mount_point(path: Path) -> bool:
    target = os.path.realpath(os.path.dirname(path)) + "/" + os.path.basename(path)
    try:
        with open("/proc/self/mountinfo", "r") as mounts:
            for line in mounts:
                fields = line.split(" ")
                if len(fields) > 4 and _unescape(fields[4]) == target:
                    return True
    except OSError:
        pass
    return False


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")
