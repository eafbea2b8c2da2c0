// The bf16 entry points: the same checks as sgemm's (dispatch.hpp), the
// same row-major description of the call (describe_operands), then a bf16
// kernel: a direct one, or the bf16 five loops (goto_bf16.cpp).
#include "gemmlab/sbgemm.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gemm/call_record.hpp"
#include "gemm/dispatch.hpp"
#include "gemm/threads.hpp"

namespace gemmlab {
namespace {

using detail::Storage;

void run(const detail::ResolvedKernel& r, const detail::SgemmCall& c, Storage storage_a, Storage storage_b) {
  detail::CallRecord& record = detail::call_record();
  detail::record_last_kernel(r.descriptor->id);
  detail::SbgemmProblem p;
  if (!detail::prepare_problem(c, p, record)) return;
  // prepare_problem swaps A and B for a column-major call (describe_operands).
  const bool swapped = c.layout == Layout::col_major;
  p.A.storage = swapped ? storage_b : storage_a;
  p.B.storage = swapped ? storage_a : storage_b;
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

// ---- PackedBf16Matrix ------------------------------------------------------------

struct PackedBf16Matrix::Packed {
  Kernel kernel = Kernel::bf16_blocked;
  const detail::ResolvedKernel* resolved = nullptr;
  detail::PrepackedB b;
};

namespace {

// The checks of the constructor: sbgemm's, for B alone.
template <class T>
std::shared_ptr<PackedBf16Matrix::Packed> pack(Kernel k, Layout layout, Transpose trans, int K, int N, const T* B,
                                               int ldb) {
  const detail::OperandStrides strides = detail::check_packed_source("PackedBf16Matrix", layout, trans, K, N, B, ldb);
  const std::string where = "PackedBf16Matrix: ";
  const detail::ResolvedKernel& r = detail::resolved(k, detail::ElementType::bf16);
  if (r.descriptor->element != detail::ElementType::bf16)
    throw std::invalid_argument(where + "kernel '" + std::string(kernel_name(k)) + "' multiplies float");
  if (!r.runnable)
    throw std::invalid_argument(where + "kernel '" + std::string(kernel_name(k)) +
                                "' is not available here: " + kernel_status(k));
  if (r.bf16_micro == nullptr)
    throw std::invalid_argument(where + "kernel '" + std::string(kernel_name(k)) +
                                "' has no packed panels (a packed bf16 kernel: bf16-blocked, bf16-avx512, bf16-amx "
                                "or simd)");
  auto packed = std::make_shared<PackedBf16Matrix::Packed>();
  packed->kernel = r.descriptor->id;
  packed->resolved = &r;
  // op(B) as problem.hpp describes it: element (r, c) at r * row_stride + c * col_stride.
  detail::Bf16Operand op;
  op.data = B;
  op.storage = std::is_same_v<T, float> ? Storage::f32 : Storage::bf16;
  op.row_stride = strides.row_stride;
  op.col_stride = strides.col_stride;
  if (K > 0 && N > 0) detail::prepack_b(*r.bf16_micro, op, K, N, packed->b);
  packed->b.K = K;
  packed->b.N = N;
  return packed;
}

template <class T>
void sbgemm_packed(const char* entry, int M, float alpha, const T* A, int lda, const PackedBf16Matrix& B, float beta,
                   float* C, int ldc) {
  const PackedBf16Matrix::Packed& pk = B.packed();
  const int K = B.rows(), N = B.cols();
  // sbgemm's checks, with B as a row-major K x N stand-in that is never read.
  const detail::SgemmCall call{entry,
                               Layout::row_major,
                               Transpose::no_trans,
                               Transpose::no_trans,
                               M,
                               N,
                               K,
                               alpha,
                               A,
                               lda,
                               &pk,
                               std::max(1, N),
                               beta,
                               C,
                               ldc};
  detail::require_valid_settings();
  const detail::BadArgument bad = detail::first_bad_argument(call);
  if (bad != detail::BadArgument::none) throw std::invalid_argument(detail::bad_argument_message(bad, call));
  detail::CallRecord& record = detail::call_record();
  detail::record_last_kernel(pk.kernel);
  const bool verbose = detail::verbose_enabled();
  const auto start = verbose ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  detail::SbgemmProblem p;
  if (detail::prepare_problem(call, p, record)) {
    p.A.storage = std::is_same_v<T, float> ? Storage::f32 : Storage::bf16;
    p.B = {};  // read from the packed panels
    record.path = "prepacked";
    record.parts = detail::goto_sbgemm_prepacked(*pk.resolved->bf16_micro, p, pk.b);
  }
  if (verbose) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    detail::print_verbose(call, std::string(pk.resolved->descriptor->name).c_str(), record.path, record.parts, seconds);
  }
}

}  // namespace

PackedBf16Matrix::PackedBf16Matrix(Kernel k, Layout layout, Transpose trans, int K, int N, const bf16* B, int ldb)
    : packed_(pack(k, layout, trans, K, N, B, ldb)) {}
PackedBf16Matrix::PackedBf16Matrix(Kernel k, Layout layout, Transpose trans, int K, int N, const float* B, int ldb)
    : packed_(pack(k, layout, trans, K, N, B, ldb)) {}

int PackedBf16Matrix::rows() const { return static_cast<int>(packed_->b.K); }
int PackedBf16Matrix::cols() const { return static_cast<int>(packed_->b.N); }
Kernel PackedBf16Matrix::kernel() const { return packed_->kernel; }

void sbgemm(int M, float alpha, const float* A, int lda, const PackedBf16Matrix& B, float beta, float* C, int ldc) {
  sbgemm_packed("sbgemm-packed", M, alpha, A, lda, B, beta, C, ldc);
}
void sbgemm(int M, float alpha, const bf16* A, int lda, const PackedBf16Matrix& B, float beta, float* C, int ldc) {
  sbgemm_packed("sbgemm-packed", M, alpha, A, lda, B, beta, C, ldc);
}

}  // namespace gemmlab
