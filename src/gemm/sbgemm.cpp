// The bf16 entry points: the same checks as sgemm's (dispatch.hpp), the
// same row-major description of the call (describe_operands), then a bf16
// kernel: a direct one, or the bf16 five loops (goto_bf16.cpp).
#include "gemmlab/sbgemm.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

#include "gemm/call_record.hpp"
#include "gemm/dispatch.hpp"
#include "gemm/threads.hpp"

namespace gemmlab {
namespace {

using detail::Storage;

void run(const detail::ResolvedKernel& r, const detail::SgemmCall& c, Storage storage_a, Storage storage_b) {
  detail::CallRecord& record = detail::call_record();
  record.path = "none";
  record.parts = 1;
  detail::record_last_kernel(r.descriptor->id);
  if (c.M == 0 || c.N == 0) return;
  detail::SbgemmProblem p;
  detail::describe_operands(c, p);
  // describe_operands swaps A and B for a column-major call.
  const bool swapped = c.layout == Layout::col_major;
  p.A.storage = swapped ? storage_b : storage_a;
  p.B.storage = swapped ? storage_a : storage_b;
  p.K = c.K;
  p.alpha = c.alpha;
  p.beta = c.beta;
  p.C = c.C;
  p.ldc = c.ldc;
  if (c.K == 0 || c.alpha == 0.0f) {  // nothing to multiply: C := beta * C, A and B unread
    record.path = "scale";
    detail::scale_c(p.M, p.N, p.beta, p.C, p.ldc);
    return;
  }
  if (r.descriptor->bf16_direct != nullptr) {
    record.path = "direct";
    r.descriptor->bf16_direct(p);
    return;
  }
  record.path = "packed";
  record.parts = detail::goto_sbgemm(*r.bf16_micro, p);
}

void checked_call(Kernel k, const detail::SgemmCall& call, Storage storage_a, Storage storage_b) {
  detail::require_valid_settings();
  const detail::BadArgument bad = detail::first_bad_argument(call);
  if (bad != detail::BadArgument::none) throw std::invalid_argument(detail::bad_argument_message(bad, call));
  const detail::ResolvedKernel& kernel = detail::resolved(k, detail::ElementType::bf16);  // (throws for a bad value)
  if (kernel.descriptor->element != detail::ElementType::bf16)
    throw std::invalid_argument(std::string(call.entry) + ": kernel '" + std::string(kernel_name(k)) +
                                "' multiplies float; sbgemm needs a bf16 kernel (bf16-naive, bf16-blocked, "
                                "bf16-avx512, bf16-amx) or simd");
  if (!kernel.runnable)
    throw std::invalid_argument(std::string(call.entry) + ": kernel '" + std::string(kernel_name(k)) +
                                "' is not available here: " + kernel_status(k));
  if (!detail::verbose_enabled()) {
    run(kernel, call, storage_a, storage_b);
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  run(kernel, call, storage_a, storage_b);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const detail::CallRecord& record = detail::call_record();
  detail::print_verbose(call, std::string(kernel.descriptor->name).c_str(), record.path, record.parts, seconds);
}

}  // namespace

void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const bf16* A, int lda, const bf16* B, int ldb, float beta, float* C, int ldc) {
  checked_call(k, {"sbgemm", layout, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc}, Storage::bf16,
               Storage::bf16);
}

void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  checked_call(k, {"sbgemm-f32in", layout, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc},
               Storage::f32, Storage::f32);
}

void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const float* A, int lda, const bf16* B, int ldb, float beta, float* C, int ldc) {
  checked_call(k, {"sbgemm-f32a", layout, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc}, Storage::f32,
               Storage::bf16);
}

void sbgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
            const bf16* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  checked_call(k, {"sbgemm-f32b", layout, trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc},
               Storage::bf16, Storage::f32);
}

void sbgemm(Kernel k, int M, int N, int K, float alpha, const bf16* A, int lda, const bf16* B, int ldb, float beta,
            float* C, int ldc) {
  sbgemm(k, Layout::row_major, Transpose::no_trans, Transpose::no_trans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sbgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
            float* C, int ldc) {
  sbgemm(k, Layout::row_major, Transpose::no_trans, Transpose::no_trans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void sbgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const bf16* B, int ldb, float beta,
            float* C, int ldc) {
  sbgemm(k, Layout::row_major, Transpose::no_trans, Transpose::no_trans, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace gemmlab
