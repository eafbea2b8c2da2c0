// The public entry point: check the arguments once, handle the trivial cases,
// then hand a well-formed problem to the chosen kernel.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "gemm/kernels.hpp"
#include "gemm/threads.hpp"

namespace gemmlab {
namespace {

// The message is built only when the check fails: building the four messages
// below on every call cost about 400 ns (measured for issue 5), four times a
// whole 16 x 16 multiplication on the small AVX-512 path.
template <class MakeMessage>
void require(bool ok, MakeMessage make_message) {
  if (!ok) throw std::invalid_argument(std::string("sgemm: ").append(make_message()));
}

std::string text(int v) { return std::to_string(v); }

// C := beta * C over the M x N block; beta == 0 writes zeros without reading C.
void scale_c(int M, int N, float beta, float* C, int ldc) {
  for (int i = 0; i < M; ++i) {
    float* c = C + static_cast<std::ptrdiff_t>(i) * ldc;
    for (int j = 0; j < N; ++j) c[j] = beta == 0.0f ? 0.0f : beta * c[j];
  }
}

// The function each Kernel runs, resolved once: resolve_kernel and
// kernel_available walk the registry and the CPU flags, about 15 ns per call
// (measured for issue 5, where a 16 x 16 product takes 80 ns), and their
// answer cannot change while the program runs (CPU features are read once).
// nullptr for a kernel that cannot run here.
detail::KernelFn cached_function(Kernel k) {
  static const std::vector<detail::KernelFn> functions = [] {
    std::vector<detail::KernelFn> out;
    for (Kernel id : all_kernels()) {
      const auto i = static_cast<std::size_t>(id);
      if (out.size() <= i) out.resize(i + 1, nullptr);
      if (kernel_available(id)) out[i] = detail::kernel_entry(resolve_kernel(id)).fn;
    }
    return out;
  }();
  const auto i = static_cast<std::size_t>(k);
  return i < functions.size() ? functions[i] : nullptr;
}

}  // namespace

void sgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
           float* C, int ldc) {
  detail::require_valid_settings();  // a bad GEMMLAB_NUM_THREADS or GEMMLAB_DISABLE_ISA fails every call alike
  require(M >= 0 && N >= 0 && K >= 0, [&] { return "negative size M=" + text(M) + " N=" + text(N) + " K=" + text(K); });
  require(lda >= (K > 1 ? K : 1),
          [&] { return "lda=" + text(lda) + " is smaller than K=" + text(K) + " (A is M x K, row-major)"; });
  require(ldb >= (N > 1 ? N : 1),
          [&] { return "ldb=" + text(ldb) + " is smaller than N=" + text(N) + " (B is K x N, row-major)"; });
  require(ldc >= (N > 1 ? N : 1),
          [&] { return "ldc=" + text(ldc) + " is smaller than N=" + text(N) + " (C is M x N, row-major)"; });
  detail::KernelFn fn = cached_function(k);
  if (fn == nullptr) {  // unknown or unavailable: say why
    const detail::KernelEntry& entry = detail::kernel_entry(resolve_kernel(k));
    if (!kernel_available(entry.id))
      throw std::invalid_argument("sgemm: kernel '" + std::string(entry.name) +
                                  "' is not available here: " + kernel_status(entry.id));
    fn = entry.fn;
  }
  if (M == 0 || N == 0) return;
  require(C != nullptr, [&] { return "C is null for a " + shape_string(M, N) + " result"; });
  if (K == 0 || alpha == 0.0f) {  // nothing to multiply: C := beta * C, A and B unread
    scale_c(M, N, beta, C, ldc);
    return;
  }
  require(A != nullptr && B != nullptr, [] { return std::string("A or B is null"); });
  fn(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void gemm(Kernel k, ConstMatrixView A, ConstMatrixView B, MatrixView C, float alpha, float beta) {
  if (A.cols() != B.rows())
    throw shape_error("gemm: A is " + shape_string(A.rows(), A.cols()) + " but B is " +
                      shape_string(B.rows(), B.cols()) + " (A.cols must equal B.rows)");
  if (C.rows() != A.rows() || C.cols() != B.cols())
    throw shape_error("gemm: C is " + shape_string(C.rows(), C.cols()) + " but A*B is " +
                      shape_string(A.rows(), B.cols()) + " (A is " + shape_string(A.rows(), A.cols()) + ", B is " +
                      shape_string(B.rows(), B.cols()) + ")");
  sgemm(k, A.rows(), B.cols(), A.cols(), alpha, A.data(), A.ld(), B.data(), B.ld(), beta, C.data(), C.ld());
}

}  // namespace gemmlab
