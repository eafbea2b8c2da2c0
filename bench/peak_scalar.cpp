// Scalar peak probe: 12 chains of float multiply + add in plain C++, built
// for the baseline target like the naive kernel. (With -std=c++20 GCC does
// not contract a * b + c into an FMA, and baseline x86-64 has none anyway.)
#include "peak_loops.hpp"

namespace gemmlab::bench {
namespace {

// An empty asm statement that says "x is in a register of its own here".
// Without it clang's SLP vectoriser packs four of the twelve chains into one
// SSE register, and this would measure a vector peak, not the scalar one.
// It emits no instruction. (GCC and clang only; other compilers get nothing.)
inline void keep_scalar(float& x) {
#if defined(__GNUC__) && defined(__x86_64__)
  __asm__("" : "+x"(x));
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(x));
#else
  (void)x;
#endif
}

}  // namespace

float peak_loop_scalar(std::int64_t iterations, float multiplier, float addend) {
  // Distinct starting values, so the compiler cannot merge identical chains.
  float a0 = 0.00f, a1 = 0.01f, a2 = 0.02f, a3 = 0.03f, a4 = 0.04f, a5 = 0.05f;
  float a6 = 0.06f, a7 = 0.07f, a8 = 0.08f, a9 = 0.09f, a10 = 0.10f, a11 = 0.11f;
  for (std::int64_t i = 0; i < iterations; ++i) {
    a0 = a0 * multiplier + addend;
    a1 = a1 * multiplier + addend;
    a2 = a2 * multiplier + addend;
    a3 = a3 * multiplier + addend;
    a4 = a4 * multiplier + addend;
    a5 = a5 * multiplier + addend;
    a6 = a6 * multiplier + addend;
    a7 = a7 * multiplier + addend;
    a8 = a8 * multiplier + addend;
    a9 = a9 * multiplier + addend;
    a10 = a10 * multiplier + addend;
    a11 = a11 * multiplier + addend;
    keep_scalar(a0), keep_scalar(a1), keep_scalar(a2), keep_scalar(a3), keep_scalar(a4), keep_scalar(a5);
    keep_scalar(a6), keep_scalar(a7), keep_scalar(a8), keep_scalar(a9), keep_scalar(a10), keep_scalar(a11);
  }
  return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
}

}  // namespace gemmlab::bench
