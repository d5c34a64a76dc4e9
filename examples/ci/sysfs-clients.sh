#!/usr/bin/env bash
# A CI job that mounts a fake /sys and runs unmodified clients against it:
# lspci reads the PCI tree through its sysfs.path option, mdevctl (which
# hard-codes /sys) lists types and starts and stops an mdev inside a private
# mount namespace, a VF is hot-added live with `fakesysfs ctl`, and the access
# trace shows what each client touched.
#
# Needs root (for the mount namespace), FUSE, lspci and mdevctl, and the
# fakesysfs binary as $FAKESYSFS_BINARY or on PATH. Exits non-zero on the
# first failed check; unmounts whatever happens.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fakesysfs="${FAKESYSFS_BINARY:-$(command -v fakesysfs || true)}"
[ -x "$fakesysfs" ] || { echo "no fakesysfs binary: set FAKESYSFS_BINARY or put it on PATH" >&2; exit 2; }

work="$(mktemp -d)"
sys="$work/sys"
cleanup() {
    "$fakesysfs" unmount "$sys" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$sys" "$work/mdevctl.d/scripts.d/callouts" "$work/mdevctl.d/scripts.d/notifiers"

check() {  # check DESCRIPTION COMMAND...: run it, say ok or fail
    if "${@:2}"; then echo "ok: $1"; else echo "FAILED: $1" >&2; exit 1; fi
}

"$fakesysfs" mount --scenario "$here/scenario.yaml" --trace "$work/trace.jsonl" --log "$work/server.log" "$sys"

# lspci reads the tree directly.
lspci -A linux-sysfs -O sysfs.path="$sys/bus/pci" -nn -D > "$work/lspci.txt"
cat "$work/lspci.txt"
check "lspci sees the GPU" grep -q '^0000:00:02.0 VGA compatible controller \[0300\]: Intel' "$work/lspci.txt"
check "lspci sees both VFs" test "$(grep -c '^0000:3b:00\.[12] ' "$work/lspci.txt")" -eq 2

# A live change: one more VF (through sriov_numvfs, as the kernel wants: via 0).
"$fakesysfs" ctl "$sys" set-vfs 0000:3b:00.0 3
check "the third VF appeared" test -L "$sys/bus/pci/devices/0000:3b:00.3"

# mdevctl in a private mount namespace where the fake tree is /sys.
uuid=5a3e2b74-8c0e-4d3c-9a4a-0c1f6f0e6a01
unshare --mount --propagation private -- sh -c "
    set -e
    mount --bind '$sys' /sys
    mount --bind '$work/mdevctl.d' /etc/mdevctl.d
    mdevctl types > '$work/types.txt' 2>&1 || true   # the injected EAGAIN hits this first read
    mdevctl types > '$work/types.txt'
    mdevctl start -p 0000:00:02.0 -t i915-GVTg_V5_4 -u $uuid
    mdevctl list > '$work/list.txt'
    mdevctl stop -u $uuid
"
cat "$work/types.txt" "$work/list.txt"
check "mdevctl lists the GVT-g types" grep -q 'i915-GVTg_V5_4' "$work/types.txt"
check "mdevctl started the mdev" grep -q "^$uuid 0000:00:02.0 i915-GVTg_V5_4" "$work/list.txt"
check "and stopped it" test ! -e "$sys/bus/mdev/devices/$uuid"

# The trace says who did what.
check "mdevctl created the mdev by writing its UUID" \
    "$fakesysfs" trace "$work/trace.jsonl" --comm mdevctl --op write --path '*/create'
check "mdevctl removed it by writing remove" \
    "$fakesysfs" trace "$work/trace.jsonl" --comm mdevctl --op write --path '*/remove'
check "the injected EAGAIN was served once" \
    test "$("$fakesysfs" trace "$work/trace.jsonl" --errors --count)" -eq 1
