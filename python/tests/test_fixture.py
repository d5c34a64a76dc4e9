"""The fixture against a real mount of the default host."""

import errno
import os

import pytest

from pytest_fakesysfs import CtlError, TraceRecord

SSD = "bus/pci/devices/0000:3b:00.0"


def test_root_is_a_served_sys(fakesysfs):
    assert fakesysfs.mounted
    assert {"bus", "class", "devices", "kernel"} <= set(os.listdir(fakesysfs.root))
    assert fakesysfs.read(SSD, "vendor") == "0x144d\n"
    assert fakesysfs.path("/sys/bus/pci") == fakesysfs.root / "bus" / "pci"


def test_writes_return_the_kernels_errno(fakesysfs):
    assert fakesysfs.write("2", SSD, "sriov_numvfs") == 1
    assert sorted(name for name in os.listdir(fakesysfs.path(SSD)) if name.startswith("virtfn")) == ["virtfn0", "virtfn1"]
    with pytest.raises(OSError) as raised:
        fakesysfs.write("3", SSD, "sriov_numvfs")
    assert raised.value.errno == errno.EBUSY


def test_ctl_changes_the_tree_and_reports_the_diff(fakesysfs):
    output = fakesysfs.ctl("set-vfs", "0000:3b:00.0", "1")
    assert "+ /devices/pci0000:00/0000:3b:00.1/" in output.splitlines()
    assert "uevent add /devices/pci0000:00/0000:3b:00.1 (pci)" in output.splitlines()
    assert fakesysfs.path("bus/pci/devices/0000:3b:00.1").exists()
    fakesysfs.ctl("unplug", "0000:3b:00.0")
    assert not fakesysfs.path(SSD).exists()


def test_ctl_failure_raises_with_the_reason(fakesysfs):
    with pytest.raises(CtlError) as raised:
        fakesysfs.ctl("unplug", "0000:99:00.0")
    assert raised.value.status == 1
    assert "no PCI function 0000:99:00.0" in raised.value.stderr
    assert fakesysfs.ctl("unplug", "0000:99:00.0", check=False) == ""


def test_injected_fault_then_recovery(fakesysfs):
    fakesysfs.ctl("fault", "add", "path=*/sriov_totalvfs", "op=read", "errno=EAGAIN", "once=true")
    with pytest.raises(OSError) as raised:
        fakesysfs.read(SSD, "sriov_totalvfs")
    assert raised.value.errno == errno.EAGAIN
    assert fakesysfs.read(SSD, "sriov_totalvfs") == "32\n"


def test_vanished_device_is_listed_but_cannot_be_opened(fakesysfs):
    fakesysfs.ctl("fault", "add", "path=*/0000:3b:00.0", "vanish=true")
    assert "0000:3b:00.0" in os.listdir(fakesysfs.path("bus/pci/devices"))
    with pytest.raises(FileNotFoundError):
        fakesysfs.read(SSD, "vendor")


def test_trace_names_this_process_and_the_bytes_written(fakesysfs):
    with pytest.raises(OSError):
        fakesysfs.write("99", SSD, "sriov_numvfs")
    [write] = fakesysfs.trace(op="write", path="*/sriov_numvfs")
    assert write["pid"] == os.getpid()
    assert write["value"] == "99"
    assert write["bytes"] == 2
    assert write["error"] == "ERANGE"
    [opened] = fakesysfs.trace(op="open", path="/sys/devices/*/sriov_numvfs")
    assert opened["mode"] == "w"
    assert fakesysfs.trace(errors=True) == [write]


def test_marks_separate_steps(fakesysfs):
    fakesysfs.ctl("mark", "before")
    fakesysfs.read(SSD, "vendor")
    fakesysfs.ctl("mark", "after")
    operations = [(record["op"], record.get("value")) for record in fakesysfs.trace(op=("mark", "read"))]
    assert operations == [("mark", "before"), ("read", None), ("mark", "after")]


def test_factory_mounts_several_and_trace_can_be_off(fakesysfs_factory):
    first = fakesysfs_factory()
    second = fakesysfs_factory(trace=False)
    assert first.root != second.root
    assert first.read(SSD, "vendor") == second.read(SSD, "vendor")
    with pytest.raises(RuntimeError):
        second.trace()


def test_typed_helpers_return_values(fakesysfs):
    uuid = fakesysfs.create_mdev("0000:00:02.0", "i915-GVTg_V5_8")
    assert (fakesysfs.path("bus/mdev/devices") / uuid).is_symlink()
    fakesysfs.set_vfs(SSD.split("/")[-1], 2)
    assert fakesysfs.read(SSD, "sriov_numvfs") == "2\n"
    fakesysfs.update(SSD.split("/")[-1], driver_version="1.3.0")
    assert "-1.3.0-" in fakesysfs.read("bus/pci/devices/0000:3b:00.1/migration_version")
    fault = fakesysfs.fault("*/sriov_totalvfs", op="read", errno="EAGAIN", once=True)
    assert fault.id >= 1 and "EAGAIN" in fault.description
    with pytest.raises(OSError):
        fakesysfs.read(SSD, "sriov_totalvfs")
    fakesysfs.clear_faults([fault])
    fakesysfs.remove_mdev(uuid)
    [created] = fakesysfs.trace(op="ctl", path=None, errors=False)[:1]
    assert isinstance(created, TraceRecord) and created.op == "ctl" and created.errno == 0
    [refused] = fakesysfs.trace(op="read", errors=True)
    assert refused.error == "EAGAIN" and refused.fault and refused.failed
