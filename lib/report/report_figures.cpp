// Figures: the embedded vega and vega-lite bundles and render-figures.js are written
// into a private temporary directory laid out as node_modules, node renders each
// specification to SVG, and rsvg-convert turns each SVG into a PNG.

#include "hemsim/report_figures.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hemsim/error.hpp"
#include "report/report_assets.hpp"
#include "core/read_file.hpp"
#include "core/temp_directory.hpp"

extern char** environ;

namespace hemsim {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void figure_error(const std::string& problem, const std::string& expected = {}) {
  throw ScenarioError({"<figures>", 0, 0, "--figures"}, problem, expected);
}

void write(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) figure_error("cannot write the temporary file " + path.string());
}

// Empty when the file is missing or unreadable (a log the program never wrote).
std::string read(const fs::path& path) { return detail::read_file(path).value_or(std::string()); }

/// Runs a program found on PATH (no shell), its output to `log`. Empty on success, else
/// what went wrong.
std::string run(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int started = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (started != 0) return fmt::format("{} cannot be started ({})", args[0], std::strerror(started));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return fmt::format("{} could not be waited for", args[0]);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return fmt::format("{} failed: {}", args[0], read(log));
}

}  // namespace

std::vector<std::pair<std::string, std::string>> render_report_figures(const ReportDocument& doc) {
  if (!detail::chart_libraries_embedded())
    figure_error("this hemsim was built without the chart libraries (report/node_modules)", "a build after scripts/install-deps");
  const detail::TempDirectory temp("hemsim-figures-");
  if (temp.path().empty()) figure_error("cannot create a temporary directory");
  write(temp.path() / "node_modules" / "vega" / "index.js", detail::vega_js());
  write(temp.path() / "node_modules" / "vega-lite" / "index.js", detail::vega_lite_js());
  write(temp.path() / "render-figures.js", detail::figure_renderer_js());
  const fs::path specs = temp.path() / "specs", out = temp.path() / "out", log = temp.path() / "log.txt";
  fs::create_directories(specs);
  fs::create_directories(out);
  std::vector<std::pair<std::string, std::string>> files;
  for (const ReportChart* c : doc.charts()) {
    write(specs / (c->id + ".vl.json"), c->vega_lite);
    files.emplace_back(c->id + ".vl.json", c->vega_lite);
  }
  if (files.empty()) return files;
  if (const auto problem = run({"node", (temp.path() / "render-figures.js").string(), specs.string(), out.string()}, log); !problem.empty())
    figure_error("the figures could not be rendered: " + problem, "node on PATH (Debian package nodejs)");
  for (const ReportChart* c : doc.charts()) {
    const fs::path svg = out / (c->id + ".svg"), png = out / (c->id + ".png");
    if (const auto problem = run(
            {"rsvg-convert", "--zoom", "2", "--background-color", "white", "--format", "png", "--output", png.string(), svg.string()}, log);
        !problem.empty())
      figure_error(c->id + ".png could not be made: " + problem, "rsvg-convert on PATH (Debian package librsvg2-bin)");
    files.emplace_back(c->id + ".svg", read(svg));
    files.emplace_back(c->id + ".png", read(png));
  }
  return files;
}

}  // namespace hemsim
