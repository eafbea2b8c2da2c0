// The bf16 conversions (gemmlab/bf16.hpp): the scalar ones, written from the
// definition on the bit pattern, and the array ones, which run the AVX-512
// loops (bf16_avx512.cpp) when the CPU has them and the scalar loop otherwise.
#include "gemmlab/bf16.hpp"

#include <bit>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "core/bf16_convert.hpp"
#include "core/bf16_round.hpp"
#include "core/isa.hpp"

namespace gemmlab {

bf16 to_bf16(float x) { return detail::round_to_bf16(x); }

float to_float(bf16 x) { return std::bit_cast<float>(static_cast<std::uint32_t>(x.bits) << 16); }

namespace detail {

void to_bf16_baseline(const float* in, bf16* out, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) out[i] = to_bf16(in[i]);
}

void to_float_baseline(const bf16* in, float* out, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) out[i] = to_float(in[i]);
}

}  // namespace detail

namespace {

struct Bf16Loops {
  void (*narrow)(const float*, bf16*, std::size_t);
  void (*widen)(const bf16*, float*, std::size_t);
  detail::Isa isa;
};

// Chosen once, on first use.
const Bf16Loops& bf16_loops() {
  static const Bf16Loops chosen = [] {
#if defined(GEMMLAB_HAVE_AVX512)
    if (detail::isa_supported(detail::Isa::avx512))
      return Bf16Loops{detail::to_bf16_avx512, detail::to_float_avx512, detail::Isa::avx512};
#endif
    return Bf16Loops{detail::to_bf16_baseline, detail::to_float_baseline, detail::Isa::baseline};
  }();
  return chosen;
}

void check_sizes(const char* function, std::size_t in, std::size_t out) {
  if (in != out)
    throw std::invalid_argument(std::string(function) + ": the input has " + std::to_string(in) +
                                " elements but the output has " + std::to_string(out));
}

}  // namespace

namespace detail {
Isa bf16_convert_isa() { return bf16_loops().isa; }
}  // namespace detail

void to_bf16(std::span<const float> in, std::span<bf16> out) {
  check_sizes("to_bf16", in.size(), out.size());
  bf16_loops().narrow(in.data(), out.data(), in.size());
}

void to_float(std::span<const bf16> in, std::span<float> out) {
  check_sizes("to_float", in.size(), out.size());
  bf16_loops().widen(in.data(), out.data(), in.size());
}

}  // namespace gemmlab
