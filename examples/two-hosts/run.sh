#!/bin/sh
# Two hosts side by side, each with its own /sys and its own libvirtd, and a
# management-side script that pairs the source's vGPUs and VFs with the
# target's (pair.py). Needs root (namespaces), FUSE, libvirtd and
# python3-libvirt (Debian: libvirt-daemon libvirt-daemon-driver-qemu
# libvirt-clients python3-libvirt).
#
#   examples/two-hosts/run.sh
#
# One `fakesysfs mount` serves both hosts, so the management side sees both
# trees; `fakesysfs run --attach` gives each host a private namespace whose
# /sys is that host's tree and whose libudev listeners get that host's
# uevents, and `scripts/with-libvirtd` starts its libvirtd there. Prints
# pair.py's report and exits with its status.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fakesysfs=${FAKESYSFS_BINARY:-$root/scripts/fakesysfs}

work=$(mktemp -d /tmp/two-hosts.XXXXXX)
mkdir "$work/sys" "$work/source" "$work/target"
runs=""
cleanup() {
    for pid in $runs; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in $runs; do wait "$pid" 2>/dev/null || true; done
    "$fakesysfs" unmount "$work/sys" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$fakesysfs" mount --scenario "$here/scenario.yaml" --log "$work/server.log" "$work/sys" >/dev/null
for host in source target; do
    WITH_LIBVIRTD_SOCKET_DIR="$work/$host" WITH_LIBVIRTD_LOG="$work/$host.log" \
        "$fakesysfs" run --attach "$work/sys" --host "$host" --log "$work/run-$host.log" -- \
        "$root/scripts/with-libvirtd" sleep infinity >"$work/run-$host.out" 2>&1 &
    runs="$runs $!"
done
for host in source target; do
    tries=0
    until [ -S "$work/$host/libvirt-sock" ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 600 ]; then
            echo "two-hosts: the $host libvirtd did not start:" >&2
            cat "$work/run-$host.out" >&2
            exit 125
        fi
        sleep 0.1
    done
done

status=0
/usr/bin/python3 "$here/pair.py" \
    "qemu:///system?socket=$work/source/libvirt-sock" "qemu:///system?socket=$work/target/libvirt-sock" \
    "$work/sys/source" "$work/sys/target" || status=$?
exit "$status"
