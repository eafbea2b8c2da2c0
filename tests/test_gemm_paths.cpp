// The internal paths behind the SIMD and blocked kernels, each tested on its
// own: packing, every micro-kernel through its contract, the Goto driver at
// its block edges, the unpacked small-matrix path and its crossover, and the
// thread pool. The public parameterised suites (test_gemm.cpp) cover the
// kernels end to end; these reach the pieces those may not exercise (edge
// tiles with every m and n, K > KC, N > NC, several threads, concurrent callers).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "core/memory.hpp"
#include "gemm/goto.hpp"
#include "gemm/kernels.hpp"
#include "gemm/small.hpp"
#include "gemm/threads.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

using testing::ThreadCountGuard;

using detail::index;
using detail::MicroKernel;
using detail::Operand;
using testing::GemmCase;

// The row-major problem the kernels see, from the short form's arguments.
detail::GemmProblem row_major_problem(int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                                      int ldb, float beta, float* C, int ldc) {
  detail::GemmProblem p;
  p.M = M;
  p.N = N;
  p.K = K;
  p.alpha = alpha;
  p.A = Operand{A, lda, 1};
  p.B = Operand{B, ldb, 1};
  p.beta = beta;
  p.C = C;
  p.ldc = ldc;
  return p;
}

// ---- packing -----------------------------------------------------------------------

TEST(Packing, PanelStrideKeepsEveryPanelOn64Bytes) {
  for (int tile : {4, 6, 8, 12, 14, 16, 32})
    for (int kc = 1; kc <= 40; ++kc) {
      const std::size_t s = detail::panel_stride(tile, kc);
      EXPECT_EQ(s % 16, 0u) << tile << "x" << kc;
      EXPECT_GE(s, static_cast<std::size_t>(tile) * kc);
      EXPECT_LT(s, static_cast<std::size_t>(tile) * kc + 16);
    }
}

// The source of an A block (lanes = rows of A) and of a B block (lanes =
// columns of B) in each of the three kinds pack_panels distinguishes. The
// matrix is stored in `storage`; element (w, p) of the source has the value
// value(w, p), never 0, and everything else in storage is NaN, so a read
// outside the block shows up as a NaN in the panel.
enum class SourceKind { steps_contiguous, lanes_contiguous, neither };
struct PackSource {
  std::vector<float> storage;
  Operand src;
};
float pack_value(index w, index p) { return static_cast<float>(1000 * w + p + 1); }
PackSource make_source(SourceKind kind, index lanes, int kc) {
  PackSource s;
  const index pad = 5;
  index ws = 0, ps = 0;  // strides of lanes and steps
  switch (kind) {
    case SourceKind::steps_contiguous:
      ps = 1, ws = kc + pad;
      break;  // A row-major (or B transposed)
    case SourceKind::lanes_contiguous:
      ws = 1, ps = lanes + pad;
      break;  // B row-major (or A transposed)
    case SourceKind::neither:
      ws = 2, ps = 2 * lanes + pad;
      break;  // a strided view
  }
  s.storage.assign(static_cast<std::size_t>((lanes - 1) * ws + (kc - 1) * ps + 1 + pad),
                   std::numeric_limits<float>::quiet_NaN());
  for (index w = 0; w < lanes; ++w)
    for (index p = 0; p < kc; ++p) s.storage[static_cast<std::size_t>(w * ws + p * ps)] = pack_value(w, p);
  s.src = Operand{s.storage.data(), ws, ps};
  return s;
}
const SourceKind all_source_kinds[] = {SourceKind::steps_contiguous, SourceKind::lanes_contiguous, SourceKind::neither};
const char* kind_name(SourceKind k) {
  return k == SourceKind::steps_contiguous   ? "steps contiguous"
         : k == SourceKind::lanes_contiguous ? "lanes contiguous"
                                             : "neither";
}

TEST(Packing, PanelLayoutAndZeroPaddingForEverySourceKind) {
  // 23 lanes x 9 steps in panels of 7 lanes (the last has 2 real lanes and 5
  // of zeros), and 37 x 5 in panels of 16: the layout of microkernel.hpp,
  // whatever the strides of the source.
  for (const auto& [lanes, kc, tile] : {std::tuple{23, 9, 7}, std::tuple{37, 5, 16}})
    for (SourceKind kind : all_source_kinds) {
      const PackSource s = make_source(kind, lanes, kc);
      const std::size_t stride = detail::panel_stride(tile, kc);
      const int panels = (lanes + tile - 1) / tile;
      std::vector<float> packed(stride * static_cast<std::size_t>(panels), -1.0f);
      detail::pack_panels(tile, lanes, kc, s.src, packed.data());
      for (int panel = 0; panel < panels; ++panel)
        for (int p = 0; p < kc; ++p)
          for (int w = 0; w < tile; ++w) {
            const int lane = panel * tile + w;
            const float expected = lane < lanes ? pack_value(lane, p) : 0.0f;
            ASSERT_EQ(packed[panel * stride + static_cast<std::size_t>(p) * tile + w], expected)
                << kind_name(kind) << ": panel " << panel << " step " << p << " lane " << w;
          }
    }
}

TEST(Packing, AlignedBufferIs64ByteAlignedAndOnlyGrows) {
  detail::AlignedBuffer buf;
  float* p = buf.reserve(100);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u);
  EXPECT_EQ(buf.reserve(50), p);  // smaller: same memory, no reallocation
  float* q = buf.reserve(100000);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(q) % 64, 0u);
  EXPECT_GE(buf.capacity(), 100000u);
}

TEST(Packing, LargeAllocationsStartOnA2MiBBoundary) {
  // core/memory.hpp: 1 MiB and more is aligned for 2 MiB pages; smaller
  // arrays only to a cache line. Every float of the array must be usable.
  for (const std::size_t count : {std::size_t{1}, std::size_t{1000}, detail::huge_page_bytes / 8 - 1,
                                  detail::huge_page_bytes / 8, std::size_t{3} << 20}) {
    float* p = detail::allocate_floats(count);
    ASSERT_NE(p, nullptr);
    const std::uintptr_t alignment =
        count * sizeof(float) >= detail::huge_page_bytes / 2 ? detail::huge_page_bytes : 64;
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignment, 0u) << count << " floats";
    p[0] = 1.0f;  // the first and the last float are writable (ASan checks the bounds)
    p[count - 1] = 2.0f;
    EXPECT_EQ(p[count - 1], 2.0f);
    std::free(p);
  }
  Matrix big(1024, 1024);  // 4 MiB: on 2 MiB pages where Linux grants them, and zero-initialised either way
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(big.data()) % detail::huge_page_bytes, 0u);
  EXPECT_EQ(big(1023, 1023), 0.0f);
}

// ---- the micro-kernels of the kernel table ------------------------------------------

TEST(MicroKernels, EveryOneIsConsistent) {
  ASSERT_FALSE(detail::micro_kernels().empty()) << "no micro-kernel compiled in";
  for (const MicroKernel* mk : detail::micro_kernels()) {
    SCOPED_TRACE(mk->name);
    EXPECT_GT(mk->mr, 0);
    EXPECT_GT(mk->nr, 0);
    EXPECT_GT(mk->blocking.kc, 0);
    EXPECT_EQ(mk->blocking.mc % mk->mr, 0) << "MC must be a multiple of MR";
    EXPECT_EQ(mk->blocking.nc % mk->nr, 0) << "NC must be a multiple of NR";
    EXPECT_NE(mk->fn, nullptr);
    EXPECT_EQ(mk->k_group, 1) << "float panels store one k value per lane";
  }
}

// ---- every micro-kernel, called directly through the contract ----------------------

// The parameter is the index into detail::micro_kernels(), which is derived
// from the kernel table: a micro-kernel added there is tested here without
// touching this file.
std::vector<int> micro_kernel_indices() {
  std::vector<int> out;
  for (std::size_t i = 0; i < detail::micro_kernels().size(); ++i) out.push_back(static_cast<int>(i));
  return out;
}
const MicroKernel& micro_kernel_at(int index) { return *detail::micro_kernels()[static_cast<std::size_t>(index)]; }
std::string micro_kernel_name(const ::testing::TestParamInfo<int>& info) { return micro_kernel_at(info.param).name; }

class EveryMicroKernel : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (!detail::isa_supported(micro_kernel_at(GetParam()).isa))
      GTEST_SKIP() << "micro-kernel " << micro_kernel_at(GetParam()).name << " needs an instruction set this CPU lacks";
  }
};

INSTANTIATE_TEST_SUITE_P(Table, EveryMicroKernel, ::testing::ValuesIn(micro_kernel_indices()), micro_kernel_name);

TEST_P(EveryMicroKernel, EveryEdgeTileThroughTheContract) {
  // For each depth kc, each tile size m x n (1..MR x 1..NR) and beta in {0, -0.75}:
  // packed panels of an m x kc A and a kc x n B (so the padding is zero), a C
  // tile inside a guard band (NaN-payload cells one row and column around it,
  // and between its rows), and C filled with NaN when beta == 0.
  const MicroKernel& cfg = micro_kernel_at(GetParam());
  const int MR = cfg.mr, NR = cfg.nr;
  SplitMix64 rng(4242);
  detail::AlignedBuffer a_buf, b_buf;
  for (int kc : {1, 3, 16, 67}) {
    float* a = a_buf.reserve(detail::panel_stride(MR, kc));
    float* b = b_buf.reserve(detail::panel_stride(NR, kc));
    for (int m = 1; m <= MR; ++m)
      for (int n = 1; n <= NR; ++n)
        for (float beta : {0.0f, -0.75f}) {
          std::vector<float> A(static_cast<std::size_t>(m) * kc), B(static_cast<std::size_t>(kc) * n);
          for (float& x : A) x = static_cast<float>(rng.uniform(-1, 1));
          for (float& x : B) x = static_cast<float>(rng.uniform(-1, 1));
          detail::pack_panels(MR, m, kc, Operand{A.data(), kc, 1}, a);
          detail::pack_panels(NR, n, kc, Operand{B.data(), 1, n}, b);
          const int ldc = n + 3, rows = m + 2;  // one guard row above and below, guard columns around
          std::vector<float> cbuf(static_cast<std::size_t>(rows) * ldc, testing::guard_value());
          float* c = cbuf.data() + ldc + 1;
          std::vector<double> c0(static_cast<std::size_t>(m) * n, 0.0);
          for (int i = 0; i < m; ++i)
            for (int j = 0; j < n; ++j) {
              const float v =
                  beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(rng.uniform(-1, 1));
              c[i * ldc + j] = v;
              c0[static_cast<std::size_t>(i) * n + j] = v;
            }
          const float alpha = 1.25f;
          cfg.fn(kc, alpha, a, b, beta, c, ldc, m, n);

          for (int r = 0; r < rows; ++r)
            for (int col = 0; col < ldc; ++col) {
              const bool inside = r >= 1 && r <= m && col >= 1 && col <= n;
              const float got = cbuf[static_cast<std::size_t>(r) * ldc + col];
              if (!inside) {
                ASSERT_TRUE(testing::is_guard(got)) << cfg.name << " wrote outside the " << m << "x" << n
                                                    << " tile at (" << r - 1 << "," << col - 1 << "), kc=" << kc;
                continue;
              }
              const int i = r - 1, j = col - 1;
              double exact = 0, abs_sum = 0;
              for (int p = 0; p < kc; ++p) {
                const double prod =
                    double(A[static_cast<std::size_t>(i) * kc + p]) * B[static_cast<std::size_t>(p) * n + j];
                exact += prod;
                abs_sum += std::fabs(prod);
              }
              exact *= alpha;
              abs_sum *= alpha;
              if (beta != 0.0f) {
                exact += beta * c0[static_cast<std::size_t>(i) * n + j];
                abs_sum += std::fabs(beta * c0[static_cast<std::size_t>(i) * n + j]);
              }
              // The micro-kernel is a whole gemm of depth kc: the same bound.
              ASSERT_LE(std::fabs(got - exact), gemm_error_bound(kc, abs_sum))
                  << cfg.name << " m=" << m << " n=" << n << " kc=" << kc << " beta=" << beta << " at (" << i << ","
                  << j << "): got " << got << ", exact " << exact;
            }
        }
  }
}

// Packs with the portable function and with a micro-kernel's own one into
// two buffers of `panels` panels of tile x kc floats (both filled with -1
// first) and checks that they agree on every float a micro-kernel reads.
template <class Portable, class Isa>
void expect_same_panels(int tile, int kc, int panels, Portable&& portable, Isa&& isa, const std::string& what) {
  const std::size_t stride = detail::panel_stride(tile, kc), total = stride * static_cast<std::size_t>(panels);
  detail::AlignedBuffer expected_buf, got_buf;
  float* expected = expected_buf.reserve(total);
  float* got = got_buf.reserve(total);
  std::fill(expected, expected + total, -1.0f);
  std::fill(got, got + total, -1.0f);
  portable(expected);
  isa(got);
  for (std::size_t panel = 0; panel < static_cast<std::size_t>(panels); ++panel)
    for (int x = 0; x < tile * kc; ++x)
      ASSERT_EQ(got[panel * stride + static_cast<std::size_t>(x)],
                expected[panel * stride + static_cast<std::size_t>(x)])
          << what << " panel " << panel << " offset " << x;
}

TEST_P(EveryMicroKernel, IsaPackingMatchesThePortableLayout) {
  // A micro-kernel may bring its own packing (e.g. AVX-512 copies and 16 x 16
  // transposes); it must produce exactly the portable layout, zero padding
  // included, from every kind of source (an A or B block as it lies,
  // transposed, or strided), and read nothing outside the block (the
  // source's other cells are NaN). kc covers one partial 16-step slice,
  // exactly one, one and a bit, and several plus a tail.
  const MicroKernel& mk = micro_kernel_at(GetParam());
  if (mk.pack_a == nullptr && mk.pack_b == nullptr) GTEST_SKIP() << mk.name << " uses the portable packing";
  for (const auto& [pack, tile, which] :
       {std::tuple{mk.pack_a, mk.mr, "pack_a"}, std::tuple{mk.pack_b, mk.nr, "pack_b"}}) {
    if (pack == nullptr) continue;
    for (int lanes : {1, tile - 1, tile, tile + 1, 2 * tile + 5, 3 * tile})
      for (int kc : {1, 2, 15, 16, 17, 32, 33, 67})
        for (SourceKind kind : all_source_kinds) {
          if (lanes < 1) continue;
          const PackSource s = make_source(kind, lanes, kc);
          expect_same_panels(
              tile, kc, (lanes + tile - 1) / tile,
              [&, tile = tile](float* out) { detail::pack_panels(tile, lanes, kc, s.src, out); },
              [&, pack = pack](float* out) { pack(lanes, kc, s.src, out); },
              std::string(mk.name) + " " + which + " " + kind_name(kind) + " lanes=" + std::to_string(lanes) +
                  " kc=" + std::to_string(kc));
        }
  }
}

// ---- the Goto driver at its block edges ---------------------------------------------

// The driver with every micro-kernel and with shrunken blocks (MC = 2 MR,
// KC = 8, NC = 2 NR), so that small problems cross every block boundary many
// times: several KC blocks accumulate into C (beta applied once), several MC
// and NC blocks, and edge tiles in both directions.
TEST_P(EveryMicroKernel, DriverWithSmallBlocksCrossesEveryBoundary) {
  MicroKernel cfg = micro_kernel_at(GetParam());
  cfg.blocking = {2 * cfg.mr, 8, 2 * cfg.nr};
  const int MR = cfg.mr, NR = cfg.nr, MC = cfg.blocking.mc, KC = cfg.blocking.kc, NC = cfg.blocking.nc;
  const std::vector<int> ms = {1, MR - 1, MR, MR + 1, MC - 1, MC, MC + 1, 2 * MC + 3};
  const std::vector<int> ns = {1, NR - 1, NR, NR + 1, NC - 1, NC, NC + 1, 2 * NC + 5};
  const std::vector<int> ks = {1, KC - 1, KC, KC + 1, 3 * KC + 2};
  auto driver = [&cfg](int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                       float* C, int ldc) {
    detail::goto_sgemm_serial(cfg, row_major_problem(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc));
  };
  int trial = 0;
  for (int M : ms)
    for (int N : ns)
      for (int K : ks) {
        if (M < 1 || N < 1) continue;
        GemmCase c{M,         N,         K,        trial % 3 == 0 ? -1.0f : 0.5f, trial % 2 == 0 ? 0.0f : 1.5f,
                   trial % 3, trial % 2, trial % 4};
        c.seed = 77 + static_cast<std::uint64_t>(trial++);
        const auto r = testing::run_case_with(c, driver);
        ASSERT_EQ(r.failures, 0) << cfg.name << ": " << c.describe() << ": " << r.first_failure;
        ASSERT_EQ(r.guard_hits, 0) << cfg.name << ": " << c.describe();
      }
}

TEST_P(EveryMicroKernel, DriverWithTheRealBlocksAcrossKCAndNC) {
  // The real block sizes: K > KC (two KC blocks, the second with beta = 1),
  // M > MC, and N > NC with a thin M so the case stays cheap.
  const MicroKernel& cfg = micro_kernel_at(GetParam());
  auto driver = [&cfg](int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                       float* C, int ldc) {
    detail::goto_sgemm_serial(cfg, row_major_problem(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc));
  };
  const GemmCase cases[] = {
      {cfg.blocking.mc + cfg.mr + 1, cfg.nr + 3, cfg.blocking.kc + 5, 1.0f, 0.5f, 1, 2, 3},
      {3, cfg.blocking.nc + cfg.nr + 7, cfg.blocking.kc + 1, -0.5f, 0.0f, 0, 1, 0},
  };
  for (const GemmCase& c : cases) {
    const auto r = testing::run_case_with(c, driver);
    EXPECT_EQ(r.failures, 0) << cfg.name << ": " << c.describe() << ": " << r.first_failure;
    EXPECT_EQ(r.guard_hits, 0) << cfg.name << ": " << c.describe();
  }
}

// ---- the AVX-512 small-matrix path ---------------------------------------------------

#if defined(GEMMLAB_HAVE_AVX512)
bool avx512_here() { return kernel_available(Kernel::simd_avx512); }

TEST(SmallPathAvx512, EveryShapeUpTo48Directly) {
  if (!avx512_here()) GTEST_SKIP() << "this CPU lacks AVX-512 (F, VL, BW, DQ)";
  // Called directly (not through the crossover): every tile height 1..14,
  // every tile width (16, 32, and 64 for C of at most 7 rows) and their
  // masked edges.
  int trial = 0;
  for (int M = 1; M <= 48; M += (M < 30 ? 1 : 5))
    for (int N = 1; N <= (M <= 7 ? 140 : 48); ++N)
      for (int K : {1, 7, 33}) {
        GemmCase c{M, N, K, 0.75f, trial % 2 == 0 ? 0.0f : -1.0f, trial % 3, trial % 2, trial % 5};
        c.seed = 300 + static_cast<std::uint64_t>(trial++);
        const auto r = testing::run_case_with(c, [](int M, int N, int K, float alpha, const float* A, int lda,
                                                    const float* B, int ldb, float beta, float* C, int ldc) {
          detail::sgemm_small_avx512(row_major_problem(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc));
        });
        ASSERT_EQ(r.failures, 0) << c.describe() << ": " << r.first_failure;
        ASSERT_EQ(r.guard_hits, 0) << c.describe();
      }
}

TEST(SmallPathAvx512, BothSidesOfTheCrossover) {
  if (!avx512_here()) GTEST_SKIP() << "this CPU lacks AVX-512 (F, VL, BW, DQ)";
  // Shapes just inside and just outside the small path, through the public
  // kernel: the dispatcher must take the path the crossover names (seen in
  // last_gemm_call()), and both must be right.
  const detail::SmallCrossover& crossover = detail::kernel_descriptor(Kernel::simd_avx512).small->crossover;
  const auto use_small = [&](int M, int N, int K) { return crossover.takes(M, N, K); };
  int inside = 0, outside = 0;
  for (int n = 8; n <= 400; n += 8)
    for (int M : {n - 1, n, n + 1}) {
      const bool small = use_small(M, n, n);
      const bool small_next = use_small(M, n + 8, n + 8);
      if (small == small_next) continue;  // not at the boundary
      for (int N : {n, n + 8}) {
        const GemmCase c{M, N, N, 1.0f, 0.25f, 1, 0, 2};
        const bool expect_small = use_small(M, N, N);
        (expect_small ? inside : outside)++;
        testing::expect_case_passes(Kernel::simd_avx512, c);
        EXPECT_EQ(last_gemm_call().path, expect_small ? "small" : "packed") << c.describe();
      }
    }
  EXPECT_GT(inside, 0) << "no shape on the small side of the crossover was tested";
  EXPECT_GT(outside, 0) << "no shape on the packed side of the crossover was tested";
}
#endif

// ---- threads ------------------------------------------------------------------------

TEST(ThreadPool, EveryPartRunsExactlyOnce) {
  for (int parts = 1; parts <= 5; ++parts) {
    std::vector<std::atomic<int>> runs(static_cast<std::size_t>(parts));
    auto task = [&](int part) { runs[static_cast<std::size_t>(part)].fetch_add(1); };
    for (int repeat = 0; repeat < 20; ++repeat) detail::run_parallel(parts, detail::TaskRef(task));
    for (int t = 0; t < parts; ++t) EXPECT_EQ(runs[static_cast<std::size_t>(t)].load(), 20) << "part " << t;
  }
}

TEST(ThreadPool, NestedCallsRunOnTheCaller) {
  // A task that itself asks for parallel work must not deadlock: it finds the
  // pool busy and runs its parts on its own thread.
  std::atomic<int> inner_runs{0};
  auto inner = [&](int) { inner_runs.fetch_add(1); };
  auto outer = [&](int) { detail::run_parallel(3, detail::TaskRef(inner)); };
  detail::run_parallel(2, detail::TaskRef(outer));
  EXPECT_EQ(inner_runs.load(), 6);
}

// From the kernel table, without asking the CPU (these lists are built
// when the test binary starts, also in the fresh processes of the settings
// tests, where asking the CPU throws on purpose): every threaded concrete
// kernel, and `simd`, which stands for one of them.
std::vector<Kernel> threaded_kernels() {
  std::vector<Kernel> out;
  for (Kernel k : all_kernels())
    if (k != Kernel::simd && kernel_threaded(k)) out.push_back(k);
  out.push_back(Kernel::simd);
  return out;
}

class ThreadedKernel : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Kernels, ThreadedKernel, ::testing::ValuesIn(threaded_kernels()), testing::param_name);

TEST_P(ThreadedKernel, OneTwoThreeThreadsAgreeWithTheReferenceAndBitForBit) {
  // Shapes large enough to be split (wide: by columns; tall: by rows), with
  // edges. Each element is computed by the same micro-kernel arithmetic in the
  // same order whichever thread owns its tile (tiles start at multiples of MR
  // and NR in every split), so the threaded results equal the 1-thread result
  // exactly; and each is within the bound of the exact product.
  ThreadCountGuard guard;
  const GemmCase shapes[] = {
      {100, 400, 530, 1.0f, 0.0f, 1, 2, 3},   // packed path (K > KC = 512 or 256: two KC blocks), split by columns
      {200, 130, 400, -0.5f, 2.0f, 0, 0, 1},  // packed path, split by rows (tall C)
      {40, 900, 480, 1.0f, 0.5f, 0, 3, 1},    // AVX-512: small path (skinny), split by columns
      {1000, 40, 450, 0.5f, 0.0f, 1, 0, 0},   // AVX-512: small path (skinny), split by rows
  };
  for (const GemmCase& c : shapes) {
    std::vector<float> results[3];
    for (int threads = 1; threads <= 3; ++threads) {
      set_num_threads(threads);
      testing::expect_case_passes(GetParam(), c);
      // The call really was split as asked (every shape is above both
      // threading thresholds and has more tiles than threads).
      EXPECT_EQ(last_gemm_call().parts, threads) << c.describe();
      // Run again, keeping the output for the bitwise comparison.
      SplitMix64 rng(c.seed);
      const Matrix A = random_uniform(c.M, c.K, rng), B = random_uniform(c.K, c.N, rng);
      Matrix C = random_uniform(c.M, c.N, rng);
      gemm(GetParam(), A, B, C, c.alpha, c.beta);
      results[threads - 1].assign(C.data(), C.data() + static_cast<std::size_t>(c.M) * c.N);
    }
    EXPECT_EQ(results[1], results[0]) << c.describe() << ": 2 threads differ from 1";
    EXPECT_EQ(results[2], results[0]) << c.describe() << ": 3 threads differ from 1";
  }
}

TEST_P(ThreadedKernel, ConcurrentCallersFromUserThreads) {
  // Four user threads call sgemm at once with num_threads() = 2: one of them
  // gets the pool, the others run on their own threads (threads.hpp). All
  // results must be right, and none may clobber another's packing buffers.
  // (K = 400.. keeps every SIMD kernel on its packed, threaded path.)
  ThreadCountGuard guard;
  set_num_threads(2);
  std::atomic<int> failures{0};
  std::vector<std::thread> users;
  users.reserve(4);
  for (int u = 0; u < 4; ++u)
    users.emplace_back([&, u] {
      for (int repeat = 0; repeat < 3; ++repeat) {
        GemmCase c{90 + 7 * u, 150 + 5 * u, 400 + 3 * repeat, 1.0f, 0.5f, 0, 0, 0};
        c.seed = 1000 + 10 * static_cast<std::uint64_t>(u) + static_cast<std::uint64_t>(repeat);
        const auto r = testing::run_case(GetParam(), c);
        if (r.failures != 0 || r.guard_hits != 0) failures.fetch_add(1);
      }
    });
  for (std::thread& t : users) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace gemmlab
