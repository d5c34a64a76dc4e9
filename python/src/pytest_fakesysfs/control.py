"""Typed helpers over `fakesysfs ctl`: each runs one command and returns a value, not text."""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional, Sequence

from .records import Fault


def _settings(settings: dict) -> list:
    return [f"{key}={'' if value is None else value}" for key, value in settings.items()]


def _host(host: Optional[str]) -> list:
    return ["--host", host] if host else []


class ControlHelpers:
    """Mixed into `FakeSysfs`, which provides `ctl(*args)`."""

    def ctl(self, *args: str, check: bool = True) -> str:  # provided by FakeSysfs
        raise NotImplementedError

    def create_mdev(self, parent: str, mdev_type: str, uuid: Optional[str] = None, *, host: Optional[str] = None) -> str:
        """Creates an mdev (a write of its UUID to the type's `create`) and returns its UUID."""
        output = self.ctl("create-mdev", *_host(host), parent, mdev_type, *([uuid] if uuid else []))
        return output.splitlines()[0].strip()

    def remove_mdev(self, uuid: str, *, host: Optional[str] = None) -> None:
        self.ctl("remove-mdev", *_host(host), uuid)

    def set_vfs(self, pf: str, count: int, *, host: Optional[str] = None) -> None:
        """Sets the PF's VF count (through 0, as an administrator must)."""
        self.ctl("set-vfs", *_host(host), pf, str(count))

    def plug(self, address: str, driver: str, *, host: Optional[str] = None, **settings: Any) -> None:
        """Hot-plugs a device: `plug("0000:5e:00.0", "nvme-vf", driver_version="1.2.0")`."""
        self.ctl("plug", *_host(host), address, driver, *_settings(settings))

    def unplug(self, address: str, *, host: Optional[str] = None) -> None:
        self.ctl("unplug", *_host(host), address)

    def update(self, address: str, *, host: Optional[str] = None, **settings: Any) -> None:
        """Changes driver settings in place: `update("0000:3b:00.0", driver_version="1.3.0")`; None resets a key."""
        self.ctl("update", *_host(host), address, *_settings(settings))

    def fault(self, path: str, *, op: Optional[str] = None, errno: Optional[str] = None, **keys: Any) -> Fault:
        """Adds a fault and returns it with its id: `fault("*/create", op="write", errno="ENOSPC", once=True)`."""
        words = [f"path={path}"] + ([f"op={op}"] if op else []) + ([f"errno={errno}"] if errno else [])
        words += [f"{key}={str(value).lower() if isinstance(value, bool) else value}" for key, value in keys.items()]
        line = self.ctl("fault", "add", *words).splitlines()[0]
        match = re.match(r"fault (\d+): (.*)", line)
        if match is None:
            raise RuntimeError(f"unexpected reply to fault add: {line!r}")
        return Fault(int(match.group(1)), match.group(2))

    def clear_faults(self, faults: Iterable[Any] = ()) -> None:
        """Clears the given faults (ids or `Fault`s), or every fault."""
        ids: Sequence[str] = [str(fault.id if isinstance(fault, Fault) else fault) for fault in faults]
        self.ctl("fault", "clear", *ids)

    def mark(self, text: str) -> None:
        """Puts a `mark` record into the trace, to find a test's steps in it."""
        self.ctl("mark", text)

    def reload(self) -> str:
        """Applies the scenario file's changes; returns the server's summary."""
        return self.ctl("reload")
