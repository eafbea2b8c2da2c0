// The full sgemm contract: every kernel, both layouts and every transpose
// pair, against a double-precision reference computed from the definition
// of op(X) and the storage rules of each layout (not from any gemmlab
// code), with the derived error bound, guard cells around and between the
// stored rows or columns of every operand, and NaN in C when beta == 0.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace gemmlab {
namespace {

const Transpose all_transposes[] = {Transpose::no_trans, Transpose::trans, Transpose::conj_trans};
const Layout both_layouts[] = {Layout::row_major, Layout::col_major};

const char* letter(Transpose t) { return t == Transpose::no_trans ? "N" : t == Transpose::trans ? "T" : "C"; }

struct LayoutCase {
  Layout layout = Layout::row_major;
  Transpose ta = Transpose::no_trans, tb = Transpose::no_trans;
  int M = 1, N = 1, K = 1;
  float alpha = 1.0f, beta = 0.0f;
  int pad = 0;  // extra elements per stored row (row-major) or column (column-major)
  std::uint64_t seed = 1;

  std::string describe() const {
    std::ostringstream s;
    s << (layout == Layout::row_major ? "row-major" : "col-major") << " " << letter(ta) << letter(tb) << " M=" << M
      << " N=" << N << " K=" << K << " alpha=" << alpha << " beta=" << beta << " pad=" << pad << " seed=" << seed;
    return s.str();
  }
};

// A matrix as the caller stores it: `rows` x `cols` logical (op applied by
// the reader), kept in `buf` between guard cells, addressed by the rules of
// the CBLAS interface (not by gemmlab's code).
struct Stored {
  int lines = 0, length = 0, ld = 0;  // stored rows (row-major) or columns (col-major), their length, and ld
  bool line_is_row = true;
  std::vector<float> buf;
  static constexpr std::size_t guard = 32;

  Stored(bool row_major_storage, int stored_rows, int stored_cols, int pad)
      : lines(row_major_storage ? stored_rows : stored_cols),
        length(row_major_storage ? stored_cols : stored_rows),
        ld(std::max(length, 1) + pad),
        line_is_row(row_major_storage),
        buf(2 * guard + static_cast<std::size_t>(lines) * ld, testing::guard_value()) {}
  float* data() { return buf.data() + guard; }
  // Element (r, c) of the stored matrix.
  float& at(int r, int c) {
    const std::size_t line = static_cast<std::size_t>(line_is_row ? r : c),
                      pos = static_cast<std::size_t>(line_is_row ? c : r);
    return buf[guard + line * static_cast<std::size_t>(ld) + pos];
  }
  bool inside(std::size_t idx) const {
    if (idx < guard || idx >= guard + static_cast<std::size_t>(lines) * ld) return false;
    return static_cast<int>((idx - guard) % static_cast<std::size_t>(ld)) < length;
  }
};

// Runs one case and returns a failure message, or "" when it passes. With
// pack_b, B (in c's layout and transpose) goes through a PackedMatrix, its
// source overwritten with NaN once packed, and A and C are row-major,
// untransposed (what sgemm with a PackedMatrix takes); c.ta is ignored.
std::string run_layout_case(Kernel k, const LayoutCase& c, bool pack_b = false) {
  const bool rm = c.layout == Layout::row_major, rm_ac = rm || pack_b;
  const bool ta = !pack_b && c.ta != Transpose::no_trans, tb = c.tb != Transpose::no_trans;
  // op(A) is M x K: A as stored is M x K, or K x M when transposed.
  Stored A(rm_ac, ta ? c.K : c.M, ta ? c.M : c.K, c.pad);
  Stored B(rm, tb ? c.N : c.K, tb ? c.K : c.N, (c.pad * 3) % 5);
  Stored C(rm_ac, c.M, c.N, (c.pad * 2) % 7);
  SplitMix64 rng(c.seed);
  auto opA = [&](int i, int p) -> float& { return ta ? A.at(p, i) : A.at(i, p); };
  auto opB = [&](int p, int j) -> float& { return tb ? B.at(j, p) : B.at(p, j); };
  for (int i = 0; i < c.M; ++i)
    for (int p = 0; p < c.K; ++p) opA(i, p) = static_cast<float>(rng.uniform(-1, 1));
  for (int p = 0; p < c.K; ++p)
    for (int j = 0; j < c.N; ++j) opB(p, j) = static_cast<float>(rng.uniform(-1, 1));
  for (int i = 0; i < c.M; ++i)
    for (int j = 0; j < c.N; ++j)
      C.at(i, j) = c.beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(rng.uniform(-1, 1));
  const Stored C0 = C;

  if (pack_b) {
    const PackedMatrix packed(k, c.layout, c.tb, c.K, c.N, B.data(), B.ld);
    const Stored source = B;                                             // for the reference below
    for (float& x : B.buf) x = std::numeric_limits<float>::quiet_NaN();  // the product must not read it
    sgemm(c.M, c.alpha, A.data(), A.ld, packed, c.beta, C.data(), C.ld);
    B = source;
  } else {
    sgemm(k, c.layout, c.ta, c.tb, c.M, c.N, c.K, c.alpha, A.data(), A.ld, B.data(), B.ld, c.beta, C.data(), C.ld);
  }

  for (std::size_t idx = 0; idx < C.buf.size(); ++idx)
    if (!C.inside(idx) && !testing::is_guard(C.buf[idx]))
      return "wrote a cell outside C (buffer index " + std::to_string(idx) + ")";
  Stored C0m = C0;
  for (int i = 0; i < c.M; ++i)
    for (int j = 0; j < c.N; ++j) {
      double exact = 0, abs_sum = 0;
      if (c.K > 0 && c.alpha != 0.0f) {
        for (int p = 0; p < c.K; ++p) {
          const double prod = double(opA(i, p)) * double(opB(p, j));
          exact += prod;
          abs_sum += std::fabs(prod);
        }
        exact *= c.alpha;
        abs_sum *= std::fabs(c.alpha);
      }
      if (c.beta != 0.0f) {
        const double c0 = C0m.at(i, j);
        exact += double(c.beta) * c0;
        abs_sum += std::fabs(double(c.beta) * c0);
      }
      const double bound = gemm_error_bound(c.K, abs_sum) + 2.0 * (c.K + 2) * 0x1.0p-53 * abs_sum;
      const double got = C.at(i, j);
      if (!(std::fabs(got - exact) <= bound)) {
        std::ostringstream s;
        s << "C(" << i << "," << j << ") = " << got << " but exact is " << exact << " (bound " << bound << ")";
        return s.str();
      }
    }
  return "";
}

class EveryLayout : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Kernels, EveryLayout, ::testing::ValuesIn(all_kernels().begin(), all_kernels().end()),
                         testing::param_name);

TEST_P(EveryLayout, ExhaustiveSmallShapes) {
  // Every M, N, K in 1..8 in both layouts and all nine transpose pairs;
  // alpha, beta and the padding cycle through their values with the trial
  // number, so every combination of them meets every layout.
  const float alphas[] = {1.0f, -0.5f, 2.0f};
  const float betas[] = {0.0f, 1.0f, 0.75f, -1.0f};
  int trial = 0;
  for (Layout layout : both_layouts)
    for (Transpose ta : all_transposes)
      for (Transpose tb : all_transposes)
        for (int M = 1; M <= 8; ++M)
          for (int N = 1; N <= 8; ++N)
            for (int K = 1; K <= 8; ++K) {
              LayoutCase c{layout, ta, tb, M, N, K, alphas[trial % 3], betas[trial % 4], trial % 4};
              c.seed = 9000 + static_cast<std::uint64_t>(trial++);
              const std::string failure = run_layout_case(GetParam(), c);
              ASSERT_EQ(failure, "") << kernel_name(GetParam()) << ": " << c.describe();
            }
}

TEST_P(EveryLayout, TileEdgesAndLargerShapes) {
  // Sizes around every register tile (4x16, 6x16, 8x12, 14x32 and the small
  // path's 16/32/64-wide tiles), K across a KC block (512 and 256), and
  // shapes on each side of the small-path crossover, in every layout.
  const int shapes[][3] = {{13, 31, 17}, {14, 32, 16},  {15, 33, 65},   {29, 65, 7},    {7, 130, 40},    {3, 70, 300},
                           {70, 3, 300}, {45, 47, 513}, {100, 97, 257}, {130, 150, 90}, {400, 200, 100}, {33, 450, 70}};
  int trial = 0;
  for (const auto& s : shapes)
    for (Layout layout : both_layouts)
      for (Transpose ta : {Transpose::no_trans, Transpose::trans})
        for (Transpose tb : {Transpose::no_trans, Transpose::trans}) {
          LayoutCase c{layout,   ta, tb, s[0], s[1], s[2], trial % 2 == 0 ? 1.0f : -0.75f, trial % 3 == 0 ? 0.0f : 0.5f,
                       trial % 5};
          c.seed = 500 + static_cast<std::uint64_t>(trial++);
          // naive and the teaching steps are slow on the biggest shapes: skip only the two largest for them.
          if (!kernel_threaded(GetParam()) && static_cast<long>(s[0]) * s[1] * s[2] > 5'000'000) continue;
          const std::string failure = run_layout_case(GetParam(), c);
          ASSERT_EQ(failure, "") << kernel_name(GetParam()) << ": " << c.describe();
        }
}

TEST_P(EveryLayout, TrivialCasesInEveryLayout) {
  // K = 0 or alpha = 0: C := beta * C (A and B are never read: they are
  // null here); M = 0 or N = 0: nothing at all happens.
  for (Layout layout : both_layouts)
    for (Transpose ta : all_transposes)
      for (Transpose tb : all_transposes) {
        float c[7] = {1, 2, 3, 4, 5, 6, 99};  // C is 2 x 3, contiguous in either layout; c[6] a guard
        const int ldc = layout == Layout::row_major ? 3 : 2;
        sgemm(GetParam(), layout, ta, tb, 2, 3, 0, 1.0f, nullptr, 3, nullptr, 3, 0.5f, c, ldc);
        for (int i = 0; i < 6; ++i) EXPECT_EQ(c[i], 0.5f * static_cast<float>(i + 1));
        sgemm(GetParam(), layout, ta, tb, 2, 3, 4, 0.0f, nullptr, 4, nullptr, 4, 0.0f, c, ldc);
        for (int i = 0; i < 6; ++i) EXPECT_EQ(c[i], 0.0f);
        EXPECT_EQ(c[6], 99.0f);
        c[0] = 7;
        sgemm(GetParam(), layout, ta, tb, 0, 3, 4, 1.0f, nullptr, 4, nullptr, 4, 2.0f, c, ldc);
        EXPECT_EQ(c[0], 7.0f);
      }
}

// ---- a B packed once (PackedMatrix) --------------------------------------------------

// The same contract with B packed: every kernel, B in both layouts and all
// three transposes, alpha and beta cycling, against the double reference
// with the bound of every sgemm: c = 2, because the packed kernels add each
// KC-deep partial sum into C, one more rounding per KC block, which stays
// within 2 gamma_{K+2} for K up to about 2800 (gemmlab/numerics.hpp; K here
// is at most 600). Shapes around
// the register tiles, on both sides of the small path's crossover, and K
// and N across KC and NC blocks (several depth and column blocks of panels).
TEST_P(EveryLayout, APackedBInEveryLayoutMatchesTheReference) {
  const int shapes[][3] = {{1, 1, 1},      {3, 5, 7},     {14, 32, 16},   {15, 33, 65},  {7, 130, 40},
                           {64, 256, 256}, {45, 47, 513}, {100, 97, 257}, {33, 450, 70}, {20, 2100, 600}};
  const float alphas[] = {1.0f, -0.5f, 2.0f};
  const float betas[] = {0.0f, 1.0f, 0.75f};
  int trial = 0;
  for (const auto& s : shapes)
    for (Layout layout : both_layouts)
      for (Transpose tb : all_transposes) {
        LayoutCase c{layout,
                     Transpose::no_trans,
                     tb,
                     s[0],
                     s[1],
                     s[2],
                     alphas[trial % 3],
                     betas[trial % 3 == 1 ? 0 : (trial / 3) % 3],
                     trial % 4};
        c.seed = 7000 + static_cast<std::uint64_t>(trial++);
        if (!kernel_threaded(GetParam()) && static_cast<long>(s[0]) * s[1] * s[2] > 5'000'000) continue;
        const std::string failure = run_layout_case(GetParam(), c, true);
        ASSERT_EQ(failure, "") << kernel_name(GetParam()) << ", packed B: " << c.describe();
      }
}

// A packed B gives the bits sgemm gives with the same B unpacked on the same
// kernel (the same panels, blocks and order of the sums; the small path and
// the teaching kernels read a copy with another ld, the same arithmetic),
// on each path: small, packed, several KC and NC blocks; on 1 and 2 threads.
TEST_P(EveryLayout, APackedBGivesTheBitsOfTheUnpackedOne) {
  testing::ThreadCountGuard restore;
  const int shapes[][3] = {{4, 16, 5}, {64, 256, 256}, {3200, 256, 128}, {33, 2100, 600}, {300, 520, 300}};
  for (const auto& s : shapes)
    for (const int threads : {1, 2}) {
      const int M = s[0], N = s[1], K = s[2];
      if (!kernel_threaded(GetParam()) && (threads == 2 || static_cast<long>(M) * N * K > 5'000'000)) continue;
      set_num_threads(threads);
      SplitMix64 rng(static_cast<std::uint64_t>(M + N + K));
      std::vector<float> a(static_cast<std::size_t>(M) * K), b(static_cast<std::size_t>(K) * N),
          c_plain(static_cast<std::size_t>(M) * N);
      for (float& x : a) x = static_cast<float>(rng.uniform(-1, 1));
      for (float& x : b) x = static_cast<float>(rng.uniform(-1, 1));
      for (float& x : c_plain) x = static_cast<float>(rng.uniform(-1, 1));
      std::vector<float> c_packed = c_plain;
      sgemm(GetParam(), M, N, K, 0.5f, a.data(), K, b.data(), N, 1.0f, c_plain.data(), N);
      const std::string path(last_gemm_call().path);
      const PackedMatrix packed(GetParam(), Layout::row_major, Transpose::no_trans, K, N, b.data(), N);
      EXPECT_EQ(packed.kernel(), resolve_kernel(GetParam()));
      EXPECT_EQ(packed.rows(), K);
      EXPECT_EQ(packed.cols(), N);
      sgemm(GetParam(), M, N, K, 0.5f, a.data(), K, packed, 1.0f, c_packed.data(), N);
      const std::string packed_path(last_gemm_call().path);
      EXPECT_EQ(packed_path, path == "packed" ? "prepacked" : path) << M << "x" << N << "x" << K;
      EXPECT_TRUE(c_packed == c_plain) << kernel_name(GetParam()) << " " << M << "x" << N << "x" << K << " (" << path
                                       << ") threads=" << threads;
    }
}

// K = 0 or alpha = 0 scales C and reads neither A nor the panels; M = 0 or
// N = 0 does nothing. A PackedMatrix of K = 0 or N = 0 is valid.
TEST_P(EveryLayout, APackedBInTheTrivialCases) {
  std::vector<float> b(12, 1.0f);
  const PackedMatrix empty_k(GetParam(), Layout::row_major, Transpose::no_trans, 0, 3, nullptr, 3);
  const PackedMatrix b43(GetParam(), Layout::row_major, Transpose::no_trans, 4, 3, b.data(), 3);
  float c[7] = {1, 2, 3, 4, 5, 6, 99};  // C is 2 x 3; c[6] a guard
  sgemm(2, 1.0f, nullptr, 1, empty_k, 0.5f, c, 3);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(c[i], 0.5f * static_cast<float>(i + 1));
  sgemm(2, 0.0f, nullptr, 4, b43, 0.0f, c, 3);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(c[i], 0.0f);
  EXPECT_EQ(c[6], 99.0f);
  c[0] = 7;
  sgemm(0, 1.0f, nullptr, 4, b43, 2.0f, c, 3);
  EXPECT_EQ(c[0], 7.0f);
}

using testing::error_of;

TEST(PackedMatrix, BadArgumentsAreRefusedNamingThem) {
  std::vector<float> b(64, 1.0f), a(64, 1.0f), c(64, 7.0f);
  const auto rm = Layout::row_major;
  const auto nt = Transpose::no_trans;
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, rm, nt, 4, 8, b.data(), 7); }),
            "PackedMatrix: ldb=7 is smaller than 8, the length of B's stored rows");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, Layout::col_major, nt, 4, 8, b.data(), 3); }),
            "PackedMatrix: ldb=3 is smaller than 4, the length of B's stored columns");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, rm, Transpose::trans, 4, 8, b.data(), 3); }),
            "PackedMatrix: ldb=3 is smaller than 4, the length of B's stored rows");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, rm, nt, -1, 8, b.data(), 8); }),
            "PackedMatrix: negative size K=-1");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, rm, nt, 4, -2, b.data(), 8); }),
            "PackedMatrix: negative size N=-2");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, rm, nt, 4, 8, nullptr, 8); }), "PackedMatrix: B is null");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, static_cast<Layout>(3), nt, 4, 8, b.data(), 8); }),
            "PackedMatrix: layout=3 is neither row-major (101) nor col-major (102)");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::simd, rm, static_cast<Transpose>(5), 4, 8, b.data(), 8); }),
            "PackedMatrix: trans=5 is not no_trans (111), trans (112) or conj_trans (113)");
  EXPECT_EQ(error_of([&] { PackedMatrix(Kernel::bf16_naive, rm, nt, 4, 8, b.data(), 8); }),
            "PackedMatrix: kernel 'bf16-naive' multiplies bf16 (sbgemm, gemmlab/sbgemm.hpp); PackedMatrix needs a "
            "float kernel");
  EXPECT_EQ(error_of([&] { PackedMatrix(static_cast<Kernel>(99), rm, nt, 4, 8, b.data(), 8); }),
            "gemmlab: unknown Kernel value 99");

  // The products: sgemm's checks, and a B that does not fit the call.
  const PackedMatrix blocked(Kernel::blocked, rm, nt, 4, 8, b.data(), 8);
  EXPECT_EQ(error_of([&] { sgemm(2, 1.0f, a.data(), 3, blocked, 0.0f, c.data(), 8); }),
            "sgemm-packed: lda=3 is smaller than 4, the length of A's stored rows (row-major, op(A) N, op(B) N, M=2 "
            "N=8 K=4)");
  EXPECT_EQ(error_of([&] { sgemm(2, 1.0f, a.data(), 4, blocked, 0.0f, c.data(), 7); }),
            "sgemm-packed: ldc=7 is smaller than 8, the length of C's stored rows (row-major, op(A) N, op(B) N, M=2 "
            "N=8 K=4)");
  EXPECT_EQ(error_of([&] { sgemm(-1, 1.0f, a.data(), 4, blocked, 0.0f, c.data(), 8); }),
            "sgemm-packed: negative size M=-1");
  EXPECT_EQ(error_of([&] { sgemm(2, 1.0f, nullptr, 4, blocked, 0.0f, c.data(), 8); }),
            "sgemm-packed: A is null (row-major, op(A) N, op(B) N, M=2 N=8 K=4)");
  EXPECT_EQ(error_of([&] { sgemm(Kernel::naive, 2, 8, 4, 1.0f, a.data(), 4, blocked, 0.0f, c.data(), 8); }),
            "sgemm-packed: B is packed for kernel 'blocked', not for 'naive'");
  EXPECT_EQ(error_of([&] { sgemm(Kernel::blocked, 2, 8, 5, 1.0f, a.data(), 5, blocked, 0.0f, c.data(), 8); }),
            "sgemm-packed: K=5 but B is packed as 4x8 (K x N)");
  EXPECT_EQ(error_of([&] { sgemm(Kernel::blocked, 2, 9, 4, 1.0f, a.data(), 4, blocked, 0.0f, c.data(), 9); }),
            "sgemm-packed: N=9 but B is packed as 4x8 (K x N)");
  if (resolve_kernel(Kernel::simd) != Kernel::blocked) {
    EXPECT_EQ(error_of([&] { sgemm(Kernel::simd, 2, 8, 4, 1.0f, a.data(), 4, blocked, 0.0f, c.data(), 8); }),
              "sgemm-packed: B is packed for kernel 'blocked', not for 'simd' (which runs " +
                  std::string(kernel_name(resolve_kernel(Kernel::simd))) + " here)");
  }
  EXPECT_EQ(c, std::vector<float>(64, 7.0f));  // no failed call wrote C
  // simd names what it runs: a B packed with `simd` serves calls naming either.
  const PackedMatrix simd(Kernel::simd, rm, nt, 4, 8, b.data(), 8);
  EXPECT_EQ(simd.kernel(), resolve_kernel(Kernel::simd));
  sgemm(Kernel::simd, 2, 8, 4, 1.0f, a.data(), 4, simd, 0.0f, c.data(), 8);
  sgemm(resolve_kernel(Kernel::simd), 2, 8, 4, 1.0f, a.data(), 4, simd, 1.0f, c.data(), 8);
  EXPECT_EQ(c[0], 8.0f);
}

// ---- the argument rules of each layout -----------------------------------------------

std::string message_of(Layout layout, Transpose ta, Transpose tb, int M, int N, int K, int lda, int ldb, int ldc) {
  std::vector<float> x(10000, 0.0f);
  try {
    sgemm(Kernel::naive, layout, ta, tb, M, N, K, 1.0f, x.data(), lda, x.data() + 3000, ldb, 0.0f, x.data() + 6000,
          ldc);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(SgemmArguments, LeadingDimensionRulesOfEachLayoutAndTranspose) {
  // M = 2, N = 3, K = 4: the minimum lda is K or M, ldb N or K, ldc N or M
  // (the table in gemmlab/gemm.hpp). One below is refused, naming the
  // argument; the minimum itself is accepted.
  const int M = 2, N = 3, K = 4;
  struct Rule {
    Layout layout;
    Transpose ta, tb;
    int lda, ldb, ldc;
  };
  const Transpose n = Transpose::no_trans, t = Transpose::trans;
  const Rule rules[] = {{Layout::row_major, n, n, K, N, N}, {Layout::row_major, t, t, M, K, N},
                        {Layout::col_major, n, n, M, K, M}, {Layout::col_major, t, t, K, N, M},
                        {Layout::row_major, n, t, K, K, N}, {Layout::col_major, t, n, K, K, M}};
  for (const Rule& r : rules) {
    SCOPED_TRACE(std::string(r.layout == Layout::row_major ? "row-major " : "col-major ") + letter(r.ta) +
                 letter(r.tb));
    EXPECT_EQ(message_of(r.layout, r.ta, r.tb, M, N, K, r.lda, r.ldb, r.ldc), "");
    EXPECT_NE(message_of(r.layout, r.ta, r.tb, M, N, K, r.lda - 1, r.ldb, r.ldc).find("lda="), std::string::npos);
    EXPECT_NE(message_of(r.layout, r.ta, r.tb, M, N, K, r.lda, r.ldb - 1, r.ldc).find("ldb="), std::string::npos);
    EXPECT_NE(message_of(r.layout, r.ta, r.tb, M, N, K, r.lda, r.ldb, r.ldc - 1).find("ldc="), std::string::npos);
  }
  EXPECT_NE(message_of(static_cast<Layout>(7), n, n, M, N, K, K, N, N).find("layout=7"), std::string::npos);
  EXPECT_NE(message_of(Layout::row_major, static_cast<Transpose>(0), n, M, N, K, K, N, N).find("trans_a=0"),
            std::string::npos);
  EXPECT_NE(message_of(Layout::row_major, n, static_cast<Transpose>(114), M, N, K, K, N, N).find("trans_b=114"),
            std::string::npos);
}

// ---- views: transposed() and the overlap check -----------------------------------------

TEST(GemmViews, TransposedViewsMatchTheReference) {
  SplitMix64 rng(31);
  const Matrix A = random_uniform(7, 5, rng), B = random_uniform(9, 7, rng);  // A^T is 5 x 7, B^T is 7 x 9
  for (Kernel k : available_kernels()) {
    Matrix C(5, 9);
    gemm(k, transposed(A), transposed(B), C, 1.0f, 0.0f);
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 9; ++j) {
        double exact = 0, abs_sum = 0;
        for (int p = 0; p < 7; ++p) {
          exact += double(A(p, i)) * B(j, p);
          abs_sum += std::fabs(double(A(p, i)) * B(j, p));
        }
        EXPECT_LE(std::fabs(C(i, j) - exact), gemm_error_bound(7, abs_sum))
            << kernel_name(k) << " (" << i << "," << j << ")";
      }
  }
  EXPECT_EQ(transposed(transposed(A)).is_transposed(), false);
  EXPECT_EQ(transposed(A).rows(), 5);
  Matrix C_wrong(7, 9);
  EXPECT_THROW(gemm(Kernel::naive, transposed(A), transposed(B), C_wrong), shape_error);
}

TEST(GemmViews, OverlappingOutputIsRefused) {
  Matrix M(12, 12);
  const MatrixView A = M.block(0, 0, 4, 4), B = M.block(0, 4, 4, 4);
  // Disjoint blocks of one matrix (same ld, side by side or one above the other) are fine.
  EXPECT_NO_THROW(gemm(Kernel::naive, A, B, M.block(0, 8, 4, 4)));
  EXPECT_NO_THROW(gemm(Kernel::naive, A, B, M.block(4, 0, 4, 4)));
  // C on A, on B, sharing one element with either, or the same memory read transposed: refused.
  EXPECT_THROW(gemm(Kernel::naive, A, B, M.block(0, 0, 4, 4)), std::invalid_argument);
  EXPECT_THROW(gemm(Kernel::naive, A, B, M.block(3, 7, 4, 4)), std::invalid_argument);
  EXPECT_THROW(gemm(Kernel::naive, A, B, M.block(3, 0, 4, 4)), std::invalid_argument);
  EXPECT_THROW(gemm(Kernel::naive, transposed(A), B, M.block(2, 2, 4, 4)), std::invalid_argument);
  // Views with different leading dimensions whose address ranges meet.
  const MatrixView flat(M.data(), 1, 16, 16);
  EXPECT_THROW(gemm(Kernel::naive, A, B, MatrixView(M.data() + 12, 4, 4, 4)), std::invalid_argument);
  (void)flat;
}

// ---- the path and the split are observable ---------------------------------------------

TEST(GemmCallInfo, NamesTheConcreteKernelAndPath) {
  SplitMix64 rng(5);
  const Matrix A = random_uniform(20, 20, rng), B = random_uniform(20, 20, rng);
  Matrix C(20, 20);
  gemm(Kernel::naive, A, B, C);
  EXPECT_EQ(last_gemm_call().kernel, Kernel::naive);
  EXPECT_EQ(last_gemm_call().path, "direct");
  gemm(Kernel::blocked, A, B, C);
  EXPECT_EQ(last_gemm_call().kernel, Kernel::blocked);
  EXPECT_EQ(last_gemm_call().path, "packed");
  gemm(Kernel::simd, A, B, C);
  EXPECT_EQ(last_gemm_call().kernel, resolve_kernel(Kernel::simd));
  EXPECT_EQ(last_gemm_call().parts, 1);
  gemm(Kernel::blocked, A, B, C, 0.0f, 2.0f);  // alpha = 0: no kernel runs
  EXPECT_EQ(last_gemm_call().path, "scale");
}

}  // namespace
}  // namespace gemmlab
