#pragma once
// A private scratch directory for outputs that tools can only write to files (node and
// rsvg-convert for figures, libxlsxwriter for workbooks); the caller reads the bytes back
// and writes the real target atomically.

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace hemsim::detail {

/// A fresh directory under the system's temporary directory, removed with everything in
/// it by the destructor. `path()` is empty when it could not be created.
class TempDirectory {
 public:
  explicit TempDirectory(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(pattern.data())) path_ = pattern;
  }
  ~TempDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hemsim::detail
