#pragma once
// Reading result files and running the built hemsim command, for tests of the CLI.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace hemsim_test {

/// The bytes of a file ("" when it cannot be read).
inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Runs a shell command; its exit code, or -1 when it ended by a signal.
inline int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// Runs the built hemsim with `arguments`, output discarded; its exit code.
inline int hemsim_cli(const std::string& arguments) { return shell(std::string(HEMSIM_CLI_PATH) + " " + arguments + " > /dev/null 2>&1"); }

}  // namespace hemsim_test
