// bench/chart_style.hpp — what the bench's charts and tables share: number
// formatting, the colours, and the names of the ISAs for people.
#pragma once

#include <cstddef>
#include <string>

namespace gemmlab::bench {

// v with `decimals` digits after the point ("%.*f").
std::string fixed(double v, int decimals);
// GFLOP/s with about three significant digits.
std::string gflops_text(double g);

// Distinct colours that stay apart for colour-blind readers (Okabe & Ito,
// 2008), one per kernel, and how many there are.
extern const char* const palette[];
extern const std::size_t palette_size;

// `colour` ("#rrggbb") mixed with white: fraction 0 keeps it, 1 gives white.
std::string lighter(const std::string& colour, double fraction);

// "AVX-512" for "avx512", and so on (the probe names of peak.hpp).
std::string isa_title(const std::string& isa);

}  // namespace gemmlab::bench
