// sgemm: the API rules, and every kernel against the double-precision
// reference with the componentwise error bound (gemmlab/numerics.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <string_view>
#include <vector>

#include "gemmlab/cpu.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

using testing::expect_case_passes;
using testing::GemmCase;

// ---- the API -------------------------------------------------------------------

TEST(KernelNames, RoundTripEveryKernel) {
  for (Kernel k : all_kernels()) EXPECT_EQ(kernel_from_name(kernel_name(k)), k);
  EXPECT_EQ(kernel_name(Kernel::simd_avx512), "simd-avx512");
  EXPECT_EQ(kernel_name(Kernel::simd_neon), "simd-neon");
}

TEST(KernelNames, UnknownNameListsTheValidOnes) {
  try {
    kernel_from_name("fast");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'fast'"), std::string::npos) << msg;
    for (Kernel k : all_kernels()) EXPECT_NE(msg.find(std::string(kernel_name(k))), std::string::npos) << msg;
  }
}

TEST(KernelNames, SimdResolvesToTheWidestAvailableKernel) {
  // The order of preference, stated here independently of the table:
  // AVX-512, then AVX2, then NEON, else the portable blocked kernel.
  Kernel expected = Kernel::blocked;
  for (Kernel k : {Kernel::simd_neon, Kernel::simd_avx2, Kernel::simd_avx512})
    if (kernel_available(k)) expected = k;
  EXPECT_EQ(resolve_kernel(Kernel::simd), expected);
  EXPECT_TRUE(kernel_available(Kernel::naive));
  EXPECT_TRUE(kernel_available(Kernel::blocked));
}

TEST(KernelNames, Avx512NeedsAllFourFeaturesItsFilesAreCompiledFor) {
  // The *avx512* files are compiled with -mavx512f/vl/bw/dq: a CPU with
  // AVX-512F alone (Xeon Phi) must not run them.
  CpuFeatures f;
  f.avx512f = true;
  EXPECT_FALSE(f.avx512_f_vl_bw_dq());
  f.avx512vl = f.avx512bw = true;
  EXPECT_FALSE(f.avx512_f_vl_bw_dq());
  f.avx512dq = true;
  EXPECT_TRUE(f.avx512_f_vl_bw_dq());
  // And the registry asks exactly that of this CPU.
#if defined(GEMMLAB_HAVE_AVX512)
  EXPECT_EQ(kernel_available(Kernel::simd_avx512), cpu_features().avx512_f_vl_bw_dq());
#else
  EXPECT_FALSE(kernel_available(Kernel::simd_avx512));
#endif
}

TEST(SgemmArguments, NegativeSizesThrow) {
  float x[4] = {};
  EXPECT_THROW(sgemm(Kernel::naive, -1, 1, 1, 1, x, 1, x, 1, 0, x, 1), std::invalid_argument);
  EXPECT_THROW(sgemm(Kernel::naive, 1, -1, 1, 1, x, 1, x, 1, 0, x, 1), std::invalid_argument);
  EXPECT_THROW(sgemm(Kernel::naive, 1, 1, -1, 1, x, 1, x, 1, 0, x, 1), std::invalid_argument);
}

TEST(SgemmArguments, SmallLeadingDimensionsThrowNamingTheArgument) {
  float x[64] = {};
  auto message = [&](int lda, int ldb, int ldc) {
    try {
      sgemm(Kernel::naive, 2, 3, 4, 1, x, lda, x, ldb, 0, x, ldc);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_NE(message(3, 3, 3).find("lda=3"), std::string::npos);
  EXPECT_NE(message(4, 2, 3).find("ldb=2"), std::string::npos);
  EXPECT_NE(message(4, 3, 2).find("ldc=2"), std::string::npos);
  EXPECT_EQ(message(4, 3, 3), "no exception");
}

TEST(SgemmArguments, GemmShapeMismatchNamesBothShapes) {
  Matrix A(4, 3), B(5, 5), C(4, 5);
  try {
    gemm(Kernel::naive, A, B, C);
    FAIL() << "expected shape_error";
  } catch (const shape_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("4x3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("5x5"), std::string::npos) << msg;
  }
  Matrix B2(3, 5), C2(4, 4);
  EXPECT_THROW(gemm(Kernel::naive, A, B2, C2), shape_error);
}

// ---- every kernel ----------------------------------------------------------------

class EveryKernel : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Kernels, EveryKernel, ::testing::ValuesIn(all_kernels()), testing::param_name);

TEST_P(EveryKernel, ZeroSizesAreValid) {
  float c[6] = {1, 2, 3, 4, 5, 6};
  sgemm(GetParam(), 0, 3, 2, 1, nullptr, 2, nullptr, 3, 0, c, 3);  // M = 0: nothing
  sgemm(GetParam(), 2, 0, 2, 1, nullptr, 2, nullptr, 1, 0, c, 3);  // N = 0: nothing
  EXPECT_EQ(c[0], 1.0f);
  sgemm(GetParam(), 2, 3, 0, 1, nullptr, 1, nullptr, 3, 2.0f, c, 3);  // K = 0: C := beta C
  EXPECT_EQ(c[0], 2.0f);
  EXPECT_EQ(c[5], 12.0f);
  c[0] = std::numeric_limits<float>::quiet_NaN();
  sgemm(GetParam(), 2, 3, 0, 1, nullptr, 1, nullptr, 3, 0.0f, c, 3);  // K = 0, beta = 0: zeros, NaN not read
  for (float v : c) EXPECT_EQ(v, 0.0f);
}

TEST_P(EveryKernel, AlphaZeroDoesNotReadAOrB) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  float a[4] = {nan, nan, nan, nan}, b[4] = {nan, nan, nan, nan}, c[4] = {1, 2, 3, 4};
  sgemm(GetParam(), 2, 2, 2, 0.0f, a, 2, b, 2, -1.0f, c, 2);
  EXPECT_EQ(c[0], -1.0f);
  EXPECT_EQ(c[3], -4.0f);
}

TEST_P(EveryKernel, SmallIntegersAreExact) {
  // Small integer inputs make every partial sum exact in float, so every
  // summation order gives the same answer: the bound here is zero.
  for (int M : {1, 3, 7, 16, 33})
    for (int N : {1, 5, 16, 17, 40})
      for (int K : {1, 2, 9, 31})
        for (float beta : {0.0f, 1.0f, -2.0f}) {
          GemmCase c{M, N, K, 1.0f, beta};
          c.integer_inputs = true;
          c.seed = 10'000ull * M + 100ull * N + K;
          expect_case_passes(GetParam(), c);
        }
}

// The range of EveryShapeUpTo40: 40, except under CPU emulation. `make
// test-arm64` runs the tests under qemu with GEMMLAB_TEST_EMULATED=1, where
// everything (the double reference most of all) runs about 10-20x slower and
// the sweep alone took over 30 s per kernel. There the range is 28: still
// more than two register tiles plus an edge, in every dimension, of every
// kernel built for ARM64 (neon 8x12, portable 4x16). The sweep's cost grows
// like the 6th power of the range (each case costs M*N*K), so 28 is 8x
// faster. `make valgrind` sets it too (valgrind also emulates the CPU, and
// its AVX-512 is off there); a plain `make test` always sweeps all of 1..40.
int exhaustive_range() {
  const char* emulated = std::getenv("GEMMLAB_TEST_EMULATED");
  return emulated != nullptr && std::string_view(emulated) == "1" ? 28 : 40;
}

TEST_P(EveryKernel, EveryShapeUpTo40) {
  // M, N, K each from 1 to 40: every edge case of every register tile up to 40.
  const int range = exhaustive_range();
  if (range < 40) RecordProperty("emulated_range", range);
  for (int M = 1; M <= range; ++M)
    for (int N = 1; N <= range; ++N)
      for (int K = 1; K <= range; ++K) {
        GemmCase c{M, N, K, 1.0f, 0.0f};
        c.seed = 1'000'000ull * M + 1'000ull * N + K;
        const auto r = testing::run_case(GetParam(), c);
        if (r.failures != 0 || r.guard_hits != 0) {
          ADD_FAILURE() << kernel_name(GetParam()) << ": " << c.describe() << ": " << r.failures << " bad elements ("
                        << r.first_failure << "), " << r.guard_hits << " guard cells written";
          return;  // one clear failure, not thousands
        }
      }
}

TEST_P(EveryKernel, AlphaAndBetaCases) {
  const float values[] = {0.0f, 1.0f, -1.0f, 0.37f, -2.5f};
  for (float alpha : values)
    for (float beta : values)
      for (int M : {1, 13, 29})
        for (int N : {1, 17, 35})
          for (int K : {1, 8, 37}) expect_case_passes(GetParam(), GemmCase{M, N, K, alpha, beta});
}

TEST_P(EveryKernel, StridedSubBlockViews) {
  // ld > cols for every operand: the kernel must step by ld, and leave the
  // cells between C's rows untouched.
  for (int pad : {1, 3, 16, 33})
    for (int M : {1, 6, 19, 50})
      for (int N : {1, 15, 32, 47})
        for (int K : {1, 16, 45}) {
          GemmCase c{M, N, K, 0.75f, 0.5f, pad, pad + 2, pad + 5};
          c.seed = 7ull * pad + 11ull * M + 13ull * N + K;
          expect_case_passes(GetParam(), c);
        }
}

TEST_P(EveryKernel, ShapesAroundTileAndBlockSizes) {
  // Register tiles are 4..32 wide and cache blocks are multiples of them:
  // one below, at and one above each such size, in every dimension.
  std::set<int> sizes;
  for (int t : {4, 6, 8, 12, 14, 16, 24, 28, 32, 48, 64, 96, 128, 256})
    for (int d : {-1, 0, 1})
      if (t + d >= 1) sizes.insert(t + d);
  const std::vector<int> s(sizes.begin(), sizes.end());
  SplitMix64 rng(99);
  for (int trial = 0; trial < 150; ++trial) {
    GemmCase c;
    c.M = s[rng.next() % s.size()];
    c.N = s[rng.next() % s.size()];
    c.K = s[rng.next() % s.size()];
    c.alpha = trial % 3 == 0 ? -1.0f : 1.0f;
    c.beta = trial % 2 == 0 ? 0.0f : 0.5f;
    c.seed = 1000 + static_cast<std::uint64_t>(trial);
    expect_case_passes(GetParam(), c);
  }
}

TEST_P(EveryKernel, RandomShapesUpToAFewHundred) {
  SplitMix64 rng(2024);
  for (int trial = 0; trial < 30; ++trial) {
    GemmCase c;
    c.M = 1 + static_cast<int>(rng.next() % 300);
    c.N = 1 + static_cast<int>(rng.next() % 300);
    c.K = 1 + static_cast<int>(rng.next() % 300);
    c.alpha = static_cast<float>(rng.uniform(-2, 2));
    c.beta = trial % 4 == 0 ? 0.0f : static_cast<float>(rng.uniform(-2, 2));
    c.pad_a = static_cast<int>(rng.next() % 5);
    c.pad_b = static_cast<int>(rng.next() % 5);
    c.pad_c = static_cast<int>(rng.next() % 5);
    c.seed = 5000 + static_cast<std::uint64_t>(trial);
    expect_case_passes(GetParam(), c);
  }
}

TEST_P(EveryKernel, MatrixViewsOfALargerMatrix) {
  // gemm() on blocks of owning matrices: the views carry ld > cols.
  SplitMix64 rng(7);
  Matrix big_a = random_uniform(40, 50, rng), big_b = random_uniform(60, 45, rng);
  Matrix big_c(30, 70), expected(30, 70);
  big_c.fill(5.0f);
  expected.fill(5.0f);
  const ConstMatrixView A = big_a.block(3, 4, 21, 33), B = big_b.block(10, 2, 33, 29);
  gemm(GetParam(), A, B, big_c.block(5, 6, 21, 29), 1.0f, 0.0f);
  gemm(Kernel::naive, A, B, expected.block(5, 6, 21, 29), 1.0f, 0.0f);
  for (int i = 0; i < 30; ++i)
    for (int j = 0; j < 70; ++j) {
      const bool inside = i >= 5 && i < 26 && j >= 6 && j < 35;
      if (!inside) {
        ASSERT_EQ(big_c(i, j), 5.0f) << "wrote outside the view at (" << i << ", " << j << ")";
        continue;
      }
      double abs_sum = 0;
      for (int p = 0; p < 33; ++p) abs_sum += std::fabs(double(A(i - 5, p)) * B(p, j - 6));
      // Both results are within the bound of the exact value, so within twice it of each other.
      ASSERT_LE(std::fabs(double(big_c(i, j)) - expected(i, j)), 2 * gemm_error_bound(33, abs_sum));
    }
}

// ---- kernels against each other ------------------------------------------------------

TEST(KernelsAgree, PairwiseWithinTwiceTheBound) {
  const std::vector<Kernel> kernels = available_kernels();
  SplitMix64 rng(31337);
  for (int trial = 0; trial < 12; ++trial) {
    const int M = 1 + static_cast<int>(rng.next() % 130), N = 1 + static_cast<int>(rng.next() % 130),
              K = 1 + static_cast<int>(rng.next() % 300);
    const Matrix A = random_uniform(M, K, rng), B = random_uniform(K, N, rng), C0 = random_uniform(M, N, rng);
    const float alpha = 1.5f, beta = -0.5f;
    std::vector<Matrix> results;
    for (Kernel k : kernels) {
      Matrix C = C0;
      gemm(k, A, B, C, alpha, beta);
      results.push_back(std::move(C));
    }
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        double abs_sum = std::fabs(beta * double(C0(i, j)));
        for (int p = 0; p < K; ++p) abs_sum += std::fabs(alpha * double(A(i, p)) * B(p, j));
        const double bound = 2 * gemm_error_bound(K, abs_sum);
        for (std::size_t x = 0; x < kernels.size(); ++x)
          for (std::size_t y = x + 1; y < kernels.size(); ++y)
            ASSERT_LE(std::fabs(double(results[x](i, j)) - results[y](i, j)), bound)
                << kernel_name(kernels[x]) << " vs " << kernel_name(kernels[y]) << " at (" << i << "," << j
                << ") for M=" << M << " N=" << N << " K=" << K;
      }
  }
}

}  // namespace
}  // namespace gemmlab

namespace gemmlab {
namespace {

TEST(TeachingKernels, TiledGivesTheSameBitsAsLoopOrder) {
  // tiled.cpp visits the K blocks in order, so every element of C adds its
  // products in the same order as loop_order.cpp: blocking moves memory
  // traffic, not arithmetic. Sizes cross every block edge (KC 128, NC 256, MC 64).
  SplitMix64 rng(77);
  for (const auto& [M, N, K] : {std::array{1, 1, 1}, std::array{65, 257, 129}, std::array{130, 300, 300}}) {
    const Matrix A = random_uniform(M, K, rng), B = random_uniform(K, N, rng), C0 = random_uniform(M, N, rng);
    Matrix by_rows = C0, by_tiles = C0;
    gemm(Kernel::loop_order, A, B, by_rows, 0.75f, -1.25f);
    gemm(Kernel::tiled, A, B, by_tiles, 0.75f, -1.25f);
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j)
        ASSERT_EQ(by_rows(i, j), by_tiles(i, j))
            << "M=" << M << " N=" << N << " K=" << K << " at (" << i << ", " << j << ")";
  }
}

TEST(TeachingKernels, RegisterTileAndPackedGiveTheSameBitsAsTiled) {
  // register_tile.cpp keeps tiled.cpp's blocks and starts each accumulator
  // from C, then adds the k-block's products in tiled.cpp's order;
  // packed.cpp only copies the values into panels first. So the three round
  // alike, in every layout and transpose. The sizes cross every tile edge
  // (4 x 16) and block edge (KC 128, NC 256, MC 64); every leading
  // dimension is padded, and the padding must come back as it went in.
  SplitMix64 rng(78);
  const Transpose no_or_trans[] = {Transpose::no_trans, Transpose::trans};
  for (Layout layout : {Layout::row_major, Layout::col_major})
    for (Transpose ta : no_or_trans)
      for (Transpose tb : no_or_trans)
        for (const auto& [M, N, K] :
             {std::array{1, 1, 1}, std::array{7, 19, 5}, std::array{65, 257, 129}, std::array{130, 300, 300}}) {
          // Stored rows x columns of each operand, and the length of its stored lines plus padding.
          const bool rm = layout == Layout::row_major;
          const int a_rows = ta == Transpose::no_trans ? M : K, a_cols = ta == Transpose::no_trans ? K : M;
          const int b_rows = tb == Transpose::no_trans ? K : N, b_cols = tb == Transpose::no_trans ? N : K;
          const int lda = (rm ? a_cols : a_rows) + 3, ldb = (rm ? b_cols : b_rows) + 5, ldc = (rm ? N : M) + 2;
          auto random_floats = [&](std::size_t n) {
            std::vector<float> v(n);
            for (float& x : v) x = static_cast<float>(rng.uniform(-1, 1));
            return v;
          };
          const std::vector<float> A = random_floats(static_cast<std::size_t>(lda) * (rm ? a_rows : a_cols));
          const std::vector<float> B = random_floats(static_cast<std::size_t>(ldb) * (rm ? b_rows : b_cols));
          const std::vector<float> C0 = random_floats(static_cast<std::size_t>(ldc) * (rm ? M : N));
          std::vector<float> by_tiled = C0;
          sgemm(Kernel::tiled, layout, ta, tb, M, N, K, 0.75f, A.data(), lda, B.data(), ldb, -1.25f, by_tiled.data(),
                ldc);
          for (Kernel k : {Kernel::register_tile, Kernel::packed}) {
            std::vector<float> C = C0;
            sgemm(k, layout, ta, tb, M, N, K, 0.75f, A.data(), lda, B.data(), ldb, -1.25f, C.data(), ldc);
            for (std::size_t x = 0; x < C.size(); ++x)
              ASSERT_EQ(std::bit_cast<std::uint32_t>(C[x]), std::bit_cast<std::uint32_t>(by_tiled[x]))
                  << kernel_name(k) << " " << (rm ? "row-major" : "col-major") << " trans_a=" << static_cast<int>(ta)
                  << " trans_b=" << static_cast<int>(tb) << " M=" << M << " N=" << N << " K=" << K << " at index " << x;
          }
        }
}

}  // namespace
}  // namespace gemmlab

namespace gemmlab {
namespace {

TEST(KernelStatus, BlockedNamesTheMicroKernelCopyItRuns) {
  // The portable source is compiled for the baseline and for AVX2 + FMA; the
  // status says which copy this CPU runs (the blocked row of src/gemm/registry.cpp).
  const std::string status = kernel_status(Kernel::blocked);
  EXPECT_EQ(status.rfind("yes: micro-kernel portable_", 0), 0u) << status;
}

}  // namespace
}  // namespace gemmlab
