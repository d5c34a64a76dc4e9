/// The matrix as one self-contained HTML page (no external files or
/// requests): grouped devices with driver, model and version in the headers,
/// summary counts and a legend, sticky headers, filters, the reason of every
/// cell on hover and on click, and a dark scheme when the browser asks for one.
extension MatrixReport {
    public var html: String {
        let counts = matrix.counts
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            <title>Migration compatibility\(title.map { ": " + escape($0) } ?? "")</title>
            <style>\(Self.style)</style></head><body>
            <header><h1>Migration compatibility</h1>
            <p class="meta" id="meta">\(title.map { "<b>\(escape($0))</b> · " } ?? "")flavour <b>\(escape(matrix.flavour.rawValue))</b> · \
            sources on <code>\(escape(matrix.sourceHost))</code> (rows) → targets on <code>\(escape(matrix.targetHost))</code> (columns)<br>
            generated <time>\(escape(generated))</time> by \(escape(tool))</p></header>
            <p class="summary" id="summary"><span class="badge ok">✔ <b>\(counts.compatible)</b> compatible</span>
            <span class="badge no">✘ <b>\(counts.incompatible)</b> incompatible</span>
            <span class="badge na">– <b>\(counts.notComparable)</b> n/a</span>
            <span>of \(counts.pairs) pairs (\(matrix.sources.count) sources × \(matrix.targets.count) targets)</span></p>
            <details class="legend" open><summary>Legend</summary><ul>
            <li><span class="key ok">✔</span> compatible: the target accepts the source (\(escape(matrix.flavour.rawValue)))</li>
            <li><span class="key no">✘ field</span> incompatible: the field that differs; hover for the reason, click for both sides</li>
            <li><span class="key na">–</span> n/a: different device models (PCI vendor:device or mdev type), not compared</li>
            <li><span class="count">×N</span> N devices with the same model, version and verdicts, shown once</li>
            <li>filters can be given in the link: <code>#only-incompatible&amp;field=…&amp;driver=…&amp;find=…</code></li>
            </ul></details>
            <form class="filters" id="filters" onsubmit="return false">
            <label><input type="checkbox" id="only-incompatible"> incompatible only</label>
            <label>field <select id="field"><option value="">any</option>\(options(fields))</select></label>
            <label>driver <select id="driver"><option value="">any</option>\(options(drivers))</select></label>
            <label>find <input type="search" id="find" placeholder="address, type, version"></label>
            <span id="shown"></span></form>
            <div class="scroll"><table id="matrix">
            <thead><tr><th class="corner">source ↓ · target →</th>
            """
        var previousDriver: String?
        for column in columns {
            let first = column.summary.driver != previousDriver
            previousDriver = column.summary.driver
            page += "<th scope=\"col\" id=\"\(column.id)\" data-driver=\"\(escape(column.summary.driver))\""
                + (first ? " class=\"first\"" : "") + ">\(header(column))</th>"
        }
        page += "</tr></thead>\n<tbody>\n"
        previousDriver = nil
        for row in rows {
            let first = row.summary.driver != previousDriver
            previousDriver = row.summary.driver
            page += "<tr id=\"\(row.id)\" data-driver=\"\(escape(row.summary.driver))\"" + (first ? " class=\"first\"" : "")
                + "><th scope=\"row\">\(header(row))</th>"
            previousDriver = row.summary.driver
            var previousColumnDriver: String?
            for column in columns {
                let first = column.summary.driver != previousColumnDriver
                previousColumnDriver = column.summary.driver
                page += cellHTML(cell(row, column), first: first)
            }
            page += "</tr>\n"
        }
        page += """
            </tbody></table></div>
            <aside id="details" hidden><button type="button" id="close" aria-label="close">×</button><div id="details-text"></div></aside>
            <footer>The same content as JSON: <code>fakesysfs matrix --json \(escape(matrix.sourceHost)) \(escape(matrix.targetHost))</code></footer>
            <script>\(Self.script)</script>
            </body></html>

            """
        return page
    }

    private var fields: [String] {
        var seen: [String] = []
        for row in rows {
            for column in columns {
                let cell = cell(row, column)
                if cell.outcome == .incompatible, let field = cell.result.verdict.incompatibility?.field,
                   !seen.contains(field) {
                    seen.append(field)
                }
            }
        }
        return seen.sorted()
    }

    private var drivers: [String] {
        Array(Set((rows + columns).map(\.summary.driver))).sorted()
    }

    private func options(_ values: [String]) -> String {
        values.map { "<option>\(escape($0))</option>" }.joined()
    }

    /// The device part of a label: the address, an mdev's parent and UUID prefix; the type is in the facts line.
    private func shortLabel(_ label: String, kind: DeviceNode.Kind) -> String {
        let device = String(label.split(separator: " ").first ?? Substring(label))
        guard kind == .mdev, let slash = device.firstIndex(of: "/") else { return device }
        return String(device[...slash]) + String(device[device.index(after: slash)...].prefix(8)) + "…"
    }

    private func header(_ group: Group) -> String {
        let labels = group.labels.map { shortLabel($0, kind: group.summary.kind) }
        let shown = labels.count > 3 ? [labels[0], "…", labels[labels.count - 1]] : labels
        let count = group.members.count > 1 ? " <span class=\"count\">×\(group.members.count)</span>" : ""
        let summary = group.summary
        let facts = [summary.driver, summary.kind.rawValue, summary.model] + (summary.version.map { ["v" + $0] } ?? [])
        return "<div class=\"devices\" title=\"\(escape(group.labels.joined(separator: "\n")))\">"
            + shown.map(escape).joined(separator: "<br>") + count + "</div>"
            + "<div class=\"facts\">" + facts.map(escape).joined(separator: " · ") + "</div>"
    }

    private func cellHTML(_ cell: Cell, first: Bool) -> String {
        let result = cell.result
        var attributes = "tabindex=\"0\""
        let text: String
        let kind: String
        switch cell.outcome {
        case .compatible:
            kind = "ok"
            text = "✔"
            attributes += " title=\"compatible\""
        case .notComparable:
            kind = "na"
            text = "–"
            attributes += " title=\"n/a: \(escape(cell.source.summary.model)) → \(escape(cell.target.summary.model))\""
        case .incompatible:
            kind = "no"
            let field = result.verdict.incompatibility?.field ?? "?"
            text = "✘ " + escape(field)
            attributes += " data-field=\"\(escape(field))\" title=\"\(escape(result.summary))\""
        }
        var details = ["<b>\(escape(cell.source.labels.joined(separator: ", ")))</b> → <b>\(escape(cell.target.labels.joined(separator: ", ")))</b>",
                       cell.outcome == .notComparable ? "n/a: different device models; the check says \(escape(result.summary))"
                           : escape(result.summary)]
        if let observation = result.observation { details.append(escape(observation)) }
        if let sourceText = result.sourceText { details.append("source: <code>\(escape(sourceText))</code>") }
        if let targetText = result.targetText { details.append("target: <code>\(escape(targetText))</code>") }
        if let hint = result.hint { details.append("hint: " + escape(hint)) }
        attributes += " data-details=\"\(escape(details.joined(separator: "<br>")))\""
        return "<td class=\"\(kind)\(first ? " first" : "")\" \(attributes)>\(text)</td>"
    }

    private func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let style = """
        :root{--bg:#fff;--fg:#1d1d1f;--muted:#666;--line:#d0d0d7;--head:#f3f3f6;--ok:#dff3e3;--ok-fg:#1b6b32;\
        --no:#fbe0e0;--no-fg:#a31515;--na:#f1f1f1;--na-fg:#999;--focus:#2f6fde}
        @media (prefers-color-scheme: dark){:root{--bg:#17181c;--fg:#e6e6ea;--muted:#a0a0aa;--line:#3a3b42;\
        --head:#22232a;--ok:#173d24;--ok-fg:#8fe0a6;--no:#4a1c1f;--no-fg:#ffaaaa;--na:#202126;--na-fg:#6d6e78;--focus:#7aa7ff}}
        *{box-sizing:border-box}
        body{margin:0;padding:1.2em 1.5em;background:var(--bg);color:var(--fg);font:14px/1.4 system-ui,sans-serif}
        h1{font-size:1.4em;margin:0 0 .2em}
        .meta{color:var(--muted);margin:0 0 .8em}
        code{font-family:ui-monospace,monospace;font-size:.92em}
        .summary{display:flex;gap:.6em;flex-wrap:wrap;align-items:center;margin:.4em 0}
        .badge{padding:.2em .7em;border-radius:1em;font-weight:500}
        .badge.ok,.key.ok,td.ok{background:var(--ok);color:var(--ok-fg)}
        .badge.no,.key.no,td.no{background:var(--no);color:var(--no-fg)}
        .badge.na,.key.na,td.na{background:var(--na);color:var(--na-fg)}
        .legend{margin:.4em 0;color:var(--muted)}.legend ul{margin:.3em 0;padding-left:1.2em}
        .key{display:inline-block;min-width:2.2em;text-align:center;padding:0 .3em;border-radius:.3em;margin-right:.3em}
        .filters{display:flex;gap:1em;flex-wrap:wrap;align-items:center;margin:.6em 0}
        .filters select,.filters input{font:inherit;background:var(--bg);color:var(--fg);border:1px solid var(--line);\
        border-radius:.3em;padding:.1em .3em}
        #shown{color:var(--muted)}
        .scroll{overflow:auto;max-height:78vh;border:1px solid var(--line);border-radius:.4em}
        table{border-collapse:separate;border-spacing:0}
        th,td{border-right:1px solid var(--line);border-bottom:1px solid var(--line);padding:.35em .55em;white-space:nowrap}
        thead th{position:sticky;top:0;z-index:2;background:var(--head);vertical-align:bottom;text-align:left}
        tbody th{position:sticky;left:0;z-index:1;background:var(--head);text-align:left}
        th.corner{left:0;z-index:3;color:var(--muted);font-weight:normal}
        th.first,td.first{border-left:3px solid var(--line)}
        tr.first>*{border-top:3px solid var(--line)}
        .devices{font-family:ui-monospace,monospace;font-weight:600}
        .facts{color:var(--muted);font-weight:normal;font-size:.88em}
        .count{display:inline-block;background:var(--focus);color:var(--bg);border-radius:.8em;padding:0 .45em;font-size:.8em}
        td{text-align:center;cursor:pointer}
        td:focus,td.selected{outline:2px solid var(--focus);outline-offset:-2px}
        aside{position:fixed;right:1em;bottom:1em;max-width:min(46em,90vw);background:var(--head);\
        border:1px solid var(--line);border-radius:.5em;padding:.8em 2.2em .8em 1em;box-shadow:0 4px 18px #0004;word-break:break-word}
        aside button{position:absolute;right:.4em;top:.3em;border:0;background:none;color:var(--fg);font-size:1.3em;cursor:pointer}
        footer{color:var(--muted);margin-top:.8em}
        """

    static let script = """
        (function(){
        const table=document.getElementById('matrix');
        const heads=[...table.tHead.rows[0].cells].slice(1);
        const rows=[...table.tBodies[0].rows];
        const only=document.getElementById('only-incompatible'),field=document.getElementById('field'),
          driver=document.getElementById('driver'),find=document.getElementById('find');
        function apply(){
          const f=field.value,d=driver.value,q=find.value.trim().toLowerCase(),need=only.checked||f!=='';
          const text=c=>c.textContent.toLowerCase()+' '+(c.firstChild.title||'').toLowerCase();
          const colOK=heads.map(h=>(!d||h.dataset.driver===d)&&(!q||text(h).includes(q)));
          const rowOK=rows.map(r=>(!d||r.dataset.driver===d)&&(!q||text(r.cells[0]).includes(q)));
          const colHit=heads.map(()=>false),rowHit=rows.map(()=>false);
          rows.forEach((r,i)=>[...r.cells].slice(1).forEach((c,j)=>{
            if(rowOK[i]&&colOK[j]&&c.classList.contains('no')&&(!f||c.dataset.field===f)){rowHit[i]=true;colHit[j]=true;}}));
          const colShow=heads.map((h,j)=>colOK[j]&&(!need||colHit[j]));
          let shownRows=0;
          rows.forEach((r,i)=>{const show=rowOK[i]&&(!need||rowHit[i]);r.hidden=!show;if(show)shownRows++;
            [...r.cells].slice(1).forEach((c,j)=>{c.hidden=!colShow[j];});});
          heads.forEach((h,j)=>{h.hidden=!colShow[j];});
          document.getElementById('shown').textContent=
            shownRows+' of '+rows.length+' rows, '+colShow.filter(x=>x).length+' of '+heads.length+' columns shown';
        }
        // A link can carry the filters: page.html#only-incompatible&field=software_version&driver=nvme&find=3b:00
        for(const part of decodeURIComponent(location.hash.slice(1)).split('&')){
          const [key,value]=part.split('=');
          if(key==='only-incompatible')only.checked=true;
          if(key==='field')field.value=value;
          if(key==='driver')driver.value=value;
          if(key==='find')find.value=value;
        }
        [only,field,driver].forEach(e=>e.addEventListener('change',apply));
        find.addEventListener('input',apply);
        const details=document.getElementById('details'),detailsText=document.getElementById('details-text');
        let selected=null;
        function show(cell){
          if(selected)selected.classList.remove('selected');
          selected=cell;cell.classList.add('selected');
          detailsText.innerHTML=cell.dataset.details;details.hidden=false;
        }
        table.addEventListener('click',e=>{const c=e.target.closest('td');if(c)show(c);});
        table.addEventListener('keydown',e=>{const c=e.target.closest('td');if(c&&(e.key==='Enter'||e.key===' ')){e.preventDefault();show(c);}});
        document.getElementById('close').addEventListener('click',()=>{details.hidden=true;if(selected)selected.classList.remove('selected');});
        document.addEventListener('keydown',e=>{if(e.key==='Escape')details.hidden=true;});
        apply();
        })();
        """
}
