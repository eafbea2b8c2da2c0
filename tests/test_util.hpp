// tests/test_util.hpp — shared helpers: the double-precision reference, the
// error bound, and run_case, which runs one sgemm case with guard bands.
//
// The reference is independent of every kernel: a plain triple loop in double.
// Its own error (about K * 2^-53 relative) is added to the bound so the check
// is rigorous, though it is 2^29 times smaller than the float bound.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gemmlab/gemm.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"

namespace gemmlab::testing {

// The name GoogleTest shows for a kernel parameter: "simd-avx2" -> "simd_avx2".
inline std::string param_name(const ::testing::TestParamInfo<Kernel>& info) {
  std::string s(kernel_name(info.param));
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

// Skip (with a message) a test whose kernel this machine cannot run.
#define GEMMLAB_SKIP_IF_UNAVAILABLE(kernel)                                           \
  do {                                                                                \
    if (!::gemmlab::kernel_available(kernel))                                         \
      GTEST_SKIP() << "kernel " << ::gemmlab::kernel_name(kernel)                     \
                   << " is not available here: " << ::gemmlab::kernel_status(kernel); \
  } while (0)

// One sgemm problem: its shape, scalars and the padding around each operand.
struct GemmCase {
  int M = 1, N = 1, K = 1;
  float alpha = 1.0f, beta = 0.0f;
  int pad_a = 0, pad_b = 0, pad_c = 0;  // extra columns per row: ld = cols + pad
  std::uint64_t seed = 1;
  bool integer_inputs = false;  // small integers: every kernel must be exact

  std::string describe() const {
    std::ostringstream s;
    s << "M=" << M << " N=" << N << " K=" << K << " alpha=" << alpha << " beta=" << beta << " lda=K+" << pad_a
      << " ldb=N+" << pad_b << " ldc=N+" << pad_c << " seed=" << seed;
    return s.str();
  }
};

struct CaseResult {
  int failures = 0;          // elements outside the bound
  int guard_hits = 0;        // guard cells written
  double worst_ratio = 0.0;  // max |err| / bound
  std::string first_failure;
};

// The value every guard cell holds: a NaN with a recognisable payload, so a
// kernel that reads it into a result spreads NaN, and one that writes it is seen.
inline constexpr std::uint32_t guard_bits = 0x7fc0beefu;
inline float guard_value() { return std::bit_cast<float>(guard_bits); }
inline bool is_guard(float f) { return std::bit_cast<std::uint32_t>(f) == guard_bits; }

// Fill an operand: signed uniform values in [-1, 1), or small integers in [-4, 4].
inline void fill(std::vector<float>& buf, int rows, int cols, int ld, std::size_t offset, SplitMix64& rng,
                 bool integers) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      buf[offset + static_cast<std::size_t>(i) * ld + j] =
          integers ? static_cast<float>(static_cast<int>(rng.next() % 9) - 4) : static_cast<float>(rng.uniform(-1, 1));
}

// Runs c (through `gemm`) and checks every element against the double reference,
// and every cell around and between the rows of C against the guard value.
// run_case_with takes any callable with sgemm's arguments (without the
// Kernel), so internal paths (the Goto driver, the small path) are checked by
// the same code.
template <class Gemm>
CaseResult run_case_with(const GemmCase& c, Gemm&& gemm) {
  const int lda = std::max(c.K + c.pad_a, 1), ldb = std::max(c.N + c.pad_b, 1), ldc = std::max(c.N + c.pad_c, 1);
  SplitMix64 rng(c.seed);
  // A and B sit inside guard-filled buffers too, so reading past them spreads NaN.
  const std::size_t guard = 64;
  std::vector<float> a(guard * 2 + static_cast<std::size_t>(c.M) * lda, guard_value());
  std::vector<float> b(guard * 2 + static_cast<std::size_t>(c.K) * ldb, guard_value());
  std::vector<float> cbuf(guard * 2 + static_cast<std::size_t>(c.M) * ldc, guard_value());
  fill(a, c.M, c.K, lda, guard, rng, c.integer_inputs);
  fill(b, c.K, c.N, ldb, guard, rng, c.integer_inputs);
  if (c.beta != 0.0f) {
    fill(cbuf, c.M, c.N, ldc, guard, rng, c.integer_inputs);
  } else {  // beta == 0 must never read C: give it NaN
    for (int i = 0; i < c.M; ++i)
      for (int j = 0; j < c.N; ++j)
        cbuf[guard + static_cast<std::size_t>(i) * ldc + j] = std::numeric_limits<float>::quiet_NaN();
  }
  const std::vector<float> c_before = cbuf;

  gemm(c.M, c.N, c.K, c.alpha, a.data() + guard, lda, b.data() + guard, ldb, c.beta, cbuf.data() + guard, ldc);

  CaseResult r;
  for (std::size_t idx = 0; idx < cbuf.size(); ++idx) {
    const bool inside = idx >= guard && idx < guard + static_cast<std::size_t>(c.M) * ldc &&
                        static_cast<int>((idx - guard) % ldc) < c.N;
    if (!inside && !is_guard(cbuf[idx])) ++r.guard_hits;
  }
  for (int i = 0; i < c.M; ++i)
    for (int j = 0; j < c.N; ++j) {
      double exact = 0.0, abs_sum = 0.0;
      if (c.K > 0 && c.alpha != 0.0f) {
        for (int p = 0; p < c.K; ++p) {
          const double prod = double(a[guard + std::size_t(i) * lda + p]) * double(b[guard + std::size_t(p) * ldb + j]);
          exact += prod;
          abs_sum += std::fabs(prod);
        }
        exact *= c.alpha;
        abs_sum *= std::fabs(c.alpha);
      }
      if (c.beta != 0.0f) {
        const double c0 = c_before[guard + std::size_t(i) * ldc + j];
        exact += double(c.beta) * c0;
        abs_sum += std::fabs(double(c.beta) * c0);
      }
      const double reference_error = 2.0 * (c.K + 2) * 0x1.0p-53 * abs_sum;  // the double loop's own error
      const double bound = c.integer_inputs ? 0.0 : gemm_error_bound(c.K, abs_sum) + reference_error;
      const double got = cbuf[guard + std::size_t(i) * ldc + j];
      const double err = std::fabs(got - exact);
      if (!(err <= bound)) {  // also catches NaN
        if (r.failures++ == 0) {
          std::ostringstream s;
          s << "C(" << i << "," << j << ") = " << got << " but exact is " << exact << " (|err| " << err << " > bound "
            << bound << ")";
          r.first_failure = s.str();
        }
      } else if (bound > 0) {
        r.worst_ratio = std::max(r.worst_ratio, err / bound);
      }
    }
  return r;
}

inline CaseResult run_case(Kernel k, const GemmCase& c) {
  return run_case_with(
      c, [k](int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C,
             int ldc) { sgemm(k, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); });
}

// What f throws as std::invalid_argument, or "(no error)".
inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

// Restores the thread count when a test ends, whatever happens.
struct ThreadCountGuard {
  int saved = num_threads();
  ThreadCountGuard() = default;
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;
  ThreadCountGuard(ThreadCountGuard&&) = delete;
  ThreadCountGuard& operator=(ThreadCountGuard&&) = delete;
  ~ThreadCountGuard() { set_num_threads(saved); }
};

// EXPECT that case c passes with kernel k, with a message that names the case.
inline void expect_case_passes(Kernel k, const GemmCase& c) {
  const CaseResult r = run_case(k, c);
  EXPECT_EQ(r.failures, 0) << kernel_name(k) << ": " << c.describe() << ": " << r.first_failure;
  EXPECT_EQ(r.guard_hits, 0) << kernel_name(k) << ": " << c.describe() << ": wrote " << r.guard_hits
                             << " cells outside C";
}

}  // namespace gemmlab::testing
