"""The plugin as pytest loads it: cleanup on failure, markers, skipping rules."""

import json
import os


def _mountinfo_has(path):
    with open("/proc/self/mountinfo") as mounts:
        return any(line.split(" ")[4] == path for line in mounts)


def test_failing_test_still_unmounts(pytester):
    record = pytester.path / "root.txt"
    pytester.makepyfile(f"""
        def test_fails(fakesysfs):
            open({str(record)!r}, "w").write(str(fakesysfs.root))
            assert False, "the test fails on purpose"
    """)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    root = record.read_text()
    assert root.endswith("/sys")
    assert not _mountinfo_has(root)
    assert not os.path.exists(os.path.dirname(root))


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


def test_missing_binary_fails_rather_than_skips(pytester, monkeypatch):
    monkeypatch.setenv("FAKESYSFS_BINARY", "/nonexistent/fakesysfs")
    pytester.makepyfile("""
        def test_needs_it(fakesysfs):
            pass
    """)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fakesysfs binary /nonexistent/fakesysfs (from FAKESYSFS_BINARY) is not executable*"])


def test_marker_is_registered(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.fakesysfs(trace=False)
        def test_strict(fakesysfs):
            assert fakesysfs.trace_file is None
    """)
    result = pytester.runpytest_subprocess("--strict-markers")
    result.assert_outcomes(passed=1)
