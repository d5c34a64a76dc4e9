"""Commands run with one host of a mounted tree as their /sys (`fakesysfs run --attach`)."""

from __future__ import annotations

import os
import subprocess
from typing import Any, Mapping, Optional, Sequence

from .mount import FakeSysfs


class HostRuns:
    """Runs commands in private namespaces whose /sys is one host of `tree`.

    Every run shares `tree`'s server, so `ctl` changes and the `trace` cover
    them all; each run gets the uevents of its own host only.

        result = fakesysfs_run(host="target", cmd=["mdevctl", "types"])
        assert result.returncode == 0
    """

    def __init__(self, tree: FakeSysfs):
        self.tree = tree

    def __call__(self, cmd: Sequence[str], host: Optional[str] = None, *, timeout: float = 120,
                 input: Optional[str] = None, env: Optional[Mapping[str, str]] = None,
                 check: bool = False) -> subprocess.CompletedProcess:
        """`fakesysfs run --attach ROOT [--host HOST] -- CMD...`, completed, with its output as text."""
        command = [self.tree.binary, "run", "--attach", str(self.tree.root)]
        if host is not None:
            command += ["--host", host]
        command += ["--", *[str(word) for word in cmd]]
        environment = None if env is None else {**os.environ, **env}
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, input=input,
                              env=environment, check=check)

    def ctl(self, verb: str, *args: str, host: Optional[str] = None, check: bool = True) -> str:
        """`fakesysfs ctl ROOT VERB [--host HOST] ARGS...`: a live change every run of that host sees."""
        host_option = ["--host", host] if host is not None else []
        return self.tree.ctl(verb, *host_option, *args, check=check)

    def trace(self, **filters: Any) -> list:
        """The mount's access trace (see `FakeSysfs.trace`): the runs' reads and writes are in it."""
        return self.tree.trace(**filters)
