#pragma once
// SHA-256 (OpenSSL) of bytes, as lowercase hex: what checkpoints and output manifests use
// to tell whether a file is the one they were made from.

#include <string>
#include <string_view>

namespace hemsim::detail {

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace hemsim::detail
