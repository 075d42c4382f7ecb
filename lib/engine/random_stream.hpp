#pragma once
// Counter-based random numbers (Random123 Philox4x32-10). A uniform is a pure function of
// (seed, draw, individual, purpose, index): no state, no dependence on threads or on
// what any other individual did. Strategies reuse the same numbers (common random numbers;
// see docs/methods.md, "Aligned random numbers").

#include <Random123/philox.h>

#include <cstdint>
#include <string_view>

namespace hemsim::detail {

enum class Purpose : std::uint32_t { death_clock = 1, attribute = 2, initial_state = 3, parameter = 4, event_clock = 5, move = 6, first_arrival = 7 };

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::uint32_t draw) : draw_(draw) {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  }

  /// Four 32-bit words for (individual, purpose, index).
  r123::Philox4x32::ctr_type block(std::uint64_t individual, Purpose purpose, std::uint32_t index) const {
    r123::Philox4x32::ctr_type counter = {{static_cast<std::uint32_t>(individual), draw_, index,
                                           static_cast<std::uint32_t>(purpose) |
                                               (static_cast<std::uint32_t>(individual >> 32) << 8)}};
    return generator_(counter, key_);
  }

  /// Four 32-bit words of the move stream of (individual, state, `quad` of visits to it):
  /// the uniforms of the stays 4 quad to 4 quad + 3 in the state. Packed into the counter
  /// without overlap for states < 2^16, visits < 2^20 and individuals < 2^40 (checked by
  /// the caller).
  r123::Philox4x32::ctr_type move_block(std::uint64_t individual, std::uint32_t state, std::uint32_t quad) const {
    r123::Philox4x32::ctr_type counter = {{static_cast<std::uint32_t>(individual), draw_, state | (quad << 16),
                                           static_cast<std::uint32_t>(Purpose::move) | ((quad >> 16) << 4) |
                                               (static_cast<std::uint32_t>(individual >> 32) << 24)}};
    return generator_(counter, key_);
  }

  /// Limits of move_block's packing.
  static constexpr std::uint64_t kMaxStates = 1U << 16, kMaxVisits = 1U << 20, kMaxIndividuals = std::uint64_t{1} << 40;

  /// Uniform in (0, 1) from the 64-bit word pair j (0 or 1) of a block: (53 bits + 1/2) / 2^53.
  static double uniform53(const r123::Philox4x32::ctr_type& words, std::uint32_t j) {
    const std::uint64_t bits = (std::uint64_t{words[2 * j]} << 32 | words[2 * j + 1]) >> 11;
    return (static_cast<double>(bits) + 0.5) * 0x1p-53;
  }

  /// Uniform in (0, 1) from a 32-bit word: (x + 1/2) / 2^32.
  static double to_uniform(std::uint32_t x) { return (static_cast<double>(x) + 0.5) * 0x1p-32; }

  double uniform(std::uint64_t individual, Purpose purpose, std::uint32_t index, int word = 0) const {
    return to_uniform(block(individual, purpose, index)[static_cast<std::size_t>(word)]);
  }

 private:
  r123::Philox4x32 generator_;
  r123::Philox4x32::key_type key_;
  std::uint32_t draw_;
};

/// FNV-1a hash of a name: keys an attribute's stream by its name, so adding an
/// attribute does not change the others' draws.
constexpr std::uint32_t stream_id(std::string_view name) {
  std::uint32_t h = 2166136261U;
  for (char c : name) {
    h ^= static_cast<std::uint8_t>(c);
    h *= 16777619U;
  }
  return h;
}

}  // namespace hemsim::detail
