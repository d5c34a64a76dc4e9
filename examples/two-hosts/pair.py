#!/usr/bin/python3
"""Where can each vGPU and VF of the source host migrate on the target host?

The check the migration_version proposal describes, done the way a
management stack does it: libvirt (one libvirtd per host) lists the
source's mediated devices and SR-IOV VFs and the target's mdev types and
VFs; for each source device the script reads its migration_version and
writes it to each candidate on the target. The target's driver accepts a
version it can take a migration from and refuses any other (EINVAL).

    pair.py SOURCE_URI TARGET_URI SOURCE_SYS TARGET_SYS

SOURCE_SYS and TARGET_SYS are the hosts' /sys as the management side sees
them (the directories of one `fakesysfs mount`); libvirt's device paths
(/sys/devices/...) are read below them. Prints one line per source device;
exits 0 when every device found a target, 1 when some did not.
"""
import errno
import os
import sys
import xml.etree.ElementTree as ET

import libvirt


def devices(connection, capability):
    """(name, parsed XML) of each node device with `capability`, by name."""
    found = connection.listAllDevices(capability)
    return sorted((device.name(), ET.fromstring(device.XMLDesc(0))) for device in found)


def below(sys_root, path):
    """libvirt's /sys/... path inside the host's tree as the management side sees it."""
    return os.path.join(sys_root, os.path.relpath(path, "/sys"))


def read_version(path):
    with open(path) as file:
        return file.read().strip()


def offer(version, path):
    """Writes `version` to the migration_version at `path`: None if accepted, else the errno name."""
    try:
        descriptor = os.open(path, os.O_WRONLY)
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
    try:
        os.write(descriptor, version.encode())
        return None
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))
    finally:
        os.close(descriptor)


def pci_address(xml):
    address = xml.find("./capability[@type='pci']")
    return "%04x:%02x:%02x.%x" % tuple(int(address.findtext(field), 0)
                                      for field in ("domain", "bus", "slot", "function"))


def pci_id(xml):
    """The vendor and product IDs, which a VF must share with its target."""
    capability = xml.find("./capability[@type='pci']")
    return capability.find("vendor").get("id"), capability.find("product").get("id")


def is_vf(xml):
    return xml.find("./capability[@type='pci']/capability[@type='phys_function']") is not None


def target_candidates(target, target_sys):
    """(kind, description, migration_version path) of each mdev type and VF on the target."""
    candidates = []
    for _, xml in devices(target, libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES):
        parent = pci_address(xml)
        for mdev_type in xml.findall("./capability[@type='pci']/capability[@type='mdev_types']/type"):
            type_id = mdev_type.get("id")
            path = below(target_sys, "%s/mdev_supported_types/%s/migration_version" % (xml.findtext("path"), type_id))
            candidates.append(("mdev", "type %s on %s" % (type_id, parent), path))
    for _, xml in devices(target, libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV):
        if is_vf(xml):
            path = below(target_sys, xml.findtext("path") + "/migration_version")
            candidates.append(("vf %s:%s" % pci_id(xml), "VF %s" % pci_address(xml), path))
    return candidates


def source_devices(source, source_sys):
    """(description, kind, migration_version path) of each vGPU (mdev) and VF on the source; a VF's
    kind carries its vendor and product, so it is offered only to VFs of the same device."""
    found = []
    for _, xml in devices(source, libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_MDEV):
        capability = xml.find("./capability[@type='mdev']")
        uuid = capability.findtext("uuid") or os.path.basename(xml.findtext("path"))
        description = "mdev %s (%s)" % (uuid, capability.find("type").get("id"))
        found.append((description, "mdev", below(source_sys, xml.findtext("path") + "/mdev_type/migration_version")))
    for _, xml in devices(source, libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV):
        if is_vf(xml):
            found.append(("VF %s" % pci_address(xml), "vf %s:%s" % pci_id(xml),
                          below(source_sys, xml.findtext("path") + "/migration_version")))
    return found


def main(arguments):
    if len(arguments) != 4:
        sys.stderr.write(__doc__)
        return 2
    source_uri, target_uri, source_sys, target_sys = arguments
    source = libvirt.open(source_uri)
    target = libvirt.open(target_uri)
    candidates = target_candidates(target, target_sys)
    unpaired = 0
    for description, kind, version_path in source_devices(source, source_sys):
        version = read_version(version_path)
        refusals = []
        for candidate_kind, candidate, path in candidates:
            if candidate_kind != kind:
                continue
            refusal = offer(version, path)
            if refusal is None:
                print("%s -> %s" % (description, candidate))
                break
            refusals.append("%s (%s)" % (candidate, refusal))
        else:
            unpaired += 1
            reason = ", ".join(refusals) or "the target has no %s" % ("mdev type" if kind == "mdev" else "VF like it")
            print("%s -> none, %s refused by %s" % (description, version, reason) if refusals
                  else "%s -> none, %s" % (description, reason))
    return 1 if unpaired else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
