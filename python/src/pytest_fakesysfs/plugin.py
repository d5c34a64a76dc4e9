"""The pytest plugin: `fakesysfs`, `fakesysfs_factory` and `fakesysfs_run` fixtures, the `fakesysfs` marker.

    @pytest.mark.fakesysfs(scenario="two-hosts.yaml", trace_lookups=True)
    def test_migration_check(fakesysfs):
        ...

Without FUSE or a fakesysfs binary the fixtures skip the test, except under
CI=true, where they fail it. A failing test's report shows each mount's last
trace records and server log, and its workspace (trace, log) is kept.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

from . import evidence
from .mount import FakeSysfs, MountError, find_binary, fuse_problem, mount
from .run import HostRuns

_MOUNTS = pytest.StashKey[List[FakeSysfs]]()
_FAILED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fakesysfs")
    group.addoption("--fakesysfs-binary", default=None,
                    help="the fakesysfs binary (default: $FAKESYSFS_BINARY, then PATH)")
    parser.addini("fakesysfs_scenario", "scenario file mounted by the fakesysfs fixture by default", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fakesysfs(scenario=None, trace=True, trace_lookups=False): how the fakesysfs fixture mounts for this test")


def _require_fuse() -> None:
    problem = fuse_problem()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"fakesysfs needs FUSE, and CI=true forbids skipping: {problem}")
    pytest.skip(f"fakesysfs needs FUSE: {problem}")


def _require_binary(explicit: Any) -> None:
    try:
        find_binary(explicit)
    except MountError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{error}, and CI=true forbids skipping")
        pytest.skip(str(error))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed setup or call gets the evidence of the test's mounts in its report."""
    outcome = yield
    report = outcome.get_result()
    mounts = item.stash.get(_MOUNTS, [])
    if report.when in ("setup", "call") and report.failed and mounts:
        item.stash[_FAILED] = True
        for tree in mounts:
            report.sections.extend(evidence.sections(tree))
            report.sections.append(("fakesysfs workspace", f"kept for inspection: {tree.workspace}"))


def _mount_options(request: pytest.FixtureRequest) -> dict:
    options: dict[str, Any] = {}
    ini = request.config.getini("fakesysfs_scenario")
    if ini:
        options["scenario"] = Path(request.config.rootpath) / ini
    marker = request.node.get_closest_marker("fakesysfs")
    if marker is not None:
        if marker.args:
            options["scenario"] = marker.args[0]
        options.update(marker.kwargs)
    scenario = options.get("scenario")
    if scenario is not None and not os.path.isabs(os.fspath(scenario)):
        options["scenario"] = Path(request.node.path).parent / scenario
    return options


@pytest.fixture
def fakesysfs_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., FakeSysfs]]:
    """Mounts as many trees as a test needs (`factory(scenario=..., trace=...)`); all are unmounted after it."""
    _require_fuse()
    binary = request.config.getoption("--fakesysfs-binary")
    _require_binary(binary)
    mounts: List[FakeSysfs] = []
    request.node.stash[_MOUNTS] = mounts

    def factory(scenario: Any = None, **options: Any) -> FakeSysfs:
        options.setdefault("binary", binary)
        try:
            tree = mount(scenario, **options)
        except MountError as error:
            pytest.fail(str(error))
        mounts.append(tree)
        return tree

    try:
        yield factory
    finally:
        problems = []
        keep = request.node.stash.get(_FAILED, False)
        for tree in reversed(mounts):
            try:
                tree.unmount(keep_workspace=keep)
            except MountError as error:
                problems.append(str(error))
        if problems:
            pytest.fail("; ".join(problems))


@pytest.fixture
def fakesysfs(request: pytest.FixtureRequest, fakesysfs_factory: Callable[..., FakeSysfs]) -> FakeSysfs:
    """A simulated /sys mounted for this test (see the `fakesysfs` marker), unmounted after it, pass or fail."""
    options = _mount_options(request)
    return fakesysfs_factory(options.pop("scenario", None), **options)


@pytest.fixture
def fakesysfs_run(fakesysfs: FakeSysfs) -> HostRuns:
    """Runs a command with one host of the test's tree as its /sys: `fakesysfs_run(host="target",
    cmd=[...])` returns the completed process; `.ctl(...)` and `.trace(...)` drive and read the server.

    Needs root (namespaces): skipped otherwise, except under CI=true, where the test fails."""
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("fakesysfs_run needs root, and CI=true forbids skipping")
        pytest.skip("fakesysfs_run needs root (private namespaces)")
    return HostRuns(fakesysfs)
