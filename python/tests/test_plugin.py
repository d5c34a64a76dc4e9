"""The plugin as pytest loads it: cleanup on failure, markers, skipping rules."""

import json
import os
import shutil


def _mountinfo_has(path):
    with open("/proc/self/mountinfo") as mounts:
        return any(line.split(" ")[4] == path for line in mounts)


def test_failing_test_unmounts_and_keeps_its_evidence(pytester):
    record = pytester.path / "root.txt"
    pytester.makepyfile(f"""
        def test_fails(fakesysfs):
            open({str(record)!r}, "w").write(str(fakesysfs.root))
            fakesysfs.mark("before the failure")
            assert False, "the test fails on purpose"
    """)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    root = record.read_text()
    workspace = os.path.dirname(root)
    try:
        assert root.endswith("/sys")
        assert not _mountinfo_has(root)
        assert '"value":"before the failure"' in open(os.path.join(workspace, "trace.jsonl")).read()
        assert "serving the default host" in open(os.path.join(workspace, "server.log")).read()
        result.stdout.fnmatch_lines([
            "*fakesysfs trace, last 50 records*",
            '*"op":"mark"*"value":"before the failure"*',
            "*fakesysfs server log*",
            "*serving the default host*",
            f"*kept for inspection: {workspace}*",
        ])
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def test_passing_test_leaves_nothing(pytester):
    record = pytester.path / "root.txt"
    pytester.makepyfile(f"""
        def test_passes(fakesysfs):
            open({str(record)!r}, "w").write(str(fakesysfs.root))
    """)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    assert not os.path.exists(os.path.dirname(record.read_text()))


def test_marker_chooses_trace_lookups(pytester):
    record = pytester.path / "ops.json"
    pytester.makepyfile(f"""
        import json, os, pytest

        @pytest.mark.fakesysfs(trace_lookups=True)
        def test_lookups_traced(fakesysfs):
            os.stat(fakesysfs.path("bus/pci/devices"))
            json.dump(sorted({{r["op"] for r in fakesysfs.trace()}}), open({str(record)!r}, "w"))
    """)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert "lookup" in json.loads(record.read_text())


def test_missing_binary_skips_outside_ci_and_fails_under_it(pytester, monkeypatch):
    monkeypatch.setenv("FAKESYSFS_BINARY", "/nonexistent/fakesysfs")
    pytester.makepyfile("""
        def test_needs_it(fakesysfs):
            pass
    """)
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fakesysfs binary /nonexistent/fakesysfs (from FAKESYSFS_BINARY) is not executable"
                                 ", and CI=true forbids skipping*"])
    monkeypatch.delenv("CI")
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*fakesysfs binary /nonexistent/fakesysfs (from FAKESYSFS_BINARY) is not executable*"])


def test_marker_is_registered(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fakesysfs(trace=False)
        def test_strict(fakesysfs):
            assert fakesysfs.trace_file is None
    """)
    result = pytester.runpytest_subprocess("--strict-markers")
    result.assert_outcomes(passed=1)
