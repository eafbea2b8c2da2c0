// src/gemm/dispatch.hpp — internal: one call of an entry point, checked and
// run. The C++ API (sgemm.cpp) and the C ABI (src/capi/) share it, so both
// check the same rules in the same order and run the same code.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

#include "gemm/call_record.hpp"
#include "gemm/kernels.hpp"
#include "gemmlab/gemm.hpp"

namespace gemmlab::detail {

// The arguments of one call, as the caller gave them.
struct SgemmCall {
  const char* entry;  // "sgemm", "gemm", "cblas_sgemm", "sgemm_": for messages and GEMMLAB_VERBOSE
  Layout layout;
  Transpose trans_a, trans_b;
  int M, N, K;
  float alpha;
  const void* A;  // float for sgemm; bf16 or float for sbgemm (the entry point knows which)
  int lda;
  const void* B;
  int ldb;
  float beta;
  float* C;
  int ldc;
};

// The first argument that is wrong, in the order the reference BLAS checks
// them (layout first, as CBLAS does; then the null pointers, which the
// reference does not check but which would crash here).
enum class BadArgument { none, layout, trans_a, trans_b, m, n, k, lda, ldb, ldc, a, b, c };

BadArgument first_bad_argument(const SgemmCall& call);
// Says what is wrong with that argument and what was expected.
std::string bad_argument_message(BadArgument bad, const SgemmCall& call);

// Runs a call whose arguments have passed first_bad_argument with the
// given kernel (which must be runnable), printing the GEMMLAB_VERBOSE line.
void run_checked(const ResolvedKernel& kernel, const SgemmCall& call);

// Whether GEMMLAB_VERBOSE asks for a line per call (read once).
[[gnu::always_inline]] inline bool verbose_enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("GEMMLAB_VERBOSE");
    return v != nullptr && *v != '\0' && std::string_view(v) != "0";
  }();
  return enabled;
}

// The GEMMLAB_VERBOSE line of one call that ran `kernel` on `path`.
void print_verbose(const SgemmCall& call, const char* kernel, const char* path, int parts, double seconds);

// C := beta * C over an M x N row-major block; beta == 0 writes zeros
// without reading C, beta == 1 leaves C as it is.
void scale_c(index M, index N, float beta, float* C, index ldc);

// Why an entry point cannot run kernel k (float entry, bf16 kernel; or not
// available here).
std::string cannot_run_message(const char* entry, Kernel k);

// The checks of a packed B's constructor (PackedMatrix, PackedBf16Matrix):
// sgemm's rules for B alone, in sgemm's order (settings, layout, transpose,
// sizes, ldb, null B), each throwing std::invalid_argument that starts with
// `where`. Returns op(B)'s strides, as problem.hpp describes operands.
struct OperandStrides {
  index row_stride = 0, col_stride = 1;
};
OperandStrides check_packed_source(const char* where, Layout layout, Transpose trans, int K, int N, const void* B,
                                   int ldb);

// The concrete kernel of the calling thread's last call (last_gemm_call()).
void record_last_kernel(Kernel k);

inline bool notrans(Transpose t) { return t == Transpose::no_trans; }

// Writes the row-major problem that the call equals into p (a GemmProblem
// or an SbgemmProblem): M, N and both operands' pointers and strides.
// Column-major C is the row-major N x M matrix C^T (same memory, same
// ldc), and C^T = op(B)^T op(A)^T: swap the operands, transpose each (swap
// its strides).
// The fields are written one by one, straight into p: building the two
// operands as small structs and copying them in made the compiler store
// them in 8-byte halves and reload them as 16-byte vectors, a failed store
// forward that cost about 10 ns per call (a 4 x 4 x 4 product takes 12).
template <class Problem>
[[gnu::always_inline]] inline void describe_operands(const SgemmCall& c, Problem& p) {
  using Data = decltype(p.A.data);
  // Whether op(A)'s (op(B)'s) rows lie along memory: row-major and not
  // transposed, or column-major and transposed.
  const bool a_rows = (c.layout == Layout::row_major) == notrans(c.trans_a);
  const bool b_rows = (c.layout == Layout::row_major) == notrans(c.trans_b);
  const index lda = c.lda, ldb = c.ldb;
  if (c.layout == Layout::row_major) {
    p.M = c.M;
    p.N = c.N;
    p.A.data = static_cast<Data>(c.A);
    p.A.row_stride = a_rows ? lda : 1;
    p.A.col_stride = a_rows ? 1 : lda;
    p.B.data = static_cast<Data>(c.B);
    p.B.row_stride = b_rows ? ldb : 1;
    p.B.col_stride = b_rows ? 1 : ldb;
  } else {
    p.M = c.N;
    p.N = c.M;
    p.A.data = static_cast<Data>(c.B);
    p.A.row_stride = b_rows ? 1 : ldb;
    p.A.col_stride = b_rows ? ldb : 1;
    p.B.data = static_cast<Data>(c.A);
    p.B.row_stride = a_rows ? 1 : lda;
    p.B.col_stride = a_rows ? lda : 1;
  }
}

// The start of every call's work, for either problem type: the call
// record reset, and the row-major problem the call equals written into p.
// Returns false when nothing is left for a kernel: M or N is 0, or (K == 0
// or alpha == 0) and C := beta * C has been done, A and B unread.
template <class Problem>
[[gnu::always_inline]] inline bool prepare_problem(const SgemmCall& c, Problem& p, CallRecord& record) {
  record.path = "none";  // until a kernel says otherwise: nothing to multiply
  record.parts = 1;
  if (c.M == 0 || c.N == 0) return false;
  describe_operands(c, p);
  p.K = c.K;
  p.alpha = c.alpha;
  p.beta = c.beta;
  p.C = c.C;
  p.ldc = c.ldc;
  if (c.K == 0 || c.alpha == 0.0f) {
    record.path = "scale";
    scale_c(p.M, p.N, p.beta, p.C, p.ldc);
    return false;
  }
  return true;
}

// Whether a Transpose value from outside (a C caller's int) is one of the three.
inline bool valid(Transpose t) {
  return t == Transpose::no_trans || t == Transpose::trans || t == Transpose::conj_trans;
}
inline bool valid(Layout l) { return l == Layout::row_major || l == Layout::col_major; }

}  // namespace gemmlab::detail
