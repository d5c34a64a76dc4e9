"""fakesysfs_run: a command per host of a two-host tree, live changes and the trace."""

import pytest


@pytest.mark.fakesysfs(scenario="two-hosts.yaml")
def test_each_host_is_the_sys_of_its_runs(fakesysfs_run):
    listing = ["sh", "-c", "cat /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs; ls /sys/bus/pci/devices"]
    before = fakesysfs_run(host="dst", cmd=listing)
    assert before.returncode == 0, before.stderr
    assert before.stdout.split() == ["1", "0000:3b:00.0", "0000:3b:00.1"]
    fakesysfs_run.ctl("set-vfs", "0000:3b:00.0", "3", host="dst")
    after = fakesysfs_run(host="dst", cmd=listing)
    assert after.stdout.split()[:2] == ["3", "0000:3b:00.0"]
    assert len(after.stdout.split()) == 5
    untouched = fakesysfs_run(host="src", cmd=listing)
    assert untouched.stdout.split()[0] == "1"
    reads = fakesysfs_run.trace(op="read", path="*/sriov_numvfs")
    assert [record.host for record in reads] == ["dst", "dst", "src"]


@pytest.mark.fakesysfs(scenario="two-hosts.yaml")
def test_a_run_returns_the_commands_status_and_refuses_an_unknown_host(fakesysfs_run):
    assert fakesysfs_run(host="src", cmd=["sh", "-c", "exit 3"]).returncode == 3
    refused = fakesysfs_run(host="elsewhere", cmd=["true"])
    assert refused.returncode == 125
    assert "no host 'elsewhere'" in refused.stderr
