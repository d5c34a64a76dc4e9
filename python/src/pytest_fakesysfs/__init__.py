"""Mount a simulated Linux /sys (fakesysfs) for a test and drive it.

    def test_create_mdev(fakesysfs):
        uuid = fakesysfs.ctl("create-mdev", "0000:00:02.0", "i915-GVTg_V5_4").splitlines()[0]
        assert (fakesysfs.path("bus/mdev/devices") / uuid).exists()
"""

from .mount import CtlError, FakeSysfs, MountError, find_binary, fuse_problem, mount

__all__ = ["CtlError", "FakeSysfs", "MountError", "find_binary", "fuse_problem", "mount"]
