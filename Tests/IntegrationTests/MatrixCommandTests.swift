import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `fakesysfs matrix` on the shipped two-host scenario: the text grid, `--json`,
/// the page, and the exit status.
@Suite(.requiresFUSE) struct MatrixCommandTests {
    static let scenario = MountedTree.packageRoot + "/scenarios/driver-upgrade.yaml"

    @Test func incompatiblePairsExitOneAndCrossModelPairsAreNotCounted() throws {
        let tree = try MountedTree.mount(scenario: Self.scenario)
        defer { tree.unmount() }
        let result = try Command.run([try MountedTree.binary(), "matrix", tree.root + "/source", tree.root + "/target"])
        #expect(result.status == 1)
        #expect(result.output.contains("  T20  0000:00:02.0 type i915-GVTg_V5_4  (i915 mdev type i915-GVTg_V5_4 2.0.0)\n"))
        #expect(result.output.hasSuffix(
            "261 of 262 comparable pairs compatible, 1 incompatible; 158 pairs n/a (different device models)\n"), "\(result)")
        let back = try Command.run([try MountedTree.binary(), "matrix", tree.root + "/source", tree.root + "/source"])
        #expect(back.status == 0, "\(back)")
    }

    @Test func jsonHasTheGroupsCellsAndCounts() throws {
        let tree = try MountedTree.mount(scenario: Self.scenario)
        defer { tree.unmount() }
        let result = try Command.run([try MountedTree.binary(), "matrix", "--json", tree.root + "/source", tree.root + "/target"])
        #expect(result.status == 1)
        let json = result.output
        #expect(json.hasPrefix("{\"title\": \"\(Self.scenario)\", \"generated\": \""))
        #expect(json.contains("\"counts\": {\"pairs\": 420, \"compatible\": 261, \"incompatible\": 1, \"n/a\": 158}"))
        #expect(json.contains("{\"id\": \"S4\", \"devices\": [\"0000:3b:00.1\", \"0000:3b:00.2\"], \"count\": 2, "
                              + "\"kind\": \"VF\", \"driver\": \"nvme\", \"model\": \"144d:a824\", \"version\": \"1.0.0\"}"))
        #expect(json.contains("{\"source\": \"S2\", \"target\": \"T2\", \"verdict\": \"incompatible\", \"field\": \"software_version\""))
        #expect(json.hasSuffix("]}\n"))
    }

    @Test func thePageIsOneSelfContainedFile() throws {
        let tree = try MountedTree.mount(scenario: Self.scenario)
        defer { tree.unmount() }
        let page = tree.workspace + "/matrix.html"
        let result = try Command.run([try MountedTree.binary(), "matrix", "--html", page, "--title", "upgrade <test>",
                                      tree.root + "/source", tree.root + "/target"])
        #expect(result.status == 1)
        #expect(result.output.hasSuffix("wrote \(page)\n"))
        let html = String(decoding: fileBytes(page), as: UTF8.self)
        defer { unlink(page) }
        #expect(html.contains("<title>Migration compatibility: upgrade &lt;test&gt;</title>"))
        #expect(html.contains("@media (prefers-color-scheme: dark)"))
        #expect(html.contains("<span class=\"count\">×2</span>"))
        #expect(html.contains("<div class=\"facts\">nvme · VF · 144d:a824 · v1.1.0</div>"))
        // Nothing is fetched: no external scripts, styles, images or links.
        for reference in ["src=", "href=", "http:", "https:", "@import", "url("] {
            #expect(!html.contains(reference), "the page refers to \(reference)")
        }
    }
}

/// The page as a browser renders it: headless Chromium runs its script, and the
/// filters given in the link hide what they should.
@Suite(.requiresFUSE, .enabled(if: BrowserPage.chromium != nil || FUSEAvailability.isCI,
                               "needs chromium (Debian package chromium); under CI=true the test fails instead"))
struct MatrixPageInBrowserTests {
    @Test func theScriptFillsTheCountsAndTheLinkFiltersRowsAndColumns() throws {
        let tree = try MountedTree.mount(scenario: MatrixCommandTests.scenario)
        defer { tree.unmount() }
        let page = tree.workspace + "/matrix.html"
        defer { unlink(page) }
        let result = try Command.run([try MountedTree.binary(), "matrix", "--html", page, tree.root + "/source", tree.root + "/target"])
        #expect(result.status == 1)

        let all = try BrowserPage.renderedDOM(page)
        #expect(all.contains("<span id=\"shown\">4 of 4 rows, 5 of 5 columns shown</span>"), "\(all.suffix(2000))")
        #expect(all.contains("<tr id=\"S2\" data-driver=\"i915\" class=\"first\"><th scope=\"row\">"))

        let incompatible = try BrowserPage.renderedDOM(page + "#only-incompatible")
        #expect(incompatible.contains("<span id=\"shown\">1 of 4 rows, 1 of 5 columns shown</span>"))
        #expect(incompatible.contains("<tr id=\"S1\" data-driver=\"4xxx\" class=\"first\" hidden=\"\">"))
        #expect(incompatible.contains("<tr id=\"S2\" data-driver=\"i915\" class=\"first\"><th"))
        #expect(incompatible.contains("<th scope=\"col\" id=\"T2\" data-driver=\"i915\" class=\"first\"><div"))
        #expect(incompatible.contains("<th scope=\"col\" id=\"T5\" data-driver=\"nvme\" class=\"first\" hidden=\"\">"))

        let nvme = try BrowserPage.renderedDOM(page + "#driver=nvme")
        #expect(nvme.contains("<span id=\"shown\">1 of 4 rows, 1 of 5 columns shown</span>"))

        let png = try BrowserPage.screenshot(page, width: 1280, height: 720)
        #expect(png.starts(with: [0x89, 0x50, 0x4e, 0x47]))
        // IHDR: width and height, big-endian, at bytes 16...23.
        #expect(Array(png[16..<24]) == [0, 0, 0x05, 0x00, 0, 0, 0x02, 0xd0])
    }
}

/// Headless Chromium, each run with a profile of its own.
enum BrowserPage {
    static let chromium = (["/usr/bin/chromium", "/usr/bin/chromium-browser"] as [String]).first { access($0, X_OK) == 0 }

    static func renderedDOM(_ file: String) throws -> String {
        try run(["--dump-dom", "file://" + file]).output
    }

    static func screenshot(_ file: String, width: Int, height: Int) throws -> [UInt8] {
        let png = file + ".png"
        defer { unlink(png) }
        _ = try run(["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=" + png, "file://" + file])
        return fileBytes(png)
    }

    private static func run(_ arguments: [String]) throws -> CommandResult {
        guard let chromium else { throw TestFailure("chromium is not installed (Debian package chromium)") }
        var template = Array("/tmp/fakesysfs-chromium.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
        let profile = String(cBuffer: template)
        defer { _ = try? Command.run(["/bin/rm", "-rf", profile]) }
        let result = try Command.run(["/usr/bin/env", "HOME=" + profile, chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                      "--no-first-run", "--user-data-dir=" + profile] + arguments)
        guard result.status == 0 else { throw TestFailure("chromium failed: \(result)") }
        return result
    }
}
