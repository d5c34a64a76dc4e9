"""Mount a simulated Linux /sys (fakesysfs) for a test and drive it.

    def test_create_mdev(fakesysfs):
        uuid = fakesysfs.create_mdev("0000:00:02.0", "i915-GVTg_V5_4")
        assert (fakesysfs.path("bus/mdev/devices") / uuid).exists()
"""

from .mount import CtlError, FakeSysfs, MountError, find_binary, fuse_problem, mount
from .records import Fault, TraceRecord
from .run import HostRuns

__all__ = ["CtlError", "Fault", "FakeSysfs", "HostRuns", "MountError", "TraceRecord", "find_binary", "fuse_problem",
           "mount"]
