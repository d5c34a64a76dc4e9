"""The pytest plugin: `fakesysfs` and `fakesysfs_factory` fixtures, the `fakesysfs` marker.

    @pytest.mark.fakesysfs(scenario="two-hosts.yaml", trace_lookups=True)
    def test_migration_check(fakesysfs):
        ...

Without FUSE the fixtures skip the test, except under CI=true, where they fail it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest

from .mount import FakeSysfs, MountError, fuse_problem, mount


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
    mounts: List[FakeSysfs] = []
    binary = request.config.getoption("--fakesysfs-binary")

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
        for tree in reversed(mounts):
            try:
                tree.unmount()
            except MountError as error:
                problems.append(str(error))
        if problems:
            pytest.fail("; ".join(problems))


@pytest.fixture
def fakesysfs(request: pytest.FixtureRequest, fakesysfs_factory: Callable[..., FakeSysfs]) -> FakeSysfs:
    """A simulated /sys mounted for this test (see the `fakesysfs` marker), unmounted after it, pass or fail."""
    options = _mount_options(request)
    return fakesysfs_factory(options.pop("scenario", None), **options)
