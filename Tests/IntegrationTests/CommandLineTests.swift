import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The conventions every command keeps: `--version`, one error prefix, the exit
/// statuses of `ExitStatus` (0 success, 1 refused, 2 usage or unusable input),
/// and a suggestion for a mistyped subcommand.
struct CommandLineTests {
    private func fakesysfs(_ arguments: String...) throws -> CommandResult {
        try Command.run([try MountedTree.binary()] + arguments)
    }

    @Test func versionNamesTheNumberAndTheCommit() throws {
        let result = try fakesysfs("--version")
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("fakesysfs 0.1.0 (commit "), "\(result)")
        #expect(result.output.hasSuffix(")\n"))
    }

    @Test func aMistypedSubcommandGetsASuggestionAndStatusTwo() throws {
        #expect(try fakesysfs("mout", "/tmp/sys")
                == CommandResult(status: 2, output: "Error: unknown command 'mout' for 'fakesysfs'; did you mean 'mount'?\n"))
        #expect(try fakesysfs("scenario", "chek", "x.yaml")
                == CommandResult(status: 2, output: "Error: unknown command 'chek' for 'fakesysfs scenario'; did you mean 'check'?\n"))
        #expect(try fakesysfs("frobnicate") == CommandResult(status: 2, output:
            "Error: unknown command 'frobnicate' for 'fakesysfs' (known: mount, unmount, run, check, matrix, scenario, driver, ctl, trace)\n"))
    }

    @Test func usageErrorsExitWithTwoEverywhere() throws {
        for arguments in [["mount", "--senario", "x", "/tmp/x"], ["unmount"], ["check", "/a"], ["matrix", "/a"],
                          ["scenario", "check"], ["ctl"], ["trace"]] {
            let result = try Command.run([try MountedTree.binary()] + arguments)
            #expect(result.status == 2, "\(arguments): \(result)")
            #expect(result.output.hasPrefix("Error: "), "\(arguments): \(result)")
        }
    }

    @Test func checkOfAMissingPathSaysSoWithStatusTwo() throws {
        #expect(try fakesysfs("check", "/nonexistent/0000:3b:00.1", "/nonexistent/0000:3b:00.2")
                == CommandResult(status: 2, output: "Error: /nonexistent/0000:3b:00.1 does not exist\n"))
    }

    @Test func scenarioCheckPrintsJSON() throws {
        let good = try ScenarioFile("hosts:\n  - name: a\n    devices:\n      - {address: 0000:3b:00.0, driver: nvme-vf, vfs: 2}\n")
        defer { good.remove() }
        #expect(try fakesysfs("scenario", "check", "--json", good.path) == CommandResult(status: 0, output:
            "{\"file\": \"\(good.path)\", \"ok\": true, \"hosts\": 1, \"functions\": 3, \"mdevs\": 0}\n"))
        let bad = try ScenarioFile("hosts:\n  - name: a\n    devices:\n      - {address: 0000:3b:00.0, driver: nvme-vf}\n"
                                   + "    faults:\n      - {path: \"*/x\", errno: ESOON}\n")
        defer { bad.remove() }
        let reason = "\(bad.path):6: fault: errno: 'ESOON' is not an errno name or number 1...4095"
        #expect(try fakesysfs("scenario", "check", "--json", bad.path) == CommandResult(status: 1, output:
            "{\"file\": \"\(bad.path)\", \"ok\": false, \"error\": \"\(reason)\"}\n"))
        #expect(try fakesysfs("scenario", "check", bad.path) == CommandResult(status: 1, output: reason + "\n"))
        #expect(try fakesysfs("scenario", "check", "/nonexistent.yaml")
                == CommandResult(status: 2, output: "Error: /nonexistent.yaml: cannot read: No such file or directory\n"))
    }

    @Test func helpListsTheExitStatuses() throws {
        let help = try fakesysfs("--help")
        #expect(help.status == 0)
        #expect(help.output.contains("""
              0  success: done, compatible, matched
              1  refused or incompatible: the kernel, a driver or a check said no
              2  usage error or unusable input: bad arguments, a missing or malformed file
            """))
    }
}
