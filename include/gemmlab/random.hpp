// gemmlab/random.hpp — a small, documented, platform-independent generator.
//
// std::normal_distribution is not specified exactly, so libstdc++ and libc++
// give different numbers for the same seed. gemmlab writes its own:
//   * splitmix64 (Steele, Lea & Flood, 2014) for 64-bit integers: a counter
//     advanced by the golden-ratio constant, then mixed by two xor-shift-multiply
//     rounds. Exact integer arithmetic, the same on every platform.
//   * uniform(): the top 53 bits as a double in [0, 1).
//   * normal(): Box–Muller (1958) in double precision, both values of each pair
//     used. It calls std::log, std::sqrt, std::cos and std::sin; sqrt is exact,
//     the others may differ by an ulp of a double between C libraries, which
//     disappears when the result is rounded to float.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

#include "gemmlab/matrix.hpp"

namespace gemmlab {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1): 53 random bits scaled by 2^-53.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Standard normal N(0, 1) by Box–Muller.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // in (0, 1]: log(u1) is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  std::uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// A rows x cols matrix of N(0, 1) samples, filled row by row.
inline Matrix random_normal(int rows, int cols, SplitMix64& rng) {
  Matrix m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(rng.normal());
  return m;
}

// A rows x cols matrix of uniform samples in [lo, hi), filled row by row.
inline Matrix random_uniform(int rows, int cols, SplitMix64& rng, double lo = -1.0, double hi = 1.0) {
  Matrix m(rows, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = static_cast<float>(rng.uniform(lo, hi));
  return m;
}

}  // namespace gemmlab
