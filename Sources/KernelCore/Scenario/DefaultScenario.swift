extension Scenario {
    /// What `fakesysfs mount` serves without `--scenario`: one host with one device of each kind.
    public static let defaultYAML = """
        # One host with an Intel GPU offering GVT-g mdevs, an NVMe SSD
        # with SR-IOV and a QAT accelerator with SR-IOV.
        hosts:
          - name: default
            devices:
              - address: 0000:00:02.0
                driver: i915-gvt
              - address: 0000:3b:00.0
                driver: nvme-vf
              - address: 0000:f3:00.0
                driver: qat-vf

        """
}
