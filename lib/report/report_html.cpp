// The HTML report: one file, everything inlined. Tables are laid out here; charts are
// Vega-Lite specifications rendered in the browser by the embedded bundles.

#include "hemsim/report_html.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "hemsim/error.hpp"
#include "hemsim/version.hpp"
#include "report/report_assets.hpp"

namespace hemsim {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// JavaScript safe inside <script>: no "</script" or "<!--" that the HTML parser would
/// act on (both are rewritten into equivalent escapes; the bundles contain neither today).
std::string script_safe(std::string_view s) {
  std::string out(s);
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"</script", "<\\/script"}, {"<!--", "<\\!--"}})
    for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) out.replace(at, from.size(), to);
  return out;
}

/// JSON safe inside <script>: '<' occurs only within strings, where \u003c means the same.
std::string json_safe(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<')
      out += "\\u003c";
    else
      out += c;
  }
  return out;
}

constexpr const char* kStyle = R"CSS(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; max-width: 1180px; margin: 2em auto; padding: 0 1.2em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin: 1.4em 0 .4em; }
nav ol { columns: 2; font-size: .95em; }
table { border-collapse: collapse; margin: .4em 0 1.2em; font-size: .86em; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .6em; vertical-align: top; }
th { background: #f3f3f3; text-align: left; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.table-wrap { overflow-x: auto; }
figure.chart { margin: 1em 0 1.6em; }
figcaption, .caption { font-size: .85em; color: #555; }
.note { color: #555; font-size: .9em; }
#report-status[data-errors]:not([data-errors="0"]) { color: #b00; display: block; }
/* The executive summary fills the first screen: compact, before the contents. */
#answer h2 { margin-top: .6em; }
#answer h3 { display: none; }
#answer table { font-size: .8em; width: 100%; margin-bottom: .2em; line-height: 1.3; }
#answer th { display: none; }
#answer td { padding: .15em .45em; }
#answer td:first-child { font-weight: 600; width: 25%; }
#answer td:last-child { color: #666; font-size: .88em; width: 13%; }
#answer p { margin: .25em 0; font-size: .82em; }
header h1 { margin: 0 0 .1em; font-size: 1.45em; }
header p { margin: .2em 0; }
@media print { nav { display: none; } figure.chart, table { page-break-inside: avoid; } }
)CSS";

// Renders every chart with vega-embed (SVG renderer, no action menu: nothing links
// out), records failures on the page and in the console, and marks each figure with
// the number of data marks drawn so that a test can check it.
constexpr const char* kScript = R"JS(
(function () {
  var status = document.getElementById('report-status');
  var errors = [];
  function record(message) {
    errors.push(String(message));
    console.error('hemsim report: ' + message);
    status.textContent = 'Chart errors: ' + errors.join('; ');
    status.setAttribute('data-errors', String(errors.length));
  }
  window.addEventListener('error', function (e) { record(e.message); });
  var specs = JSON.parse(document.getElementById('hemsim-charts').textContent);
  var jobs = Object.keys(specs).map(function (id) {
    var target = document.querySelector('[data-chart="' + id + '"]');
    return vegaEmbed(target, specs[id], { renderer: 'svg', actions: false })
      .then(function (result) {
        var marks = target.querySelectorAll('.role-mark > *').length;
        target.setAttribute('data-marks', String(marks));
        if (marks === 0) record(id + ': no marks drawn');
      })
      .catch(function (err) { record(id + ': ' + err); });
  });
  Promise.all(jobs).then(function () {
    status.setAttribute('data-state', 'done');
    if (!status.hasAttribute('data-errors')) status.setAttribute('data-errors', '0');
  });
})();
)JS";

std::string table_html(const ReportTable& t) {
  std::string out = fmt::format("<h3 id=\"table-{}\">{}</h3>\n", escape(t.id), escape(t.title));
  out += fmt::format("<div class=\"table-wrap\"><table data-table=\"{}\"><thead><tr>", escape(t.id));
  for (const auto& c : t.columns) out += "<th>" + escape(c) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    out += "<tr>";
    for (const auto& cell : row)
      out += cell.is_number() ? "<td class=\"num\">" + escape(cell.as_text()) + "</td>" : "<td>" + escape(cell.as_text()) + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody></table></div>\n";
  if (!t.caption.empty()) out += "<p class=\"caption\">" + escape(t.caption) + "</p>\n";
  return out;
}

}  // namespace

bool report_charts_available() { return detail::chart_libraries_embedded(); }

std::string report_html(const ReportDocument& doc) {
  if (!detail::chart_libraries_embedded())
    throw ScenarioError({"", 0, 0, "--html"}, "this hemsim was built without the chart libraries (report/node_modules)",
                        "a build after scripts/install-deps, which runs npm ci in report/");
  std::string body, opening;  // opening: the executive summary, above the contents
  std::string toc = "<nav><ol>";
  nlohmann::json specs = nlohmann::json::object();
  for (const auto& s : doc.sections) {
    toc += fmt::format("<li><a href=\"#{}\">{}</a></li>", escape(s.id), escape(s.title));
    body += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", escape(s.id), escape(s.title));
    for (const auto& p : s.paragraphs) body += "<p>" + escape(p) + "</p>\n";
    std::string charts;
    for (const auto& c : s.charts) {
      charts += fmt::format(
          "<figure class=\"chart\" id=\"chart-{0}\"><div class=\"vega\" data-chart=\"{0}\"></div><figcaption>{1}</figcaption></figure>\n",
          escape(c.id), escape(c.caption));
      specs[c.id] = nlohmann::json::parse(c.vega_lite);
    }
    if (s.charts_first) body += charts;
    std::vector<std::string> workbook_only;
    for (const auto& t : s.tables) {
      if (t.in_html)
        body += table_html(t);
      else if (!t.sheet.empty())
        workbook_only.push_back(t.title + " (sheet " + t.sheet + ")");
    }
    if (!workbook_only.empty()) {
      std::string list;
      for (const auto& w : workbook_only) list += (list.empty() ? "" : "; ") + w;
      body += "<p class=\"note\">In the workbook: " + escape(list) + ".</p>\n";
    }
    if (!s.charts_first) body += charts;
    body += "</section>\n";
    if (s.id == "answer" && opening.empty()) opening.swap(body);
  }
  toc += "</ol></nav>\n";
  std::string html;
  html.reserve(900000 + body.size());
  html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Nothing may be fetched: scripts and styles are inline; vega compiles expressions with
  // Function, hence 'unsafe-eval'.
  html +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
      "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += fmt::format("<meta name=\"generator\" content=\"hemsim {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", kVersion,
                      escape(doc.title), kStyle);
  html += fmt::format(
      "<header><h1>{}</h1>\n<p class=\"note\">Made by hemsim {} from saved results; charts by {}.</p>\n"
      "<p id=\"report-status\" class=\"note\" data-state=\"pending\"></p>\n",
      escape(doc.title), kVersion, escape(std::string(detail::chart_library_versions())));
  html += "</header>\n<main>\n" + opening + toc + body + "</main>\n";
  html += "<script>" + script_safe(detail::vega_js()) + "</script>\n";
  html += "<script>" + script_safe(detail::vega_lite_js()) + "</script>\n";
  html += "<script>" + script_safe(detail::vega_embed_js()) + "</script>\n";
  html += "<script type=\"application/json\" id=\"hemsim-charts\">" + json_safe(specs.dump()) + "</script>\n";
  html += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace hemsim
