#!/usr/bin/python3
"""End-to-end checks of `hemsim report` with real readers (run by CTest).

    check_report.py generate HEMSIM SOURCE_DIR WORK   # run/psa/dsa/price, then the reports
    check_report.py html WORK ARTIFACTS               # headless Chromium, offline
    check_report.py xlsx WORK                         # openpyxl against the JSON results
    check_report.py figures WORK                      # SVG and PNG files

Uses Debian's python3 (/usr/bin/python3) with python3-openpyxl, and Debian's chromium.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import time


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(args, **kwargs):
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        fail(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done, time.monotonic() - started


# ---------------------------------------------------------------------------------------
# generate: small result sets of two validation models, then the reports.
#   a/: the intro Sick-Sicker cohort model (soc, A, B): run, psa (50 cohort draws, EVPPI),
#       dsa, and the value-based price of B
#   b/: the Sick-Sicker microsimulation model (cohort method): run (with an event), dsa
#       with scenario variants (its parameters have no ranges), and the value-based
#       price of c_Trt with the headroom curve
#   c/: the flagship (BMSC for CIPN), a small microsimulation run: events whose
#       incidence is a fraction of a percent, state groups, long labels
# ---------------------------------------------------------------------------------------
def generate(hemsim, source, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    # The tutorial's model without strategy AB, whose costs include B's price (the price
    # of B must be a parameter only B uses).
    intro = os.path.join(work, "sick_sicker_intro_three.yaml")
    text = open(os.path.join(source, "scenarios/validation/sick_sicker_intro_cohort.yaml")).read()
    open(intro, "w").write(text.replace("  reference_strategy: soc", "  reference_strategy: soc\n  strategies: [soc, A, B]", 1))
    micro = os.path.join(source, "scenarios/validation/sick_sicker_microsim.yaml")
    a, b, c = os.path.join(work, "a"), os.path.join(work, "b"), os.path.join(work, "c")
    run([hemsim, "run", intro, "--method", "cohort", "-q", "--out", f"{a}/run"])
    run([hemsim, "psa", intro, "--method", "cohort", "--draws", "50", "--evppi", "c_trtB", "-q", "--out", f"{a}/psa"])
    run([hemsim, "dsa", intro, "--method", "cohort", "--two-way", "c_trtA,c_trtB", "--steps", "3", "--threshold", "c_trtB", "-q",
         "--out", f"{a}/dsa"])
    run([hemsim, "price", intro, "--method", "cohort", "--parameter", "c_trtB", "--strategy", "B", "-q", "--out", f"{a}/price"])
    run([hemsim, "run", micro, "--method", "cohort", "-q", "--out", f"{b}/run"])
    run([hemsim, "dsa", micro, "--method", "cohort", "--horizons", "10,20", "-q", "--out", f"{b}/dsa"])
    run([hemsim, "price", micro, "--method", "cohort", "--parameter", "c_Trt", "--headroom-max", "150000", "--surface", "u_Trt=0.8:1:3",
         "--surface", "p_S1S2=0.05:0.15:3", "--at-price", "12000", "-q", "--out", f"{b}/price"])
    run([hemsim, "run", os.path.join(source, "scenarios/bmsc_cipn.yaml"), "-n", "4000", "-q", "--out", f"{c}/run"])
    run([hemsim, "report", f"{c}/run", "--html", f"{c}/report.html", "--xlsx", f"{c}/report.xlsx"])
    _, seconds = run([hemsim, "report", f"{a}/run", f"{a}/psa", f"{a}/dsa", f"{a}/price", "--html", f"{a}/report.html", "--xlsx", f"{a}/report.xlsx",
                      "--figures", f"{a}/figures"])
    run([hemsim, "report", f"{b}/run", f"{b}/dsa", f"{b}/price", "--html", f"{b}/report.html", "--xlsx", f"{b}/report.xlsx"])
    sizes = {name: os.path.getsize(f"{a}/{name}") for name in ("report.html", "report.xlsx")}
    print(f"report a: {seconds:.2f} s (HTML, XLSX and figures), sizes {sizes}")


# ---------------------------------------------------------------------------------------
# html: Chromium loads the page from a file with the network cut off (an unroutable
# proxy, and the page's own Content-Security-Policy); after Vega has run, the DOM must
# show every chart drawn with data marks, and the console no error.
# ---------------------------------------------------------------------------------------
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--disable-background-networking",
                  "--disable-extensions", "--disable-sync", "--virtual-time-budget=30000"]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    fail("no chromium (Debian package chromium; scripts/install-deps installs it)")


class Charts(html.parser.HTMLParser):
    """Counts, per chart container, the items drawn inside Vega's data-mark groups."""

    def __init__(self):
        super().__init__()
        self.stack = []       # (tag, chart id or None, is role-mark group)
        self.marks = {}       # chart id -> number of drawn items
        self.status = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        chart = a.get("data-chart") if tag == "div" else None
        if chart is not None:
            self.marks[chart] = 0
        if a.get("id") == "report-status":
            self.status = a
        current = next((c for _, c, _ in reversed(self.stack) if c is not None), None)
        if current is not None and self.stack and self.stack[-1][2]:
            self.marks[current] += 1
        is_mark_group = tag == "g" and "role-mark" in (a.get("class") or "").split()
        if tag not in ("path", "rect", "line", "circle", "text", "image", "br", "meta", "img", "input"):
            self.stack.append((tag, chart, is_mark_group))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


# Measured in the page once Vega has drawn (added to a copy of the report, which the
# page's Content-Security-Policy allows as an inline script): where the executive summary
# sits, each chart's strategy legends and panel titles with their colours, each axis's
# tick labels, and the boxes of the threshold labels.
MEASURE = r"""<script>
(function measure() {
  var status = document.getElementById('report-status');
  if (status.getAttribute('data-state') !== 'done') { setTimeout(measure, 50); return; }
  var out = {viewport: window.innerHeight, width: window.innerWidth, charts: {}};
  var answer = document.getElementById('answer');
  if (answer) {
    var r = answer.getBoundingClientRect();
    out.answer = {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, text: answer.textContent};
  }
  function colourOf(el) {
    var fill = el.getAttribute('fill');
    return fill && fill !== 'none' && fill !== 'transparent' ? fill : el.getAttribute('stroke');
  }
  document.querySelectorAll('[data-chart]').forEach(function (chart) {
    var c = {legends: [], titles: [], axes: [], threshold_labels: []};
    chart.querySelectorAll('.role-legend').forEach(function (legend) {
      var title = legend.querySelector('.role-legend-title text');
      var entries = [];
      legend.querySelectorAll('.role-scope > g').forEach(function (entry) {
        var symbol = entry.querySelector('.role-legend-symbol path'), label = entry.querySelector('.role-legend-label text');
        if (symbol && label) entries.push([label.textContent, colourOf(symbol)]);
      });
      c.legends.push({title: title ? title.textContent : '', entries: entries});
    });
    chart.querySelectorAll('.role-title-text text, .role-title text').forEach(function (t) {
      c.titles.push([t.textContent, t.getAttribute('fill')]);
    });
    chart.querySelectorAll('.role-axis').forEach(function (axis) {
      var labels = [];
      axis.querySelectorAll('.role-axis-label text').forEach(function (t) {
        if (t.getAttribute('opacity') !== '0') labels.push(t.textContent);
      });
      var scope = axis.parentNode.closest('.role-scope');
      var title = scope ? scope.querySelector('.role-title text') : null;
      c.axes.push({aria: axis.getAttribute('aria-label') || '', panel: title ? title.textContent : '', labels: labels});
    });
    chart.querySelectorAll('.threshold_labels_marks text').forEach(function (t) {
      var b = t.getBoundingClientRect();
      c.threshold_labels.push([t.textContent, b.left, b.top, b.right, b.bottom]);
    });
    out.charts[chart.getAttribute('data-chart')] = c;
  });
  var pre = document.createElement('pre');
  pre.id = 'hemsim-measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""

SUMMARY_MAX_HEIGHT = 900  # pixels at a 1280-pixel-wide window: one screen


def measure(page, profile):
    """The page's measurements (MEASURE) in a 1280 x 900 window."""
    copy = page.replace(".html", ".measure.html")
    text = open(page, encoding="utf-8").read()
    at = text.rindex("</body>")  # the page's own (the chart bundles' code mentions the tag too)
    open(copy, "w", encoding="utf-8").write(text[:at] + MEASURE + "\n" + text[at:])
    dom, _ = run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,900", "--dump-dom", "file://" + copy],
                 timeout=120)
    found = re.search(r'<pre id="hemsim-measure">(.*?)</pre>', dom.stdout, re.S)
    if not found:
        fail(f"{page}: the measurements were not written")
    return json.loads(html.unescape(found.group(1)))


def boxes_overlap(a, b):
    return a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5


def check_measurements(name, m, strategies):
    """The first screen holds the summary; a strategy has one colour in every chart; ticks
    read differently; threshold labels never overprint."""
    answer = m.get("answer")
    if not answer:
        fail(f"{name}: no executive summary (section#answer)")
    if not answer["top"] < m["viewport"]:
        fail(f"{name}: the executive summary starts at {answer['top']} px, below the first screen ({m['viewport']} px)")
    if answer["bottom"] - answer["top"] > SUMMARY_MAX_HEIGHT:
        fail(f"{name}: the executive summary is {answer['bottom'] - answer['top']:.0f} px tall (at most {SUMMARY_MAX_HEIGHT})")
    colours, charts_with_strategies = {}, set()
    for chart, c in m["charts"].items():
        for legend in c["legends"]:
            if legend["title"] not in ("Strategy", "Optimal strategy"):
                continue
            for label, colour in legend["entries"]:
                if label not in strategies:
                    fail(f"{name}: {chart}: legend entry {label!r} is not a strategy label {strategies}")
                colours.setdefault(label, {}).setdefault(colour, []).append(chart)
                charts_with_strategies.add(chart)
        for label, colour in c["titles"]:  # panels titled in colour with a strategy (the trace) wear its colour
            if label in strategies and colour not in (None, "#000", "#000000", "black"):
                colours.setdefault(label, {}).setdefault(colour, []).append(chart + " (panel title)")
                charts_with_strategies.add(chart)
        for axis in c["axes"]:
            labels = [l for l in axis["labels"] if l]
            if len(set(labels)) != len(labels):
                fail(f"{name}: {chart} {axis['panel']!r} {axis['aria'][:40]!r}: tick labels repeat: {labels}")
        placed = c["threshold_labels"]
        for i in range(len(placed)):
            for j in range(i):
                if boxes_overlap(placed[i], placed[j]):
                    fail(f"{name}: {chart}: threshold labels {placed[i][0]!r} and {placed[j][0]!r} overprint: {placed[i]} {placed[j]}")
    for label, by_colour in colours.items():
        if len(by_colour) != 1:
            fail(f"{name}: strategy {label!r} has {len(by_colour)} colours: {by_colour}")
    if len(set(next(iter(v)) for v in colours.values())) != len(colours):
        fail(f"{name}: two strategies share a colour: {colours}")
    print(f"{name}: summary {answer['top']:.0f}-{answer['bottom']:.0f} px of a {m['viewport']} px screen; "
          f"{len(charts_with_strategies)} charts colour {len(colours)} strategies alike")
    return charts_with_strategies


def check_html(work, artifacts):
    os.makedirs(artifacts, exist_ok=True)
    for name in ("a", "b", "c"):
        page = os.path.abspath(os.path.join(work, name, "report.html"))
        text = open(page, encoding="utf-8").read()
        # Nothing in the page may load from elsewhere.
        for pattern in (r"<script[^>]+src=", r"<link[^>]+href=", r"<img[^>]+src=\"http", r"@import", r"url\(\s*['\"]?http"):
            if re.search(pattern, text, re.I):
                fail(f"{name}: the page refers to an external resource ({pattern})")
        expected = re.findall(r'<div class="vega" data-chart="([^"]+)"', text)
        if not expected:
            fail(f"{name}: no charts in the page")
        profile = os.path.join(work, f"chromium-profile-{name}")
        dom, seconds = run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom",
                            "file://" + page], timeout=120)
        # Chromium logs every console message (without its level) as CONSOLE; the page
        # writes none when all is well, so any is a failure (errors, Vega warnings, CSP
        # refusals of a network request).
        console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
        if console:
            fail(f"{name}: console messages:\n" + "\n".join(console))
        parser = Charts()
        parser.feed(dom.stdout)
        if parser.status.get("data-state") != "done" or parser.status.get("data-errors") != "0":
            fail(f"{name}: the page did not finish rendering cleanly: {parser.status}")
        for chart in expected:
            if parser.marks.get(chart, 0) == 0:
                fail(f"{name}: chart {chart} has no marks")
        print(f"{name}: {len(expected)} charts rendered in {seconds:.1f} s, marks {parser.marks}")
        results = json.load(open(os.path.join(work, name, "run", "results.json")))
        strategies = [s["label"] or s["name"] for s in results["strategies"]]
        m = measure(page, profile)
        with_strategies = check_measurements(name, m, strategies)
        answer = m["answer"]["text"]
        if name == "a":
            for words in ("ICER", "Value-based price", "Probability that it is the most cost-effective"):
                if words not in answer:
                    fail(f"a: the executive summary does not state {words!r}")
            for chart in ("ce_plane", "ceac", "ceaf", "state_trace"):
                if chart not in with_strategies:
                    fail(f"a: {chart} shows no strategy colours")
            if len(m["charts"]["ce_plane"]["threshold_labels"]) < 3 or len(m["charts"]["ceac"]["threshold_labels"]) < 3:
                fail("a: the CE plane and the CEAC should label their three thresholds")
        if name == "c":
            # The overdose-death panel: a fraction of a percent, so its ticks need decimals.
            axes = [a for a in m["charts"]["cumulative_incidence"]["axes"] if a["panel"] == "Overdose death" and a["aria"].startswith("Y")]
            if not axes or len(axes[0]["labels"]) < 3 or not all("." in l for l in axes[0]["labels"][1:]):
                fail(f"c: the overdose-death panel's percent axis has no decimals: {axes}")
            print(f"c: overdose-death axis reads {axes[0]['labels']}")
        shot = os.path.abspath(os.path.join(artifacts, f"report-{name}.png"))
        run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,4000", "--hide-scrollbars", f"--screenshot={shot}",
             "file://" + page], timeout=120)
        if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
            fail(f"{name}: no screenshot")
        if name == "a":
            shutil.copyfile(shot, os.path.join(artifacts, "report.png"))
        shutil.rmtree(profile, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# xlsx: openpyxl reads the workbook; its numbers equal the JSON results.
# ---------------------------------------------------------------------------------------
def close(a, b, what):
    if a is None or b is None or abs(a - b) > 1e-12 * max(1.0, abs(b)):
        fail(f"{what}: workbook {a} != results {b}")


def sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def check_numbers_are_numbers(name, wb):
    """No cell below a header holds a number as text (openpyxl reads numbers as int/float)."""
    numeric_cells = 0
    for sheet in wb.sheetnames[1:]:
        for row in wb[sheet].iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str) and NUMBER.match(value):
                    fail(f"{name}: sheet {sheet} stores the number {value!r} as text")
                numeric_cells += isinstance(value, (int, float))
    return numeric_cells


def check_trace_sheet(name, wb, results):
    header, rows = sheet_rows(wb["Trace"])
    states = results["states"]
    if list(header[:2]) != ["Strategy", "Time (years)"] or len(header) != 2 + len(states):
        fail(f"{name}: Trace sheet header {header}")
    points = len(results["strategies"][0]["trace"])  # one row of state proportions per point
    if len(rows) != points * len(results["strategies"]):
        fail(f"{name}: Trace sheet has {len(rows)} rows, expected {points} per strategy")
    for k, s in enumerate(results["strategies"]):
        for p in (0, points // 2, points - 1):
            row = rows[k * points + p]
            if row[0] != (s["label"] or s["name"]):
                fail(f"{name}: Trace row {k * points + p} is for {row[0]}")
            close(row[1], p * results["cycle_length_years"], f"{name} trace time")
            for j in range(len(states)):
                close(row[2 + j], s["trace"][p][j], f"{name} trace {s['name']} point {p} state {states[j]}")


def check_xlsx(work):
    import openpyxl
    for name, expected_sheets in (("a", ["Contents", "Summary", "Inputs", "Base case", "Increments", "Incremental", "Trace", "PSA summary",
                                         "EVPI", "CEAC", "EVPPI", "PSA draws", "DSA", "Two-way", "Reproduce"]),
                                  ("b", ["Contents", "Summary", "Inputs", "Base case", "Incremental", "Trace", "Events", "Scenarios", "Price",
                                         "Headroom", "Reproduce"])):
        path = os.path.join(work, name, "report.xlsx")
        wb = openpyxl.load_workbook(path)
        missing = [s for s in expected_sheets if s not in wb.sheetnames]
        if missing:
            fail(f"{name}: sheets {missing} missing from {wb.sheetnames}")
        for sheet in wb.sheetnames[1:]:
            if wb[sheet].freeze_panes not in ("A2", "B2"):
                fail(f"{name}: sheet {sheet} has no frozen header row ({wb[sheet].freeze_panes})")
        results = json.load(open(os.path.join(work, name, "run", "results.json")))
        strategies = results["strategies"]
        numeric_cells = check_numbers_are_numbers(name, wb)
        check_trace_sheet(name, wb, results)
        # Base case: every strategy's discounted QALYs and total cost (mean and MCSE).
        header, rows = sheet_rows(wb["Base case"])
        by_label = {r[0]: r for r in rows}
        perspective = results["perspectives"][0]
        cost_row = by_label[f"Total cost, {perspective} perspective (discounted, {results['currency']})"]
        for k, s in enumerate(strategies):
            close(by_label["QALYs (discounted)"][1 + 2 * k], s["qalys"]["discounted"]["mean"], f"{name} QALYs {s['name']}")
            close(cost_row[1 + 2 * k], s["costs_by_perspective"][0]["discounted"]["mean"], f"{name} cost {s['name']}")
            close(by_label["Life-years (discounted)"][2 + 2 * k], s["life_years"]["discounted"]["mcse"], f"{name} LY MCSE {s['name']}")
        if wb["Base case"]["B2"].number_format != "#,##0.00":
            fail(f"{name}: cost cells are not formatted as money ({wb['Base case']['B2'].number_format})")
        # Incremental table: status and ICER per row, in the results' order.
        header, rows = sheet_rows(wb["Incremental"])
        table = results["incremental_tables"][0]["rows"]
        if len(rows) != len(table):
            fail(f"{name}: {len(rows)} incremental rows, results have {len(table)}")
        for got, want in zip(rows, table):
            if got[4] != want["status"]:
                fail(f"{name}: status {got[4]} != {want['status']}")
            if want["icer"] is None:
                if got[8] is not None:
                    fail(f"{name}: ICER {got[8]} where the results have none")
            else:
                close(got[8], want["icer"], f"{name} ICER of {want['strategy']}")
        # Parameters with sources, as many as the scenario has.
        header, rows = sheet_rows(wb["Inputs"])
        scenario_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", results["scenario"]["file"]) \
            if not os.path.isabs(results["scenario"]["file"]) else results["scenario"]["file"]
        declared = re.findall(r"^  (\w+):\s*\{(?:value|formula):", open(scenario_file).read(), re.M)
        source = header.index("Source")
        if [r[0] for r in rows] != declared:
            fail(f"{name}: Inputs sheet lists {[r[0] for r in rows]}, the scenario declares {declared}")
        if not all(r[source] for r in rows):
            fail(f"{name}: parameters without sources in the Inputs sheet")
        value = header.index("Base value")
        literal = re.findall(r"^  (\w+):\s*\{value:\s*([-+0-9.eE]+)\s*,", open(scenario_file).read(), re.M)
        for parameter, number in literal:
            got = next(r[value] for r in rows if r[0] == parameter)
            if not isinstance(got, (int, float)) or got != float(number):
                fail(f"{name}: Inputs sheet holds {got!r} for {parameter}, the scenario {number}")
        if name == "a":
            psa = json.load(open(os.path.join(work, "a", "psa", "psa.json")))
            D, K = psa["costs"][0]["rows"], psa["costs"][0]["cols"]
            costs, effects = psa["costs"][0]["values"], psa["effects"]["values"]
            header, rows = sheet_rows(wb["PSA draws"])
            if len(rows) != D:
                fail(f"a: {len(rows)} draws in the workbook, {D} in psa.json")
            first_cost = 1 + len(psa["parameters"])
            for d in (0, D - 1):
                for k in range(K):
                    close(rows[d][first_cost + k], costs[d][k], f"a draw {d + 1} cost {k}")
                    close(rows[d][first_cost + K + k], effects[d][k], f"a draw {d + 1} effect {k}")
                close(rows[d][1], psa["parameter_values"]["values"][d][0], f"a draw {d + 1} first parameter")
            # CEAC at each of the scenario's thresholds, counted from psa.json here.
            header, rows = sheet_rows(wb["CEAC"])
            for wtp in psa["willingness_to_pay"]:
                wins = [0] * K
                for d in range(D):
                    nb = [wtp * effects[d][k] - costs[d][k] for k in range(K)]
                    wins[nb.index(max(nb))] += 1
                row = next(r for r in rows if r[1] == wtp)
                for k in range(K):
                    close(row[2 + k], wins[k] / D, f"a CEAC at {wtp} strategy {k}")
            # Tornado data.
            dsa = json.load(open(os.path.join(work, "a", "dsa", "dsa.json")))
            header, rows = sheet_rows(wb["DSA"])
            for got, want in zip(rows, dsa["one_way"]["parameters"]):
                if got[0] != want["parameter"]:
                    fail(f"a: DSA row {got[0]} != {want['parameter']}")
                close(got[7], want["low"]["incremental_net_benefit"], f"a INMB low {want['parameter']}")
                close(got[8], want["high"]["incremental_net_benefit"], f"a INMB high {want['parameter']}")
        else:
            price = json.load(open(os.path.join(work, "b", "price", "dsa.json")))
            header, rows = sheet_rows(wb["Price"])
            if len(rows) != len(price["prices"]):
                fail("b: price rows")
            for got, want in zip(rows, price["prices"]):
                close(got[0], want["wtp"], "b price threshold")
                close(got[1], want["price"], f"b price at {want['wtp']}")
            # The target product profile: one row per grid point, perspective and price level.
            header, rows = sheet_rows(wb["TPP"])
            tpp = price["tpp"]
            want = [(p["value_a"], p["value_b"], q) for p in tpp["points"] for q in p["prices"]]
            if len(rows) != len(want):
                fail("b: TPP rows")
            for got, (a, b_value, q) in zip(rows, want):
                close(got[0], a, "b TPP axis a")
                close(got[1], b_value, "b TPP axis b")
                close(got[3], q["wtp"], "b TPP threshold")
                close(got[5], q["per_dose"], f"b TPP price per dose at {a}, {b_value}, {q['wtp']}")
                close(got[11], q["per_patient"], f"b TPP price per patient at {a}, {b_value}, {q['wtp']}")
            # Cumulative incidence at the event's reporting years.
            header, rows = sheet_rows(wb["Events"])
            cycle = results["cycle_length_years"]
            for row in rows:
                e = results["events"].index(row[0])
                point = int(row[1] / cycle + 1e-9)
                for k, s in enumerate(strategies):
                    close(row[2 + k], s["events"][e]["cumulative_incidence"][point], f"b incidence {row[0]} year {row[1]}")
        print(f"{name}: workbook {path} matches the JSON results ({len(wb.sheetnames)} sheets, {numeric_cells} numeric cells, none as text)")


def check_figures(work):
    figures = os.path.join(work, "a", "figures")
    charts = ["state_trace", "ce_plane", "ceac", "ceaf", "evpi", "evppi", "tornado", "two_way"]
    for chart in charts:
        svg = open(os.path.join(figures, chart + ".svg"), encoding="utf-8").read()
        if not svg.startswith("<svg") or svg.count("role-mark") == 0:
            fail(f"{chart}.svg has no marks")
        png = open(os.path.join(figures, chart + ".png"), "rb").read()
        if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 5000:
            fail(f"{chart}.png is not a PNG image")
        spec = json.load(open(os.path.join(figures, chart + ".vl.json")))
        if "vega-lite" not in spec["$schema"]:
            fail(f"{chart}.vl.json is not a Vega-Lite specification")
    # The CE plane figure has one point per draw and non-reference strategy.
    psa = json.load(open(os.path.join(work, "a", "psa", "psa.json")))
    expected = psa["costs"][0]["rows"] * (psa["costs"][0]["cols"] - 1)
    svg = open(os.path.join(figures, "ce_plane.svg"), encoding="utf-8").read()
    group = re.search(r'<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S)
    if not group or group.group(1).count("<path") != expected:
        fail(f"ce_plane.svg: expected {expected} points")
    print(f"figures: {len(charts)} charts as SVG and PNG")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "generate":
        generate(*sys.argv[2:5])
    elif command == "html":
        check_html(*sys.argv[2:4])
    elif command == "xlsx":
        check_xlsx(sys.argv[2])
    elif command == "figures":
        check_figures(sys.argv[2])
    else:
        fail(__doc__)
