// sbgemm: every bf16 kernel, both layouts, every transpose, both kinds of
// input, against a double-precision reference computed from the
// bf16-rounded inputs (only the float sums may err: gemm_error_bound) and
// from the original float inputs (plus the inputs' rounding:
// bf16_input_rounding_bound); the packed-panel layout each micro-kernel
// reads; argument checks; the threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gemm/bf16_microkernel.hpp"
#include "gemm/kernels.hpp"
#include "gemmlab/bf16.hpp"
#include "gemmlab/cpu.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"
#include "gemmlab/sbgemm.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

using detail::index;
using testing::guard_value;
using testing::is_guard;

// The eight layout / transpose combinations.
struct Form {
  Layout layout;
  Transpose ta, tb;
};
std::vector<Form> all_forms() {
  std::vector<Form> out;
  for (Layout l : {Layout::row_major, Layout::col_major})
    for (Transpose ta : {Transpose::no_trans, Transpose::trans})
      for (Transpose tb : {Transpose::no_trans, Transpose::conj_trans}) out.push_back({l, ta, tb});
  return out;
}
std::string describe(const Form& f) {
  return std::string(f.layout == Layout::row_major ? "row" : "col") + (f.ta == Transpose::no_trans ? " N" : " T") +
         (f.tb == Transpose::no_trans ? "N" : "T");
}

enum class Data { zero_mean, positive_mean, small_integers };

// One stored matrix: rows x cols of op(X) kept in a buffer with guards.
// Element (r, c) of op(X) lives at offset(r, c).
struct Stored {
  int rows = 0, cols = 0, ld = 0;
  bool transposed = false;
  Layout layout = Layout::row_major;
  std::size_t guard = 32;
  std::size_t offset(int r, int c) const {
    const int sr = transposed ? c : r, sc = transposed ? r : c;  // the element as stored
    return guard + (layout == Layout::row_major ? static_cast<std::size_t>(sr) * ld + sc
                                                : static_cast<std::size_t>(sc) * ld + sr);
  }
  std::size_t size() const {
    const int sr = transposed ? cols : rows, sc = transposed ? rows : cols;
    const int lines = layout == Layout::row_major ? sr : sc;
    return 2 * guard + static_cast<std::size_t>(std::max(lines, 1)) * ld;
  }
};

Stored stored(Layout layout, Transpose t, int rows, int cols, int pad) {
  Stored s;
  s.rows = rows;
  s.cols = cols;
  s.layout = layout;
  s.transposed = t != Transpose::no_trans;
  const int sr = s.transposed ? cols : rows, sc = s.transposed ? rows : cols;
  s.ld = std::max(1, (layout == Layout::row_major ? sc : sr) + pad);
  return s;
}

float draw(SplitMix64& rng, Data data) {
  switch (data) {
    case Data::zero_mean:
      return static_cast<float>(rng.normal());
    case Data::positive_mean:
      return static_cast<float>(rng.uniform(0.0, 1.0));
    case Data::small_integers:
      return static_cast<float>(static_cast<int>(rng.next() % 9) - 4);
  }
  return 0.0f;
}

struct Case {
  int M = 1, N = 1, K = 1;
  float alpha = 1.0f, beta = 0.0f;
  Form form{Layout::row_major, Transpose::no_trans, Transpose::no_trans};
  Data data = Data::zero_mean;
  int pad = 3;
  std::uint64_t seed = 1;
  std::string text() const {
    std::ostringstream s;
    s << "M=" << M << " N=" << N << " K=" << K << " alpha=" << alpha << " beta=" << beta << " " << describe(form)
      << " data=" << static_cast<int>(data) << " seed=" << seed;
    return s.str();
  }
};

struct Outcome {
  int failures = 0;          // elements outside the bound against the rounded inputs
  int failures_vs_f32 = 0;   // ... against the original float inputs
  int guard_hits = 0;        // cells around C written
  double worst_ratio = 0.0;  // max |err| / bound (rounded inputs)
  double max_rel_vs_f32 = 0.0;
  std::string first_failure;
  std::vector<float> c;  // the result, row-major M x N
};

// Runs one case through sbgemm, each input stored as bf16 or as float
// (rounded by the kernel), and checks it against both references.
Outcome run(Kernel k, const Case& cs, bool float_a, bool float_b) {
  const Form& f = cs.form;
  const Stored sa = stored(f.layout, f.ta, cs.M, cs.K, cs.pad), sb = stored(f.layout, f.tb, cs.K, cs.N, cs.pad);
  const Stored sc = stored(f.layout, Transpose::no_trans, cs.M, cs.N, cs.pad);
  SplitMix64 rng(cs.seed);
  std::vector<float> a32(sa.size(), guard_value()), b32(sb.size(), guard_value());
  for (int r = 0; r < cs.M; ++r)
    for (int c = 0; c < cs.K; ++c) a32[sa.offset(r, c)] = draw(rng, cs.data);
  for (int r = 0; r < cs.K; ++r)
    for (int c = 0; c < cs.N; ++c) b32[sb.offset(r, c)] = draw(rng, cs.data);
  std::vector<bf16> a16(a32.size()), b16(b32.size());
  to_bf16(a32, a16);
  to_bf16(b32, b16);
  std::vector<float> cbuf(sc.size(), guard_value());
  for (int r = 0; r < cs.M; ++r)
    for (int c = 0; c < cs.N; ++c)
      cbuf[sc.offset(r, c)] = cs.beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : draw(rng, cs.data);
  const std::vector<float> c0 = cbuf;

  const float* A32 = a32.data() + sa.guard;
  const float* B32 = b32.data() + sb.guard;
  const bf16* A16 = a16.data() + sa.guard;
  const bf16* B16 = b16.data() + sb.guard;
  float* C = cbuf.data() + sc.guard;
  if (float_a && float_b)
    sbgemm(k, f.layout, f.ta, f.tb, cs.M, cs.N, cs.K, cs.alpha, A32, sa.ld, B32, sb.ld, cs.beta, C, sc.ld);
  else if (float_a)
    sbgemm(k, f.layout, f.ta, f.tb, cs.M, cs.N, cs.K, cs.alpha, A32, sa.ld, B16, sb.ld, cs.beta, C, sc.ld);
  else if (float_b)
    sbgemm(k, f.layout, f.ta, f.tb, cs.M, cs.N, cs.K, cs.alpha, A16, sa.ld, B32, sb.ld, cs.beta, C, sc.ld);
  else
    sbgemm(k, f.layout, f.ta, f.tb, cs.M, cs.N, cs.K, cs.alpha, A16, sa.ld, B16, sb.ld, cs.beta, C, sc.ld);

  Outcome out;
  std::vector<bool> inside(cbuf.size(), false);
  for (int r = 0; r < cs.M; ++r)
    for (int c = 0; c < cs.N; ++c) inside[sc.offset(r, c)] = true;
  for (std::size_t i = 0; i < cbuf.size(); ++i)
    if (!inside[i] && !is_guard(cbuf[i])) ++out.guard_hits;
  out.c.resize(static_cast<std::size_t>(cs.M) * cs.N);
  for (int i = 0; i < cs.M; ++i)
    for (int j = 0; j < cs.N; ++j) {
      double exact16 = 0, abs16 = 0, exact32 = 0, abs32 = 0;
      for (int p = 0; p < cs.K; ++p) {
        const double x16 = double(to_float(a16[sa.offset(i, p)])) * double(to_float(b16[sb.offset(p, j)]));
        const double x32 = double(a32[sa.offset(i, p)]) * double(b32[sb.offset(p, j)]);
        exact16 += x16;
        abs16 += std::fabs(x16);
        exact32 += x32;
        abs32 += std::fabs(x32);
      }
      const double alpha = cs.alpha, beta = cs.beta;
      const double cin = cs.beta == 0.0f ? 0.0 : double(c0[sc.offset(i, j)]);
      exact16 = alpha * exact16 + beta * cin;
      exact32 = alpha * exact32 + beta * cin;
      const double sum16 = std::fabs(alpha) * abs16 + std::fabs(beta * cin);
      const double reference_error = 2.0 * (cs.K + 2) * 0x1.0p-53 * (sum16 + std::fabs(alpha) * abs32);
      const double bound16 = gemm_error_bound(cs.K, sum16) + reference_error;
      const double bound32 = bound16 + bf16_input_rounding_bound(std::fabs(alpha) * abs32);
      const double got = cbuf[sc.offset(i, j)];
      out.c[static_cast<std::size_t>(i) * cs.N + j] = static_cast<float>(got);
      const double err16 = std::fabs(got - exact16), err32 = std::fabs(got - exact32);
      if (!(err16 <= bound16) && out.failures++ == 0) {
        std::ostringstream s;
        s << "C(" << i << "," << j << ") = " << got << ", exact from the bf16 inputs " << exact16 << ", |err| " << err16
          << " > bound " << bound16;
        out.first_failure = s.str();
      }
      if (!(err32 <= bound32)) ++out.failures_vs_f32;
      if (bound16 > 0) out.worst_ratio = std::max(out.worst_ratio, err16 / bound16);
      if (abs32 > 0) out.max_rel_vs_f32 = std::max(out.max_rel_vs_f32, err32 / (std::fabs(alpha) * abs32));
    }
  return out;
}

void expect_passes(Kernel k, const Case& cs, bool float_inputs) {
  const Outcome o = run(k, cs, float_inputs, float_inputs);
  const std::string where =
      std::string(kernel_name(k)) + (float_inputs ? " (float inputs) " : " (bf16 inputs) ") + cs.text();
  EXPECT_EQ(o.failures, 0) << where << ": " << o.first_failure;
  EXPECT_EQ(o.failures_vs_f32, 0) << where << ": outside the bound against the float inputs";
  EXPECT_EQ(o.guard_hits, 0) << where << ": wrote " << o.guard_hits << " cells outside C";
}

// ---- every bf16 kernel ------------------------------------------------------------

class Sbgemm : public ::testing::TestWithParam<Kernel> {};

std::string name_of(const ::testing::TestParamInfo<Kernel>& info) { return testing::param_name(info); }

// Shapes around every kernel's edges: tiles of 4x16, 14x32 and 32x32, k
// groups of 2 and 32, KC = 512, and beta / alpha variants.
TEST_P(Sbgemm, EveryLayoutTransposeAndInputWithinTheBound) {
  GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam());
  const Case shapes[] = {
      {1, 1, 1, 1.0f, 0.0f},    {3, 5, 7, 1.0f, 0.0f},    {14, 32, 2, 1.0f, 1.0f},    {15, 33, 33, -0.5f, 2.0f},
      {32, 32, 32, 1.0f, 1.0f}, {33, 31, 65, 1.5f, 0.0f}, {47, 70, 100, 1.0f, -1.0f}, {64, 64, 513, 1.0f, 0.5f},
  };
  std::uint64_t seed = 11;
  for (Case cs : shapes)
    for (const Form& f : all_forms()) {
      cs.form = f;
      cs.seed = seed++;
      expect_passes(GetParam(), cs, false);
      expect_passes(GetParam(), cs, true);
    }
}

// Small integers are exact in bf16, their products and sums exact in
// float: every kernel must give the exact result, so any misplaced element
// of a panel shows, whatever the bound would allow.
TEST_P(Sbgemm, SmallIntegersAreExactInEveryForm) {
  GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam());
  for (const Form& f : all_forms())
    for (const Case& shape : {Case{29, 45, 67}, Case{32, 64, 96}, Case{5, 3, 1}}) {
      Case cs = shape;
      cs.form = f;
      cs.data = Data::small_integers;
      const Outcome o = run(GetParam(), cs, false, false);
      EXPECT_EQ(o.guard_hits, 0) << cs.text();
      EXPECT_EQ(o.failures, 0) << cs.text() << ": " << o.first_failure;
      EXPECT_EQ(o.worst_ratio, 0.0) << cs.text() << ": an integer product was not exact";
    }
}

// Rounding while packing is exactly rounding first: a float input A (or
// B, or both) gives the all-bf16 entry's result on to_bf16(A), bit for bit
// (the same kernel adds the same numbers in the same order). In every form:
// a column-major call swaps A and B inside, and each must keep its storage.
TEST_P(Sbgemm, FloatInputsGiveTheResultOfTheirBf16Rounding) {
  GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam());
  for (const Form& f : all_forms()) {
    Case cs{37, 50, 77, 1.25f, 0.0f};
    cs.form = f;
    const Outcome from_bf16 = run(GetParam(), cs, false, false);
    EXPECT_EQ(from_bf16.c, run(GetParam(), cs, true, true).c) << cs.text() << " (float A and B)";
    EXPECT_EQ(from_bf16.c, run(GetParam(), cs, true, false).c) << cs.text() << " (float A, bf16 B)";
    EXPECT_EQ(from_bf16.c, run(GetParam(), cs, false, true).c) << cs.text() << " (bf16 A, float B)";
  }
}

// The error over K from 1 to thousands, zero-mean and positive-mean data.
// Against the bf16 inputs the bound grows with K; against the float inputs
// the rounding of the inputs dominates and does not grow with K.
TEST_P(Sbgemm, ErrorAgainstBothReferencesOverK) {
  GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam());
  const bool slow = GetParam() == Kernel::bf16_naive || GetParam() == Kernel::bf16_blocked;
  for (int K : {1, 2, 3, 31, 32, 33, 100, 1000, 4000})
    for (Data data : {Data::zero_mean, Data::positive_mean}) {
      Case cs{slow ? 8 : 24, slow ? 16 : 40, K, 1.0f, 0.0f};
      cs.data = data;
      cs.seed = static_cast<std::uint64_t>(K) * 3 + static_cast<std::uint64_t>(data);
      expect_passes(GetParam(), cs, true);
    }
}

// Every part of a threaded call computes its columns exactly as one thread
// would (the same panels, the same order): results identical bit for bit.
TEST_P(Sbgemm, TwoThreadsGiveTheResultOfOne) {
  GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam());
  if (!kernel_threaded(GetParam())) GTEST_SKIP() << kernel_name(GetParam()) << " is not threaded";
  testing::ThreadCountGuard restore;
  Case cs{300, 520, 300, 1.0f, 0.0f};
  set_num_threads(1);
  const Outcome one = run(GetParam(), cs, true, true);
  set_num_threads(2);
  const Outcome two = run(GetParam(), cs, true, true);
  EXPECT_EQ(last_gemm_call().parts, 2);
  EXPECT_EQ(one.c, two.c);
  EXPECT_EQ(two.failures, 0) << two.first_failure;
}

INSTANTIATE_TEST_SUITE_P(Bf16Kernels, Sbgemm, ::testing::ValuesIn(all_kernels(Precision::bf16)), name_of);

// ---- the packed panels ----------------------------------------------------------------

// Every bf16 micro-kernel's panels, packed by pack_bf16_panels, against
// the layout formula of bf16_microkernel.hpp: element (w, p) at
// (p / g) * W * g + w * g + p % g, zeros past the lanes and past kc. Packing
// is portable code, so this runs for every micro-kernel, AMX's included,
// on any machine. Each source value encodes its (lane, step).
// The number of panel elements that differ from the layout formula, for
// one packing of `lanes` x kc values. kind: 0 lanes contiguous (row stride
// 1), 1 steps contiguous (column stride 1), 2 neither (both strides >= 2).
// Each (lane, step) holds its own bf16 pattern, finite and exact in float,
// so both storages hold the same numbers and a misplaced one shows.
int misplaced_elements(int W, int g, int depth, int lanes, int kc, int kind, bool f32) {
  auto pattern = [](int w, int p) { return static_cast<std::uint16_t>(0x3000 + w * 71 + p); };
  const index ld = (kind == 0 ? lanes : kc) + 5;
  const index row_stride = kind == 0 ? 1 : kind == 1 ? ld : 2 * ld;
  const index col_stride = kind == 0 ? ld : kind == 1 ? 1 : 2;
  auto at = [&](int w, int p) { return static_cast<std::size_t>(w * row_stride + p * col_stride); };
  const std::size_t span = at(lanes - 1, kc - 1) + 1;
  std::vector<float> src32(span, -1.0f);
  std::vector<bf16> src16(span, to_bf16(-1.0f));
  for (int w = 0; w < lanes; ++w)
    for (int p = 0; p < kc; ++p) {
      src16[at(w, p)] = bf16{pattern(w, p)};
      src32[at(w, p)] = to_float(bf16{pattern(w, p)});
    }
  detail::Bf16Operand op;
  op.data = f32 ? static_cast<const void*>(src32.data()) : src16.data();
  op.storage = f32 ? detail::Storage::f32 : detail::Storage::bf16;
  op.row_stride = row_stride;
  op.col_stride = col_stride;
  const int panels = (lanes + W - 1) / W;
  const std::size_t stride = detail::bf16_panel_stride(W, depth);
  std::vector<bf16> packed(stride * panels, bf16{0x7fc1});
  detail::pack_bf16_panels(W, g, depth, lanes, kc, op, packed.data());
  int wrong = 0;
  for (int q = 0; q < panels; ++q)
    for (int w = 0; w < W; ++w)
      for (int p = 0; p < depth; ++p) {
        const std::size_t pos = q * stride + static_cast<std::size_t>(p / g) * W * g + static_cast<std::size_t>(w) * g +
                                static_cast<std::size_t>(p % g);
        const int lane = q * W + w;
        const bf16 want = lane < lanes && p < kc ? bf16{pattern(lane, p)} : bf16{0};
        if (!(packed[pos] == want)) ++wrong;
      }
  return wrong;
}

// Every bf16 micro-kernel's panels, packed by pack_bf16_panels, against
// the layout formula of bf16_microkernel.hpp: element (w, p) at
// (p / g) * W * g + w * g + p % g, zeros past the lanes and past kc. Packing
// is portable code, so this runs for every micro-kernel, AMX's included,
// on any machine.
TEST(Bf16Packing, EveryMicroKernelsPanelsFollowTheLayout) {
  for (const detail::Bf16MicroKernel* mk : detail::bf16_micro_kernels())
    for (const bool a_side : {true, false}) {
      const int W = a_side ? mk->mr : mk->nr, g = a_side ? mk->a_group : mk->b_group;
      for (const int lanes : {1, W - 1, W, 2 * W + 3})
        for (const int kc : {1, 2, 31, 33, 70})
          for (const int kind : {0, 1, 2})
            for (const bool f32 : {false, true})
              EXPECT_EQ(misplaced_elements(W, g, detail::panel_depth(*mk, kc), lanes, kc, kind, f32), 0)
                  << mk->name << (a_side ? " A" : " B") << " W=" << W << " g=" << g << " lanes=" << lanes
                  << " kc=" << kc << " kind=" << kind << " f32=" << f32;
    }
}

TEST(Bf16Packing, DepthIsAMultipleOfBothGroups) {
  for (const detail::Bf16MicroKernel* mk : detail::bf16_micro_kernels()) {
    EXPECT_EQ(mk->depth_multiple % mk->a_group, 0) << mk->name;
    EXPECT_EQ(mk->depth_multiple % mk->b_group, 0) << mk->name;
    EXPECT_EQ(mk->blocking.mc % mk->mr, 0) << mk->name;
    EXPECT_EQ(mk->blocking.nc % mk->nr, 0) << mk->name;
    EXPECT_EQ(mk->blocking.kc % mk->depth_multiple, 0) << mk->name;
  }
}

// ---- which kernels exist where -------------------------------------------------------

bool cpuinfo_has(const std::string& flag) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) return (line + " ").find(" " + flag + " ") != std::string::npos;
  return false;
}

// Nothing may run an instruction the CPU has not announced: where Linux's
// /proc/cpuinfo lacks a flag, the kernel that needs it must be unavailable.
TEST(Bf16Kernels, NeverAvailableWithoutTheirCpuFlags) {
  if (!std::ifstream("/proc/cpuinfo")) GTEST_SKIP() << "no /proc/cpuinfo here";
  if (!cpuinfo_has("avx512_bf16")) {
    EXPECT_FALSE(kernel_available(Kernel::bf16_avx512));
  }
  if (!cpuinfo_has("amx_bf16") || !cpuinfo_has("amx_tile")) {
    EXPECT_FALSE(kernel_available(Kernel::bf16_amx));
    EXPECT_NE(kernel_status(Kernel::bf16_amx).find("no: "), std::string::npos) << kernel_status(Kernel::bf16_amx);
  }
}

TEST(Bf16Kernels, SimdRunsTheBestAvailableBf16Kernel) {
  const Kernel best = resolve_kernel(Kernel::simd, Precision::bf16);
  EXPECT_TRUE(kernel_computes(best, Precision::bf16));
  EXPECT_TRUE(kernel_available(best));
  if (kernel_available(Kernel::bf16_amx))
    EXPECT_EQ(best, Kernel::bf16_amx);
  else if (kernel_available(Kernel::bf16_avx512))
    EXPECT_EQ(best, Kernel::bf16_avx512);
  else
    EXPECT_EQ(best, Kernel::bf16_blocked);
  std::vector<float> a(6, 1.0f), b(6, 1.0f), c(4, 0.0f);
  sbgemm(Kernel::simd, 2, 2, 3, 1.0f, a.data(), 3, b.data(), 2, 0.0f, c.data(), 2);
  EXPECT_EQ(last_gemm_call().kernel, best);
  EXPECT_EQ(c, std::vector<float>(4, 3.0f));
}

TEST(Bf16Kernels, TheFloatKernelListIsUnchanged) {
  for (Kernel k : all_kernels()) EXPECT_TRUE(kernel_computes(k, Precision::f32)) << kernel_name(k);
  for (Kernel k : all_kernels(Precision::bf16)) EXPECT_TRUE(kernel_computes(k, Precision::bf16)) << kernel_name(k);
  EXPECT_EQ(kernel_from_name("bf16-amx"), Kernel::bf16_amx);
}

// ---- argument checks ------------------------------------------------------------------

using testing::error_of;

TEST(SbgemmArguments, AreCheckedAsSgemmChecksThemAndCIsUntouched) {
  std::vector<bf16> a(64, to_bf16(1.0f)), b(64, to_bf16(1.0f));
  std::vector<float> c(64, 7.0f);
  const std::vector<float> before = c;
  const auto rm = Layout::row_major;
  const auto nt = Transpose::no_trans;
  EXPECT_EQ(error_of([&] { sbgemm(Kernel::simd, rm, nt, nt, -1, 2, 2, 1, a.data(), 2, b.data(), 2, 0, c.data(), 2); }),
            "sbgemm: negative size M=-1");
  EXPECT_EQ(
      error_of([&] { sbgemm(Kernel::simd, rm, nt, nt, 2, 2, 4, 1, a.data(), 3, b.data(), 2, 0, c.data(), 2); }),
      "sbgemm: lda=3 is smaller than 4, the length of A's stored rows (row-major, op(A) N, op(B) N, M=2 N=2 K=4)");
  EXPECT_EQ(error_of([&] {
              sbgemm(Kernel::simd, Layout::col_major, Transpose::trans, nt, 2, 2, 4, 1, a.data(), 3, b.data(), 4, 0,
                     c.data(), 2);
            }),
            "sbgemm: lda=3 is smaller than 4, the length of A's stored columns (col-major, op(A) T, op(B) N, M=2 N=2 "
            "K=4)");
  EXPECT_EQ(error_of([&] {
              sbgemm(Kernel::simd, rm, nt, nt, 2, 2, 2, 1, static_cast<const bf16*>(nullptr), 2, b.data(), 2, 0,
                     c.data(), 2);
            }),
            "sbgemm: A is null (row-major, op(A) N, op(B) N, M=2 N=2 K=2)");
  EXPECT_EQ(error_of([&] {
              sbgemm(Kernel::simd, static_cast<Layout>(7), nt, nt, 2, 2, 2, 1, a.data(), 2, b.data(), 2, 0, c.data(),
                     2);
            }),
            "sbgemm: layout=7 is neither row-major (101) nor col-major (102)");
  std::vector<float> a32(64, 1.0f);
  EXPECT_EQ(error_of([&] { sbgemm(Kernel::simd, 2, 2, 4, 1, a32.data(), 4, a32.data(), 1, 0, c.data(), 2); }),
            "sbgemm-f32in: ldb=1 is smaller than 2, the length of B's stored rows (row-major, op(A) N, op(B) N, M=2 "
            "N=2 K=4)");
  EXPECT_EQ(c, before);
}

TEST(SbgemmArguments, KernelsOfTheOtherPrecisionAreRefused) {
  std::vector<bf16> a(4, to_bf16(1.0f));
  std::vector<float> f(4, 1.0f), c(4, 7.0f);
  EXPECT_EQ(error_of([&] { sbgemm(Kernel::naive, 2, 2, 2, 1, a.data(), 2, a.data(), 2, 0, c.data(), 2); }),
            "sbgemm: kernel 'naive' multiplies float; sbgemm needs a bf16 kernel (bf16-naive, bf16-blocked, "
            "bf16-avx512, bf16-amx) or simd");
  EXPECT_EQ(error_of([&] { sgemm(Kernel::bf16_naive, 2, 2, 2, 1, f.data(), 2, f.data(), 2, 0, c.data(), 2); }),
            "sgemm: kernel 'bf16-naive' multiplies bf16 (sbgemm, gemmlab/sbgemm.hpp); sgemm needs a float kernel");
  EXPECT_EQ(c, std::vector<float>(4, 7.0f));
}

TEST(SbgemmArguments, ZeroSizesAndAlphaNeverReadTheInputs) {
  std::vector<float> c = {1, 2, 3, 4};
  sbgemm(Kernel::simd, 2, 2, 0, 1.0f, static_cast<const bf16*>(nullptr), 1, static_cast<const bf16*>(nullptr), 2, 2.0f,
         c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{2, 4, 6, 8}));
  sbgemm(Kernel::simd, 2, 2, 3, 0.0f, static_cast<const float*>(nullptr), 3, static_cast<const float*>(nullptr), 2,
         0.0f, c.data(), 2);
  EXPECT_EQ(c, (std::vector<float>{0, 0, 0, 0}));
}

// ---- a B packed once (PackedBf16Matrix) ----------------------------------------------

// The packed B gives bit for bit what sbgemm gives with the same kernel (the
// same panels, the same order), for every layout and transpose of B, K
// deeper than KC (several depth blocks), N wider than NC (several column
// blocks), float and bf16 sources, on 1 and 2 threads.
TEST_P(Sbgemm, APackedBGivesTheResultOfSbgemmBitForBit) {
  GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam());
  if (kernel_micro_kernel(GetParam()).empty()) GTEST_SKIP() << kernel_name(GetParam()) << " has no packed panels";
  testing::ThreadCountGuard restore;
  struct Shape {
    int M, N, K;
  };
  for (const Shape sh : {Shape{5, 37, 70}, Shape{33, 70, 600}, Shape{3, 4200, 20}, Shape{300, 520, 300}})
    for (Layout layout : {Layout::row_major, Layout::col_major})
      for (Transpose tb : {Transpose::no_trans, Transpose::trans})
        for (const bool f32 : {false, true})
          for (const int threads : {1, 2}) {
            if (threads == 2 && sh.M != 300) continue;
            set_num_threads(threads);
            SplitMix64 rng(static_cast<std::uint64_t>(sh.N + sh.K));
            const Stored sb = stored(layout, tb, sh.K, sh.N, 3);
            std::vector<float> b32(sb.size(), 0.0f), a(static_cast<std::size_t>(sh.M) * sh.K);
            for (int r = 0; r < sh.K; ++r)
              for (int c = 0; c < sh.N; ++c) b32[sb.offset(r, c)] = static_cast<float>(rng.normal());
            for (float& x : a) x = static_cast<float>(rng.normal());
            std::vector<bf16> b16(b32.size());
            to_bf16(b32, b16);
            std::vector<float> c_packed(static_cast<std::size_t>(sh.M) * sh.N, 1.0f), c_plain = c_packed;
            // The plain call, in row-major terms: op(B) as stored.
            const float* B32 = b32.data() + sb.guard;
            const bf16* B16 = b16.data() + sb.guard;
            {
              const PackedBf16Matrix packed = f32 ? PackedBf16Matrix(GetParam(), layout, tb, sh.K, sh.N, B32, sb.ld)
                                                  : PackedBf16Matrix(GetParam(), layout, tb, sh.K, sh.N, B16, sb.ld);
              EXPECT_EQ(packed.kernel(), resolve_kernel(GetParam(), Precision::bf16));
              b32.assign(b32.size(),
                         std::numeric_limits<float>::quiet_NaN());  // the source is not needed after packing
              sbgemm(sh.M, 0.5f, a.data(), sh.K, packed, 2.0f, c_packed.data(), sh.N);
              EXPECT_EQ(last_gemm_call().path, std::string_view("prepacked"));
            }
            // The same product through sbgemm, B rebuilt (b32 was overwritten) from b16 when f32.
            std::vector<float> b_again(b16.size());
            to_float(b16, b_again);
            const Layout l = layout;
            // sbgemm takes the layout of all three matrices; A and C are row-major here, so give B in
            // row-major terms: a column-major B is a row-major one transposed.
            const bool col = l == Layout::col_major;
            const Transpose tb_row = (tb == Transpose::no_trans) != col ? Transpose::no_trans : Transpose::trans;
            if (f32)
              sbgemm(GetParam(), Layout::row_major, Transpose::no_trans, tb_row, sh.M, sh.N, sh.K, 0.5f, a.data(), sh.K,
                     b_again.data() + sb.guard, sb.ld, 2.0f, c_plain.data(), sh.N);
            else
              sbgemm(GetParam(), Layout::row_major, Transpose::no_trans, tb_row, sh.M, sh.N, sh.K, 0.5f, a.data(), sh.K,
                     B16, sb.ld, 2.0f, c_plain.data(), sh.N);
            EXPECT_EQ(c_packed, c_plain) << "M=" << sh.M << " N=" << sh.N << " K=" << sh.K << " "
                                         << (col ? "col" : "row") << (tb == Transpose::no_trans ? " N" : " T")
                                         << (f32 ? " float" : " bf16") << " threads=" << threads;
          }
}

TEST(PackedBf16Matrix, BadArgumentsAreRefusedNamingThem) {
  std::vector<bf16> b(64, to_bf16(1.0f));
  const auto rm = Layout::row_major;
  const auto nt = Transpose::no_trans;
  EXPECT_EQ(error_of([&] { PackedBf16Matrix(Kernel::simd, rm, nt, 4, 8, b.data(), 7); }),
            "PackedBf16Matrix: ldb=7 is smaller than 8, the length of B's stored rows");
  EXPECT_EQ(error_of([&] { PackedBf16Matrix(Kernel::simd, Layout::col_major, nt, 4, 8, b.data(), 3); }),
            "PackedBf16Matrix: ldb=3 is smaller than 4, the length of B's stored columns");
  EXPECT_EQ(error_of([&] { PackedBf16Matrix(Kernel::simd, rm, nt, -1, 8, b.data(), 8); }),
            "PackedBf16Matrix: negative size K=-1");
  EXPECT_EQ(error_of([&] { PackedBf16Matrix(Kernel::simd, rm, nt, 4, 8, static_cast<const bf16*>(nullptr), 8); }),
            "PackedBf16Matrix: B is null");
  EXPECT_EQ(error_of([&] { PackedBf16Matrix(Kernel::bf16_naive, rm, nt, 4, 8, b.data(), 8); }),
            "PackedBf16Matrix: kernel 'bf16-naive' has no packed panels (a packed bf16 kernel: bf16-blocked, "
            "bf16-avx512, bf16-amx or simd)");
  EXPECT_EQ(error_of([&] { PackedBf16Matrix(Kernel::blocked, rm, nt, 4, 8, b.data(), 8); }),
            "PackedBf16Matrix: kernel 'blocked' multiplies float");
  const PackedBf16Matrix packed(Kernel::simd, rm, nt, 4, 8, b.data(), 8);
  EXPECT_EQ(packed.rows(), 4);
  EXPECT_EQ(packed.cols(), 8);
  std::vector<float> a(32, 1.0f), c(64, 7.0f);
  const std::vector<float> before = c;
  EXPECT_EQ(error_of([&] { sbgemm(2, 1.0f, a.data(), 3, packed, 0.0f, c.data(), 8); }),
            "sbgemm-packed: lda=3 is smaller than 4, the length of A's stored rows (row-major, op(A) N, op(B) N, M=2 "
            "N=8 K=4)");
  EXPECT_EQ(error_of([&] { sbgemm(2, 1.0f, a.data(), 4, packed, 0.0f, c.data(), 7); }),
            "sbgemm-packed: ldc=7 is smaller than 8, the length of C's stored rows (row-major, op(A) N, op(B) N, M=2 "
            "N=8 K=4)");
  EXPECT_EQ(c, before);
  sbgemm(2, 1.0f, a.data(), 4, packed, 0.0f, c.data(), 8);  // all ones: every element is K = 4
  EXPECT_EQ(std::vector<float>(c.begin(), c.begin() + 16), std::vector<float>(16, 4.0f));
}

}  // namespace
}  // namespace gemmlab
