"""A two-host scenario: the marker, host paths, a live downgrade and the trace's reason."""

import errno
from pathlib import Path

import pytest

VF = "bus/pci/devices/0000:3b:00.1/migration_version"


@pytest.mark.fakesysfs(scenario="two-hosts.yaml")
def test_migration_refused_after_target_downgrade(fakesysfs):
    version = fakesysfs.read(VF, host="src")
    assert fakesysfs.write(version, VF, host="dst") == len(version)
    fakesysfs.ctl("update", "--host", "dst", "0000:3b:00.0", "driver_version=0.9.0")
    with pytest.raises(OSError) as refused:
        fakesysfs.write(version, VF, host="dst")
    assert refused.value.errno == errno.EINVAL
    writes = fakesysfs.trace(op="write", path="*/migration_version")
    assert [(w["host"], w["errno"]) for w in writes] == [("dst", 0), ("dst", errno.EINVAL)]
    assert "software_version not matched: source 1.0.0, target 0.9.0" in writes[-1]["reason"]


def test_reload_after_editing_the_scenario(fakesysfs_factory, tmp_path):
    scenario = tmp_path / "live.yaml"
    original = (Path(__file__).parent / "two-hosts.yaml").read_text()
    scenario.write_text(original)
    tree = fakesysfs_factory(scenario)
    assert not tree.path("bus/pci/devices/0000:3b:00.2", host="dst").exists()
    scenario.write_text(original.replace("vfs: 1}", "vfs: 2}"))
    output = tree.ctl("reload")
    assert output.startswith("reloaded: src: 0000:3b:00.0: 2 VFs; dst: 0000:3b:00.0: 2 VFs;")
    assert tree.path("bus/pci/devices/0000:3b:00.2", host="dst").is_symlink()
