// gemmlab/bf16.hpp — bfloat16, the 16-bit number type of bf16 matrix
// multiplication, and its conversions to and from float.
//
// A bf16 is the upper half of an IEEE 754 binary32 (float):
//
//   bit   15    14 ....... 7   6 ....... 0
//         sign  exponent (8)   mantissa (7)
//
// The sign and the 8-bit exponent are float's, so the range is float's too
// (largest finite 0x7F7F = (2 - 2^-7) * 2^127, about 3.39e38; smallest normal
// 2^-126; subnormals down to 2^-133), with the same infinities and NaNs. Only
// the mantissa is shorter: 7 stored bits instead of 23, 8 significant bits
// with the implicit one. Rounding to nearest therefore makes a relative error
// of at most u = 2^-8 (float's is 2^-24): about two decimal digits.
//
// Why bf16: half the memory and bandwidth of float, float's range (fp16's
// 5-bit exponent overflows above 65504, bf16 never overflows where float does
// not), and a product of two bf16 is exact in float: 8 + 8 = 16 significant
// bits fit in float's 24. A kernel that multiplies bf16 and accumulates in
// float rounds in its additions only, not in its products (unless a product
// leaves float's range: above about 3.4e38, or below 2^-126 where float has
// fewer than 24 bits).
//
// The conversions:
//   to_float(bf16)  exact: the 16 bits become the upper half of the float,
//                   the lower half is zero.
//   to_bf16(float)  IEEE 754 round to nearest, ties to even, as if the value
//                   were rounded to 8 significant bits with float's exponent
//                   range. Hence:
//                   * signed zeros and infinities are kept;
//                   * subnormal floats are rounded like every other value
//                     (no flush to zero): the largest one, 0x007FFFFF, becomes
//                     the smallest normal bf16 0x0080;
//                   * finite values from the midpoint between the largest
//                     finite bf16 and 2^128 upwards (|x| >= 0x7F7F8000 as a
//                     pattern, about 3.396e38) round to infinity, as IEEE's
//                     overflow rule says; so does the largest finite float;
//                   * a NaN stays a NaN of the same sign, always quiet: its
//                     upper 16 bits with the top mantissa bit (0x0040) set.
//                     Setting that bit is what keeps a NaN whose payload lies
//                     only in the lower 16 bits from becoming infinity.
//   The array forms convert in[i] into out[i], with the same results bit for
//   bit (AVX-512 loops when the CPU has them); the spans must have the same
//   size (else std::invalid_argument naming both) and must not overlap.
//
// A bf16 compares equal to another when their bits are equal: +0 and -0
// differ, and a NaN equals itself. That is identity of encodings (what the
// tests need); compare to_float() values for numeric equality.
#pragma once

#include <cstdint>
#include <span>
#include <type_traits>

namespace gemmlab {

struct bf16 {
  std::uint16_t bits;

  friend bool operator==(const bf16&, const bf16&) = default;
};

static_assert(sizeof(bf16) == 2);
static_assert(std::is_trivial_v<bf16> && std::is_standard_layout_v<bf16>);

bf16 to_bf16(float x);
float to_float(bf16 x);

void to_bf16(std::span<const float> in, std::span<bf16> out);
void to_float(std::span<const bf16> in, std::span<float> out);

}  // namespace gemmlab
