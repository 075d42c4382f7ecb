#pragma once
// Counter-based random numbers (Random123 Philox2x64-10). A uniform is a pure function of
// (seed, draw, individual, purpose, index): no state, no dependence on threads or on
// what any other individual did. Strategies reuse the same numbers (common random numbers;
// see docs/methods.md, "Aligned random numbers").

#include <Random123/philox.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace hemsim::detail {

enum class Purpose : std::uint32_t { death_clock = 1, attribute = 2, initial_state = 3, parameter = 4, event_clock = 5, move = 6, first_arrival = 7 };

class RandomStream {
 public:
  /// One generator output, 128 bits, as four 32-bit words (words 2j and 2j + 1 are the
  /// high and low halves of the output's 64-bit word j).
  using Block = std::array<std::uint32_t, 4>;

  RandomStream(std::uint64_t seed, std::uint32_t draw) : draw_(draw) { key_ = {{seed}}; }

  /// The block of (individual, purpose, index).
  Block block(std::uint64_t individual, Purpose purpose, std::uint32_t index) const {
    const std::uint32_t high = static_cast<std::uint32_t>(purpose) | (static_cast<std::uint32_t>(individual >> 32) << 8);
    return generate(individual, std::uint64_t{high} << 32 | index);
  }

  /// The block of the move stream of (individual, state, `quad` of visits to it): the
  /// uniforms of the stays 4 quad to 4 quad + 3 in the state. Packed into the counter
  /// without overlap for states < 2^16, visits < 2^20 and individuals < 2^40 (checked by
  /// the caller); the purpose's low four bits tell it from every other block.
  Block move_block(std::uint64_t individual, std::uint32_t state, std::uint32_t quad) const {
    const std::uint32_t high = static_cast<std::uint32_t>(Purpose::move) | ((quad >> 16) << 4) | (static_cast<std::uint32_t>(individual >> 32) << 24);
    return generate(individual, std::uint64_t{high} << 32 | (state | (quad << 16)));
  }

  /// Limits of move_block's packing.
  static constexpr std::uint64_t kMaxStates = 1U << 16, kMaxVisits = 1U << 20, kMaxIndividuals = std::uint64_t{1} << 40;

  /// Uniform in (0, 1) from the 64-bit word j (0 or 1) of a block: (53 bits + 1/2) / 2^53.
  static double uniform53(const Block& words, std::uint32_t j) {
    const std::uint64_t bits = (std::uint64_t{words[2 * j]} << 32 | words[2 * j + 1]) >> 11;
    return (static_cast<double>(bits) + 0.5) * 0x1p-53;
  }

  /// Uniform in (0, 1) from a 32-bit word: (x + 1/2) / 2^32.
  static double to_uniform(std::uint32_t x) { return (static_cast<double>(x) + 0.5) * 0x1p-32; }

  double uniform(std::uint64_t individual, Purpose purpose, std::uint32_t index, int word = 0) const {
    return to_uniform(block(individual, purpose, index)[static_cast<std::size_t>(word)]);
  }

 private:
  // Counter: (individual's low 32 bits, draw) and (index, purpose and the individual's
  // high bits). Philox2x64 takes half the instructions of Philox4x32 per 128 bits (one
  // 64 x 64 -> 128-bit product per round instead of two 32-bit ones); both are
  // Crush-resistant at 10 rounds (Salmon et al. 2011).
  Block generate(std::uint64_t individual, std::uint64_t second) const {
    const r123::Philox2x64::ctr_type counter = {{static_cast<std::uint32_t>(individual) | std::uint64_t{draw_} << 32, second}};
    const r123::Philox2x64::ctr_type out = generator_(counter, key_);
    return {static_cast<std::uint32_t>(out[0] >> 32), static_cast<std::uint32_t>(out[0]), static_cast<std::uint32_t>(out[1] >> 32),
            static_cast<std::uint32_t>(out[1])};
  }

  r123::Philox2x64 generator_;
  r123::Philox2x64::key_type key_;
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
