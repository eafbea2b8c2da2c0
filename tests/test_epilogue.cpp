// The bias + activation fused into sgemm's write-back (gemmlab/gemm.hpp,
// BiasActivation): the same bits as the product followed by a separate
// pass, on every float kernel and every path (small, packed, several KC
// blocks, split between threads); within the derived bound of the exact
// value; the trivial cases; and the bad arguments.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "gemmlab/gemm.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"
#include "gemmlab/rnn.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

using testing::error_of;

class FusedEpilogue : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Kernels, FusedEpilogue,
                         ::testing::ValuesIn(all_kernels(Precision::f32).begin(), all_kernels(Precision::f32).end()),
                         testing::param_name);

struct Operands {
  int M, N, K;
  std::vector<float> a, b, c, bias;
};

Operands random_operands(int M, int N, int K, std::uint64_t seed) {
  SplitMix64 rng(seed);
  Operands o{M, N, K, {}, {}, {}, {}};
  o.a.resize(static_cast<std::size_t>(M) * K);
  o.b.resize(static_cast<std::size_t>(K) * N);
  o.c.resize(static_cast<std::size_t>(M) * N);
  o.bias.resize(static_cast<std::size_t>(N));
  for (float& x : o.a) x = static_cast<float>(rng.uniform(-1, 1));
  for (float& x : o.b) x = static_cast<float>(rng.uniform(-1, 1));
  for (float& x : o.c) x = static_cast<float>(rng.uniform(-1, 1));
  for (float& x : o.bias) x = static_cast<float>(rng.uniform(-2, 2));
  return o;
}

// What the fused write-back must equal: C + bias rounded to float, then the
// library's tanh (tanh_in_place, the formula every pass uses) or relu
// written out (max(0, v), NaN passing, as the passes do).
void bias_then_activation(std::vector<float>& c, const std::vector<float>& bias, int N, Activation act) {
  for (std::size_t e = 0; e < c.size(); ++e) c[e] += bias[e % static_cast<std::size_t>(N)];
  if (act == Activation::tanh)
    tanh_in_place(c);
  else
    for (float& v : c) v = v < 0.0f ? 0.0f : v;
}

// Shapes for every path: the seed's recurrence (4 x 16 x 5, padded) and its
// unpadded 4 x 5 x 5 (masked columns); the small path's tiles and edges;
// a skinny product large enough to be split between threads (64 x 2100 x
// 256); the five loops with several KC-deep slices (K = 1100: the epilogue
// must come once, after the last) and a split on two threads (300 x 520 x 300).
constexpr int kShapes[][3] = {{4, 16, 5},      {4, 5, 5},      {15, 33, 65},   {64, 256, 256},
                              {64, 2100, 256}, {45, 47, 1100}, {300, 520, 300}};

TEST_P(FusedEpilogue, GivesTheBitsOfTheProductThenThePass) {
  testing::ThreadCountGuard restore;
  for (const auto& s : kShapes)
    for (const int threads : {1, 2})
      for (const Activation act : {Activation::tanh, Activation::relu}) {
        const int M = s[0], N = s[1], K = s[2];
        if (!kernel_threaded(GetParam()) && (threads == 2 || static_cast<long>(M) * N * K > 5'000'000)) continue;
        set_num_threads(threads);
        const Operands o = random_operands(
            M, N, K,
            7u * static_cast<std::uint64_t>(M) + 3u * static_cast<std::uint64_t>(N) + static_cast<std::uint64_t>(K));
        const PackedMatrix packed(GetParam(), Layout::row_major, Transpose::no_trans, K, N, o.b.data(), N);
        for (const float beta : {0.0f, 1.0f}) {
          std::vector<float> expected = o.c, fused = o.c;
          sgemm(M, 0.5f, o.a.data(), K, packed, beta, expected.data(), N);
          bias_then_activation(expected, o.bias, N, act);
          sgemm(M, 0.5f, o.a.data(), K, packed, beta, fused.data(), N, BiasActivation{o.bias.data(), act});
          EXPECT_TRUE(fused == expected) << kernel_name(GetParam()) << " " << M << "x" << N << "x" << K << " ("
                                         << last_gemm_call().path << ") threads=" << threads << " beta=" << beta << " "
                                         << activation_name(act);
        }
      }
}

// Against the exact value act(sum_p A(i,p) B(p,j) + bias[j]) in double. The
// product's float result is within E = gemm_error_bound(K, abs_sum) of the
// exact one (c = 2, as for every packed B: test_gemm_layouts.cpp); adding
// the bias rounds once more, by at most u |C + bias| with C the float
// result (|C| <= |exact| + E); tanh and relu are 1-Lipschitz, so that
// error passes through them undiminished at worst; gemmlab's tanh adds its
// own tanh_max_abs_error, relu nothing.
TEST_P(FusedEpilogue, IsWithinTheBoundOfTheExactValue) {
  for (const auto& s : kShapes) {
    const int M = s[0], N = s[1], K = s[2];
    if (!kernel_threaded(GetParam()) && static_cast<long>(M) * N * K > 5'000'000) continue;
    const Operands o = random_operands(
        M, N, K, static_cast<std::uint64_t>(M) + static_cast<std::uint64_t>(N) + static_cast<std::uint64_t>(K));
    const PackedMatrix packed(GetParam(), Layout::row_major, Transpose::no_trans, K, N, o.b.data(), N);
    for (const Activation act : {Activation::tanh, Activation::relu}) {
      std::vector<float> c(static_cast<std::size_t>(M) * N);
      sgemm(M, 1.0f, o.a.data(), K, packed, 0.0f, c.data(), N, BiasActivation{o.bias.data(), act});
      int failures = 0;
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
          double exact = 0, abs_sum = 0;
          for (int p = 0; p < K; ++p) {
            const double term =
                double(o.a[static_cast<std::size_t>(i) * K + p]) * o.b[static_cast<std::size_t>(p) * N + j];
            exact += term;
            abs_sum += std::fabs(term);
          }
          const double product_error = gemm_error_bound(K, abs_sum);
          const double pre = exact + o.bias[static_cast<std::size_t>(j)];
          const double bound = product_error + unit_roundoff * (std::fabs(pre) + product_error) +
                               (act == Activation::tanh ? tanh_max_abs_error : 0.0);
          const double want = act == Activation::tanh ? std::tanh(pre) : (pre > 0 ? pre : 0.0);
          if (!(std::fabs(c[static_cast<std::size_t>(i) * N + j] - want) <= bound)) ++failures;
        }
      EXPECT_EQ(failures, 0) << kernel_name(GetParam()) << " " << M << "x" << N << "x" << K << " "
                             << activation_name(act);
    }
  }
}

// The prefetch hint changes nothing in the result (C's next block, M x N
// further on in the same array, is only requested), on the small path and
// the five loops.
TEST_P(FusedEpilogue, ThePrefetchHintLeavesTheBits) {
  for (const auto& s : {std::array<int, 3>{64, 256, 256}, std::array<int, 3>{45, 47, 1100}}) {
    const int M = s[0], N = s[1], K = s[2];
    const Operands o = random_operands(M, N, K, 31);
    const PackedMatrix packed(GetParam(), Layout::row_major, Transpose::no_trans, K, N, o.b.data(), N);
    const std::ptrdiff_t block = static_cast<std::ptrdiff_t>(M) * N;
    std::vector<float> plain = o.c, hinted = o.c;
    hinted.resize(2 * o.c.size(), 7.0f);  // the next block, which must stay untouched
    sgemm(M, 1.0f, o.a.data(), K, packed, 1.0f, plain.data(), N, BiasActivation{o.bias.data(), Activation::tanh});
    sgemm(M, 1.0f, o.a.data(), K, packed, 1.0f, hinted.data(), N,
          BiasActivation{o.bias.data(), Activation::tanh, block});
    EXPECT_TRUE(std::equal(plain.begin(), plain.end(), hinted.begin())) << M << "x" << N << "x" << K;
    EXPECT_TRUE(std::all_of(hinted.begin() + block, hinted.end(), [](float v) { return v == 7.0f; }));
  }
}

// With nothing to multiply (K = 0 or alpha = 0) C := act(beta C + bias)
// still holds; M = 0 writes nothing.
TEST_P(FusedEpilogue, AppliesInTheTrivialCases) {
  std::vector<float> b(12, 1.0f);
  const float bias[3] = {0.25f, -4.0f, 1.0f};
  const PackedMatrix empty_k(GetParam(), Layout::row_major, Transpose::no_trans, 0, 3, nullptr, 3);
  const PackedMatrix b43(GetParam(), Layout::row_major, Transpose::no_trans, 4, 3, b.data(), 3);
  float c[7] = {1, 2, 3, 4, 5, 6, 99};  // C is 2 x 3; c[6] a guard
  sgemm(2, 1.0f, nullptr, 1, empty_k, 0.5f, c, 3, BiasActivation{bias, Activation::relu});
  const float after_k0[6] = {0.75f, 0.0f, 2.5f, 2.25f, 0.0f, 4.0f};  // max(0, 0.5 (i + 1) + bias[j])
  for (int i = 0; i < 6; ++i) EXPECT_EQ(c[i], after_k0[i]) << i;
  sgemm(2, 0.0f, nullptr, 4, b43, 0.0f, c, 3, BiasActivation{bias, Activation::relu});
  for (int i = 0; i < 6; ++i) EXPECT_EQ(c[i], bias[i % 3] > 0 ? bias[i % 3] : 0.0f) << i;
  EXPECT_EQ(c[6], 99.0f);
  c[0] = 7;
  sgemm(0, 1.0f, nullptr, 4, b43, 2.0f, c, 3, BiasActivation{bias, Activation::tanh});
  EXPECT_EQ(c[0], 7.0f);
}

TEST(FusedEpilogueArguments, BadOnesAreRefusedAndCIsUntouched) {
  std::vector<float> b(64, 1.0f), a(64, 1.0f), c(64, 7.0f);
  const std::vector<float> c_before = c;
  const float bias[8] = {};
  const PackedMatrix packed(Kernel::simd, Layout::row_major, Transpose::no_trans, 4, 8, b.data(), 8);
  EXPECT_EQ(error_of([&] { sgemm(2, 1.0f, a.data(), 4, packed, 0.0f, c.data(), 8, BiasActivation{nullptr}); }),
            "sgemm-packed: the bias is null (it must hold N = 8 floats)");
  EXPECT_EQ(error_of([&] {
              sgemm(2, 1.0f, a.data(), 4, packed, 0.0f, c.data(), 8, BiasActivation{bias, static_cast<Activation>(5)});
            }),
            "sgemm-packed: invalid Activation value 5 (valid: tanh = 0, relu = 1)");
  EXPECT_EQ(error_of([&] {  // the bias is C's second row
              sgemm(2, 1.0f, a.data(), 4, packed, 0.0f, c.data(), 8, BiasActivation{c.data() + 8});
            }),
            "sgemm-packed: the bias overlaps C's memory");
  EXPECT_EQ(error_of([&] { sgemm(2, 1.0f, a.data(), 3, packed, 0.0f, c.data(), 8, BiasActivation{bias}); }),
            error_of([&] { sgemm(2, 1.0f, a.data(), 3, packed, 0.0f, c.data(), 8); }))
      << "the product's own checks name the argument as without an epilogue";
  EXPECT_TRUE(c == c_before);
  // Just past C's last element is not inside it.
  std::vector<float> both(24, 0.0f);  // C = 2 x 8 at [0, 16), the bias at [16, 24)
  EXPECT_EQ(
      error_of([&] { sgemm(2, 1.0f, a.data(), 4, packed, 0.0f, both.data(), 8, BiasActivation{both.data() + 16}); }),
      "(no error)");
  EXPECT_NEAR(both[0], std::tanh(4.0), tanh_max_abs_error);  // 4 products of ones, bias 0
}

}  // namespace
}  // namespace gemmlab
