// The public entry points: check the arguments once, describe both operands
// by their strides (problem.hpp), turn a column-major call into the
// row-major one it equals, handle the trivial cases, then hand a
// well-formed problem to the chosen kernel.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

#include "gemm/blocking.hpp"
#include "gemm/call_record.hpp"
#include "gemm/dispatch.hpp"
#include "gemm/goto.hpp"
#include "gemm/threads.hpp"
#include "rnn/activation.hpp"

namespace gemmlab::detail {

bool SmallCrossover::takes(index M, index N, index K) const {
  const double volume = static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K);
  const bool small_cube = volume <= max_cube_volume && K <= max_cube_k;
  const bool skinny = (M <= max_skinny_side || N <= max_skinny_side) && K <= max_skinny_k;
  const bool shallow = K <= max_shallow_k && K * N <= max_shallow_kn;
  return small_cube || skinny || shallow;
}

CallRecord& call_record() {
  thread_local CallRecord record;
  return record;
}

namespace {

thread_local Kernel last_kernel = Kernel::naive;

// Rows of op(A) as stored in memory... in the reference BLAS's words: the
// number of rows of A as it lies (column-major), i.e. the minimum lda there.
index stored_rows_a(const SgemmCall& c) { return notrans(c.trans_a) ? c.M : c.K; }
index stored_rows_b(const SgemmCall& c) { return notrans(c.trans_b) ? c.K : c.N; }

// The minimum leading dimensions, by the table in gemmlab/gemm.hpp.
int min_ld(index elements) { return elements > 1 ? static_cast<int>(elements) : 1; }
int min_lda(const SgemmCall& c) {
  if (c.layout == Layout::col_major) return min_ld(stored_rows_a(c));
  return min_ld(notrans(c.trans_a) ? c.K : c.M);
}
int min_ldb(const SgemmCall& c) {
  if (c.layout == Layout::col_major) return min_ld(stored_rows_b(c));
  return min_ld(notrans(c.trans_b) ? c.N : c.K);
}
int min_ldc(const SgemmCall& c) { return min_ld(c.layout == Layout::col_major ? c.M : c.N); }

std::string text(int v) { return std::to_string(v); }

const char* layout_name(Layout l) { return l == Layout::col_major ? "col-major" : "row-major"; }
const char* trans_letter(Transpose t) { return t == Transpose::trans ? "T" : t == Transpose::conj_trans ? "C" : "N"; }

// Runs a resolved kernel on a checked problem, recording the path. (Here,
// beside its only caller, so that the compiler can inline it: every
// function call on the way to the kernel shows in a 4 x 4 x 4 product.)
[[gnu::always_inline]] inline void run_kernel(const ResolvedKernel& r, const GemmProblem& p,
                                              const PrepackedPanels* panels) {
  const KernelDescriptor& d = *r.descriptor;
  CallRecord& record = call_record();
  if (d.direct != nullptr) {
    record.path = "direct";
    d.direct(p);
    if (p.epilogue != nullptr) apply_epilogue(*p.epilogue, p.C, p.ldc, p.M, p.N, p.b_col0);  // (not fused)
    return;
  }
  if (d.small != nullptr && d.small->crossover.takes(p.M, p.N, p.K)) {
    record.path = "small";
    record.parts = split_between_threads(p, d.small->row_tile, d.small->col_tile, d.small->min_parallel_flops,
                                         [&](const GemmProblem& block) { d.small->run(block); });
    return;
  }
  if (panels != nullptr) {
    record.path = "prepacked";
    record.parts = goto_sgemm_prepacked(*r.micro, p, *panels);
    return;
  }
  record.path = "packed";
  record.parts = goto_sgemm(*r.micro, p);
}

// The row-major problem that the call equals (describe_operands), and runs
// it. `panels`: B's five-loop panels, for a call with a PackedMatrix (whose
// row-major copy, if it has one, is the call's B).
[[gnu::always_inline]] inline void run_problem(const ResolvedKernel& kernel, const SgemmCall& c,
                                               const PrepackedPanels* panels = nullptr,
                                               const Epilogue* epilogue = nullptr) {
  CallRecord& record = call_record();
  last_kernel = kernel.descriptor->id;
  GemmProblem p;
  if (!prepare_problem(c, p, record)) {
    // Nothing to multiply (C := beta * C done, or C empty); the epilogue
    // still applies to every element (a row-major C: only the packed form
    // takes an epilogue).
    if (epilogue != nullptr) apply_epilogue(*epilogue, c.C, c.ldc, c.M, c.N, 0);
    return;
  }
  p.epilogue = epilogue;
  run_kernel(kernel, p, panels);
}

// The same with GEMMLAB_VERBOSE's line.
[[gnu::noinline]] void run_verbose(const ResolvedKernel& kernel, const SgemmCall& call,
                                   const PrepackedPanels* panels = nullptr, const Epilogue* epilogue = nullptr) {
  const auto start = std::chrono::steady_clock::now();
  run_problem(kernel, call, panels, epilogue);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const CallRecord& record = call_record();
  // A fused epilogue shows after the path: kernel=simd-avx512/small+bias-tanh.
  std::string path = record.path;
  if (epilogue != nullptr) path += epilogue->op == Epilogue::Op::bias_relu ? "+bias-relu" : "+bias-tanh";
  print_verbose(call, std::string(kernel.descriptor->name).c_str(), path.c_str(), record.parts, seconds);
}

}  // namespace

void scale_c(index M, index N, float beta, float* C, index ldc) {
  if (beta == 1.0f) return;
  for (index i = 0; i < M; ++i) {
    float* c = C + i * ldc;
    for (index j = 0; j < N; ++j) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
  }
}

void print_verbose(const SgemmCall& c, const char* kernel, const char* path, int parts, double seconds) {
  const double flops = 2.0 * c.M * c.N * c.K;
  const double gflops = seconds > 0 && c.K > 0 && c.alpha != 0.0f ? flops / seconds * 1e-9 : 0.0;
  // One fprintf per call: a line is written whole even when threads print at once.
  std::fprintf(stderr,
               "gemmlab: %s %s trans_a=%s trans_b=%s M=%d N=%d K=%d lda=%d ldb=%d ldc=%d alpha=%g beta=%g "
               "kernel=%s/%s threads=%d time_us=%.2f gflops=%.2f\n",
               c.entry, layout_name(c.layout), trans_letter(c.trans_a), trans_letter(c.trans_b), c.M, c.N, c.K, c.lda,
               c.ldb, c.ldc, static_cast<double>(c.alpha), static_cast<double>(c.beta), kernel, path, parts,
               seconds * 1e6, gflops);
}

void record_last_kernel(Kernel k) { last_kernel = k; }

std::string cannot_run_message(const char* entry, Kernel k) {
  const std::string head = std::string(entry) + ": kernel '" + std::string(kernel_name(k)) + "' ";
  if (kernel_descriptor(k).element != ElementType::f32)
    return head + "multiplies bf16 (sbgemm, gemmlab/sbgemm.hpp); " + entry + " needs a float kernel";
  return head + "is not available here: " + kernel_status(k);
}

namespace {

// The checks, inline in the C++ entry points (a call here shows in a
// 4 x 5 x 3 product); first_bad_argument is the same for the C ABI.
[[gnu::always_inline]] inline BadArgument check_arguments(const SgemmCall& c) {
  if (!valid(c.layout)) return BadArgument::layout;
  if (!valid(c.trans_a)) return BadArgument::trans_a;
  if (!valid(c.trans_b)) return BadArgument::trans_b;
  if (c.M < 0) return BadArgument::m;
  if (c.N < 0) return BadArgument::n;
  if (c.K < 0) return BadArgument::k;
  if (c.lda < min_lda(c)) return BadArgument::lda;
  if (c.ldb < min_ldb(c)) return BadArgument::ldb;
  if (c.ldc < min_ldc(c)) return BadArgument::ldc;
  const bool reads_ab = c.M > 0 && c.N > 0 && c.K > 0 && c.alpha != 0.0f;
  if (reads_ab && c.A == nullptr) return BadArgument::a;
  if (reads_ab && c.B == nullptr) return BadArgument::b;
  if (c.M > 0 && c.N > 0 && c.C == nullptr) return BadArgument::c;
  return BadArgument::none;
}

}  // namespace

BadArgument first_bad_argument(const SgemmCall& c) { return check_arguments(c); }

std::string bad_argument_message(BadArgument bad, const SgemmCall& c) {
  const std::string where = std::string(c.entry) + ": ";
  const std::string shape = std::string(" (") + layout_name(c.layout) + ", op(A) " + trans_letter(c.trans_a) +
                            ", op(B) " + trans_letter(c.trans_b) + ", M=" + text(c.M) + " N=" + text(c.N) +
                            " K=" + text(c.K) + ")";
  switch (bad) {
    case BadArgument::none:
      return where + "no error";
    case BadArgument::layout:
      return where + "layout=" + text(static_cast<int>(c.layout)) + " is neither row-major (101) nor col-major (102)";
    case BadArgument::trans_a:
      return where + "trans_a=" + text(static_cast<int>(c.trans_a)) +
             " is not no_trans (111), trans (112) or conj_trans (113)";
    case BadArgument::trans_b:
      return where + "trans_b=" + text(static_cast<int>(c.trans_b)) +
             " is not no_trans (111), trans (112) or conj_trans (113)";
    case BadArgument::m:
      return where + "negative size M=" + text(c.M);
    case BadArgument::n:
      return where + "negative size N=" + text(c.N);
    case BadArgument::k:
      return where + "negative size K=" + text(c.K);
    case BadArgument::lda:
      return where + "lda=" + text(c.lda) + " is smaller than " + text(min_lda(c)) + ", the length of A's stored " +
             (c.layout == Layout::row_major ? "rows" : "columns") + shape;
    case BadArgument::ldb:
      return where + "ldb=" + text(c.ldb) + " is smaller than " + text(min_ldb(c)) + ", the length of B's stored " +
             (c.layout == Layout::row_major ? "rows" : "columns") + shape;
    case BadArgument::ldc:
      return where + "ldc=" + text(c.ldc) + " is smaller than " + text(min_ldc(c)) + ", the length of C's stored " +
             (c.layout == Layout::row_major ? "rows" : "columns") + shape;
    case BadArgument::a:
      return where + "A is null" + shape;
    case BadArgument::b:
      return where + "B is null" + shape;
    case BadArgument::c:
      return where + "C is null for a " + shape_string(c.M, c.N) + " result";
  }
  return where + "bad argument";
}

OperandStrides check_packed_source(const char* where, Layout layout, Transpose trans, int K, int N, const void* B,
                                   int ldb) {
  require_valid_settings();
  const std::string head = std::string(where) + ": ";
  if (!valid(layout))
    throw std::invalid_argument(head + "layout=" + text(static_cast<int>(layout)) +
                                " is neither row-major (101) nor col-major (102)");
  if (!valid(trans))
    throw std::invalid_argument(head + "trans=" + text(static_cast<int>(trans)) +
                                " is not no_trans (111), trans (112) or conj_trans (113)");
  if (K < 0 || N < 0) throw std::invalid_argument(head + "negative size " + (K < 0 ? "K=" + text(K) : "N=" + text(N)));
  // The length of a stored row (row-major) or column (column-major).
  const bool rows_along_memory = (layout == Layout::row_major) == notrans(trans);
  const int stored_line = min_ld(rows_along_memory ? N : K);
  if (ldb < stored_line)
    throw std::invalid_argument(head + "ldb=" + text(ldb) + " is smaller than " + text(stored_line) +
                                ", the length of B's stored " + (layout == Layout::row_major ? "rows" : "columns"));
  if (B == nullptr && K > 0 && N > 0) throw std::invalid_argument(head + "B is null");
  if (rows_along_memory) return {ldb, 1};  // op(B)'s rows lie along memory
  return {1, ldb};
}

void run_checked(const ResolvedKernel& kernel, const SgemmCall& call) {
  if (!verbose_enabled()) {
    run_problem(kernel, call);
    return;
  }
  run_verbose(kernel, call);
}

}  // namespace gemmlab::detail

namespace gemmlab {
namespace {

// Checks, resolves and runs one call from the C++ API; errors throw.
[[gnu::always_inline]] inline void checked_call(Kernel k, const detail::SgemmCall& call) {
  detail::require_valid_settings();  // a bad GEMMLAB_NUM_THREADS or GEMMLAB_DISABLE_ISA fails every call alike
  const detail::BadArgument bad = detail::check_arguments(call);
  if (bad != detail::BadArgument::none) [[unlikely]]
    throw std::invalid_argument(detail::bad_argument_message(bad, call));
  // The table, kept here once: looking it up through resolved() is a call
  // that shows in a 4 x 4 x 4 product.
  static const std::span<const detail::ResolvedKernel> table = detail::resolved_kernels();
  const auto i = static_cast<std::size_t>(k);
  const detail::ResolvedKernel& kernel = i < table.size() ? table[i] : detail::resolved(k);  // (throws)
  if (!kernel.sgemm_runs) [[unlikely]]
    throw std::invalid_argument(detail::cannot_run_message(call.entry, k));
  if (!detail::verbose_enabled())
    detail::run_problem(kernel, call);
  else
    detail::run_verbose(kernel, call);
}

// The first and one-past-the-last float a view's elements occupy.
struct Span {
  const float* first;
  const float* last;
};
Span extent(ConstMatrixView v) {
  const float* first = v.data();
  return {first, first + static_cast<std::ptrdiff_t>(v.rows() - 1) * v.ld() + v.cols()};
}

// Whether two views share an element. Views with the same leading
// dimension are sub-blocks of one row-major layout, and the test is exact
// (two blocks of one matrix side by side do not overlap); with different
// leading dimensions it is whether their address ranges meet.
bool overlap(ConstMatrixView x, ConstMatrixView y) {
  if (x.empty() || y.empty()) return false;
  const Span a = extent(x), b = extent(y);
  if (a.last <= b.first || b.last <= a.first) return false;
  if (x.ld() != y.ld()) return true;
  // Element (i, j) of x is element (i', j') of y when
  // (i - i') * ld + (j - j') = y.data - x.data = d. Write d = q * ld + r,
  // 0 <= r < ld: then either j - j' = r and i - i' = q, or j - j' = r - ld
  // and i - i' = q + 1. Each needs a j in [0, x.cols), j' in [0, y.cols),
  // and rows i, i' inside both views.
  const std::ptrdiff_t ld = x.ld(), d = y.data() - x.data();
  std::ptrdiff_t q = d / ld, r = d % ld;
  if (r < 0) {
    r += ld;
    q -= 1;
  }
  auto rows_meet = [&](std::ptrdiff_t shift) {  // i - i' = shift for some i < x.rows, i' < y.rows
    return shift > -static_cast<std::ptrdiff_t>(y.rows()) && shift < x.rows();
  };
  auto cols_meet = [&](std::ptrdiff_t shift) {  // j - j' = shift for some j < x.cols, j' < y.cols
    return shift > -static_cast<std::ptrdiff_t>(y.cols()) && shift < x.cols();
  };
  return (cols_meet(r) && rows_meet(q)) || (cols_meet(r - ld) && rows_meet(q + 1));
}

}  // namespace

void sgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
           const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  checked_call(k, {"sgemm", layout, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc});
}

void sgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
           float* C, int ldc) {
  checked_call(k, {"sgemm", Layout::row_major, Transpose::no_trans, Transpose::no_trans, M, N, K, alpha, A, lda, B, ldb,
                   beta, C, ldc});
}

void gemm(Kernel k, GemmOperand A, GemmOperand B, MatrixView C, float alpha, float beta) {
  if (A.cols() != B.rows())
    throw shape_error("gemm: op(A) is " + shape_string(A.rows(), A.cols()) + " but op(B) is " +
                      shape_string(B.rows(), B.cols()) + " (op(A).cols must equal op(B).rows)");
  if (C.rows() != A.rows() || C.cols() != B.cols())
    throw shape_error("gemm: C is " + shape_string(C.rows(), C.cols()) + " but op(A) op(B) is " +
                      shape_string(A.rows(), B.cols()) + " (op(A) is " + shape_string(A.rows(), A.cols()) +
                      ", op(B) is " + shape_string(B.rows(), B.cols()) + ")");
  for (const auto& [input, name] : {std::pair{A.view(), "A"}, std::pair{B.view(), "B"}})
    if (overlap(input, C))
      throw std::invalid_argument(std::string("gemm: C overlaps ") + name +
                                  " (C is written while it is read: the result would be wrong)");
  const Transpose ta = A.is_transposed() ? Transpose::trans : Transpose::no_trans;
  const Transpose tb = B.is_transposed() ? Transpose::trans : Transpose::no_trans;
  checked_call(k, {"gemm", Layout::row_major, ta, tb, A.rows(), B.cols(), A.cols(), alpha, A.view().data(),
                   A.view().ld(), B.view().data(), B.view().ld(), beta, C.data(), C.ld()});
}

void sgemm_with_blocks(Kernel k, BlockSizes blocks, int M, int N, int K, float alpha, const float* A, int lda,
                       const float* B, int ldb, float beta, float* C, int ldc) {
  const detail::SgemmCall call{"sgemm_with_blocks",
                               Layout::row_major,
                               Transpose::no_trans,
                               Transpose::no_trans,
                               M,
                               N,
                               K,
                               alpha,
                               A,
                               lda,
                               B,
                               ldb,
                               beta,
                               C,
                               ldc};
  detail::require_valid_settings();
  const detail::BadArgument bad = detail::check_arguments(call);
  if (bad != detail::BadArgument::none) throw std::invalid_argument(detail::bad_argument_message(bad, call));
  const detail::ResolvedKernel& kernel = detail::resolved(k, detail::ElementType::f32);
  if (!kernel.sgemm_runs) throw std::invalid_argument(detail::cannot_run_message(call.entry, k));
  if (kernel.micro == nullptr)
    throw std::invalid_argument(std::string(call.entry) + ": kernel '" + std::string(kernel_name(k)) +
                                "' has no cache blocks (it does not run the five-loop driver)");
  const detail::MicroKernel& mk = *kernel.micro;
  const detail::Blocking given{.mc = blocks.mc, .kc = blocks.kc, .nc = blocks.nc};
  const std::string problem = detail::block_sizes_problem(given);
  if (!problem.empty()) throw std::invalid_argument(std::string(call.entry) + ": " + problem);
  const detail::Blocking rounded =
      detail::apply_override(given, {.mc = given.mc, .kc = given.kc, .nc = given.nc}, mk.mr, mk.nr);

  const auto start = std::chrono::steady_clock::now();
  detail::CallRecord& record = detail::call_record();
  detail::record_last_kernel(kernel.descriptor->id);
  detail::GemmProblem p;
  if (detail::prepare_problem(call, p, record)) {
    record.path = "packed";
    detail::goto_sgemm_serial(mk, rounded, p);
  }
  if (detail::verbose_enabled()) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    detail::print_verbose(call, std::string(kernel.descriptor->name).c_str(), record.path, record.parts, seconds);
  }
}

// ---- PackedMatrix --------------------------------------------------------------

struct PackedMatrix::Packed {
  const detail::ResolvedKernel* resolved = nullptr;
  int K = 0, N = 0;
  // The packed kernels' five-loop panels (empty for a teaching kernel, or K
  // or N = 0), and the row-major copy that a teaching kernel or a small
  // path reads (rows ld floats apart; empty for a kernel that has neither).
  detail::PrepackedPanels panels;
  bool has_panels = false;
  detail::AlignedBuffer rows;
  int ld = 1;
};

namespace {

// The distance between a row-major copy's rows: whole vectors (16 floats),
// and never a multiple of 128 floats (512 bytes; gemm.hpp says why).
int padded_ld(int N) {
  const int ld = (std::max(N, 1) + 15) / 16 * 16;
  return ld % 128 == 0 ? ld + 16 : ld;
}

std::shared_ptr<PackedMatrix::Packed> pack(Kernel k, Layout layout, Transpose trans, int K, int N, const float* B,
                                           int ldb) {
  const char* where = "PackedMatrix";
  const detail::OperandStrides strides = detail::check_packed_source(where, layout, trans, K, N, B, ldb);
  const detail::ResolvedKernel& r = detail::resolved(k, detail::ElementType::f32);  // (throws for a bad value)
  if (!r.sgemm_runs) throw std::invalid_argument(detail::cannot_run_message(where, k));
  auto packed = std::make_shared<PackedMatrix::Packed>();
  packed->resolved = &r;
  packed->K = K;
  packed->N = N;
  detail::count_packed_matrix();
  if (K == 0 || N == 0) return packed;  // nothing to read: every product only scales C
  const detail::Operand op{B, strides.row_stride, strides.col_stride};
  const detail::KernelDescriptor& d = *r.descriptor;
  if (r.micro != nullptr) {
    detail::prepack_panels(*r.micro, op, K, N, packed->panels);
    packed->has_panels = true;
  }
  if (d.direct != nullptr || d.small != nullptr) {
    packed->ld = padded_ld(N);
    float* rows = packed->rows.reserve(static_cast<std::size_t>(K) * static_cast<std::size_t>(packed->ld));
    for (detail::index p = 0; p < K; ++p) {
      float* to = rows + p * packed->ld;
      for (detail::index j = 0; j < N; ++j) to[j] = op(p, j);
      for (detail::index j = N; j < packed->ld; ++j) to[j] = 0.0f;
    }
  }
  return packed;
}

// sgemm's checks and run, with B as the packed matrix: its row-major copy
// when it has one (the call's B, so the checks see its ld), else a stand-in
// that no path reads (the five loops read the panels). The kernel's row is
// looked up as checked_call does.
[[gnu::always_inline]] inline void packed_call(int M, int N, int K, float alpha, const float* A, int lda,
                                               const PackedMatrix::Packed& pk, const float* rows, int ld, Kernel kernel,
                                               float beta, float* C, int ldc,
                                               const detail::Epilogue* epilogue = nullptr) {
  const detail::SgemmCall call{"sgemm-packed",
                               Layout::row_major,
                               Transpose::no_trans,
                               Transpose::no_trans,
                               M,
                               N,
                               K,
                               alpha,
                               A,
                               lda,
                               rows != nullptr ? static_cast<const void*>(rows) : &pk,
                               rows != nullptr ? ld : std::max(1, N),
                               beta,
                               C,
                               ldc};
  detail::require_valid_settings();
  const detail::BadArgument bad = detail::check_arguments(call);
  if (bad != detail::BadArgument::none) [[unlikely]]
    throw std::invalid_argument(detail::bad_argument_message(bad, call));
  static const std::span<const detail::ResolvedKernel> table = detail::resolved_kernels();
  const detail::ResolvedKernel& resolved = table[static_cast<std::size_t>(kernel)];
  const detail::PrepackedPanels* panels = pk.has_panels ? &pk.panels : nullptr;
  if (!detail::verbose_enabled())
    detail::run_problem(resolved, call, panels, epilogue);
  else
    detail::run_verbose(resolved, call, panels, epilogue);
}

}  // namespace

PackedMatrix::PackedMatrix(Kernel k, Layout layout, Transpose trans, int K, int N, const float* B, int ldb)
    : packed_(pack(k, layout, trans, K, N, B, ldb)),
      rows_(packed_->rows.data()),
      ld_(packed_->ld),
      K_(K),
      N_(N),
      kernel_(packed_->resolved->descriptor->id) {}

void sgemm(int M, float alpha, const float* A, int lda, const PackedMatrix& B, float beta, float* C, int ldc) {
  packed_call(M, B.N_, B.K_, alpha, A, lda, *B.packed_, B.rows_, B.ld_, B.kernel_, beta, C, ldc);
}

void sgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const PackedMatrix& B, float beta,
           float* C, int ldc) {
  if (detail::resolved(k, detail::ElementType::f32).descriptor->id != B.kernel_)  // (throws for a bad value)
    throw std::invalid_argument(
        "sgemm-packed: B is packed for kernel '" + std::string(kernel_name(B.kernel_)) + "', not for '" +
        std::string(kernel_name(k)) + "'" +
        (k == Kernel::simd ? " (which runs " + std::string(kernel_name(resolve_kernel(k))) + " here)" : ""));
  if (N != B.N_ || K != B.K_)
    throw std::invalid_argument("sgemm-packed: " + std::string(N != B.N_ ? "N=" : "K=") +
                                std::to_string(N != B.N_ ? N : K) + " but B is packed as " + shape_string(B.K_, B.N_) +
                                " (K x N)");
  packed_call(M, N, K, alpha, A, lda, *B.packed_, B.rows_, B.ld_, B.kernel_, beta, C, ldc);
}

void sgemm(int M, float alpha, const float* A, int lda, const PackedMatrix& B, float beta, float* C, int ldc,
           const BiasActivation& then) {
  const char* where = "sgemm-packed";
  detail::Epilogue epilogue{detail::Epilogue::Op::none, then.bias, then.prefetch_ahead};
  switch (then.activation) {
    case Activation::tanh:
      epilogue.op = detail::Epilogue::Op::bias_tanh;
      break;
    case Activation::relu:
      epilogue.op = detail::Epilogue::Op::bias_relu;
      break;
    default:
      throw std::invalid_argument(std::string(where) + ": invalid Activation value " +
                                  std::to_string(static_cast<int>(then.activation)) + " (valid: tanh = 0, relu = 1)");
  }
  const int N = B.N_;
  if (M > 0 && N > 0) {  // (bad M, lda, ldc are refused by the checks that follow, with their own messages)
    if (then.bias == nullptr)
      throw std::invalid_argument(std::string(where) + ": the bias is null (it must hold N = " + std::to_string(N) +
                                  " floats)");
    // The bias is read while C is written: one that shares memory with C
    // would be read after some of it was overwritten. (The address ranges,
    // compared with std::less, which orders any two pointers: a bias in the
    // gap between two rows of C is refused too. The exact test of gemm()'s
    // views, overlap(), cost 10 ns here, a third of a seed-sized product.)
    if (C != nullptr && ldc >= N) {
      const std::less<const float*> before;
      const float* c_end = C + static_cast<std::ptrdiff_t>(M - 1) * ldc + N;
      if (before(then.bias, c_end) && before(C, then.bias + N))
        throw std::invalid_argument(std::string(where) + ": the bias overlaps C's memory");
    }
  }
  packed_call(M, N, B.K_, alpha, A, lda, *B.packed_, B.rows_, B.ld_, B.kernel_, beta, C, ldc, &epilogue);
}

GemmCallInfo last_gemm_call() {
  const detail::CallRecord& r = detail::call_record();
  return {detail::last_kernel, r.path, r.parts};
}

}  // namespace gemmlab
