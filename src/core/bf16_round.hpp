// src/core/bf16_round.hpp — internal: float to bf16, round to nearest even,
// inline, for the loops that round every element they touch (the bf16
// packing of float inputs). gemmlab::to_bf16(float) is this function.
#pragma once

#include <bit>
#include <cstdint>

#include "gemmlab/bf16.hpp"

namespace gemmlab::detail {

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
[[gnu::always_inline]] inline bf16 round_to_bf16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  if ((u & 0x7FFF'FFFFu) > 0x7F80'0000u) return bf16{static_cast<std::uint16_t>((u >> 16) | 0x0040u)};
  const std::uint32_t lsb = (u >> 16) & 1u;
  return bf16{static_cast<std::uint16_t>((u + 0x7FFFu + lsb) >> 16)};
}

[[gnu::always_inline]] inline float widen_bf16(bf16 x) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(x.bits) << 16);
}

}  // namespace gemmlab::detail
