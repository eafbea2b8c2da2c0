// The bf16 conversions (gemmlab/bf16.hpp): the scalar ones, written from the
// definition on the bit pattern, and the array ones, which run the AVX-512
// loops (bf16_avx512.cpp) when the CPU has them and the scalar loop otherwise.
#include "gemmlab/bf16.hpp"

#include <bit>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "core/bf16_convert.hpp"
#include "core/isa.hpp"

namespace gemmlab {

// Rounding to nearest on the bit pattern. A float's magnitude bits, read as
// an unsigned integer, grow with its magnitude, and the upper 16 of them are
// its lower bf16 neighbour (towards zero); the lower 16 bits r measure how far
// past that neighbour it lies, in units of 2^-16 of the bf16 spacing. So:
//   r <  0x8000  nearer the lower neighbour: keep the upper bits;
//   r >  0x8000  nearer the upper one: add one to the upper bits;
//   r == 0x8000  a tie: add one only when the kept last bit is 1 (to even).
// Adding 0x7FFF + (last kept bit) to the whole pattern does exactly that: it
// carries into bit 16 when r + 0x7FFF + lsb >= 0x10000. A carry out of the
// mantissa goes into the exponent, which is again the right neighbour: from
// 0x3FFF (1.9921875) to 0x4000 (2, the next binade), from the largest subnormal to the
// smallest normal, and from the largest finite bf16 0x7F7F to infinity 0x7F80
// (the IEEE overflow result). The sign bit is never reached: the largest
// non-NaN magnitude is 0x7F800000, and 0x7F800000 + 0x8000 stays below bit 31.
// Zeros, infinities (r = 0) and subnormals need no special case.
//
// NaNs first: their magnitudes lie above infinity's 0x7F800000, where the
// carry would be wrong (0x7FFFFFFF would wrap into the sign), and truncation
// alone could leave an infinity (0x7F800001 -> 0x7F80). Setting the quiet bit
// keeps every NaN a NaN and makes it quiet, as an IEEE operation does.
bf16 to_bf16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if ((u & 0x7FFF'FFFFu) > 0x7F80'0000u) return bf16{static_cast<std::uint16_t>((u >> 16) | 0x0040u)};
  const std::uint32_t lsb = (u >> 16) & 1u;
  return bf16{static_cast<std::uint16_t>((u + 0x7FFFu + lsb) >> 16)};
}

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
