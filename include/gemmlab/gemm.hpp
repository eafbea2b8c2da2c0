// gemmlab/gemm.hpp — the BLAS-style entry points and the kernel registry.
//
//   C := alpha * op(A) * op(B) + beta * C
//
// with exactly the meaning of CBLAS's cblas_sgemm: op(A) is M x K, op(B) is
// K x N, C is M x N; op(X) is X, or its transpose (Transpose::trans, and
// Transpose::conj_trans, the same for real data). In Layout::row_major,
// element (i, j) of a matrix lives at X[i * ldx + j]; in Layout::col_major,
// at X[i + j * ldx]. Leading dimensions are in elements, and must be at
// least the length of a stored row (row-major) or column (column-major):
//
//                  row_major                    col_major
//   lda   >= max(1, no_trans A ? K : M)    max(1, no_trans A ? M : K)
//   ldb   >= max(1, no_trans B ? N : K)    max(1, no_trans B ? K : N)
//   ldc   >= max(1, N)                     max(1, M)
//
// The short form sgemm(kernel, M, N, K, ...) is row-major, untransposed.
// For the C ABI (cblas_sgemm, sgemm_, libgemmlab.so) see gemmlab/cblas.h.
//
// Rules every kernel obeys (the dispatcher in src/gemm/sgemm.cpp enforces the
// first three before any kernel runs):
//   * M, N or K of 0 are valid. With K == 0 or alpha == 0, C := beta * C and
//     A and B are never read (as in the reference BLAS).
//   * beta == 0 never reads C: C may hold NaN or garbage on entry.
//   * Negative sizes, or a leading dimension below the table above, throw
//     std::invalid_argument naming the argument; C is untouched.
//   * Only the M x N elements of C are written: memory between rows (or
//     columns) is left untouched.
//   * Every size the interface accepts (up to INT_MAX) is computed: index
//     arithmetic inside the kernels is 64-bit.
//   * C must not overlap A or B (as in every BLAS). The raw-pointer sgemm
//     cannot check it and the result is then undefined; gemm() on views
//     checks it and throws std::invalid_argument.
//
// Numerics: kernels do not agree bit for bit. They sum the K products in
// different orders, some fuse multiply and add (FMA, one rounding instead of
// two), so results differ in the last bits. Every kernel satisfies the
// componentwise bound |C_hat - C| <= c * gamma_{K+2} * (|alpha||A||B| + |beta||C|),
// gamma_n = n*u / (1 - n*u), u = 2^-24; see docs/numerics.md.
//
// GEMMLAB_VERBOSE=1 prints one line per call on standard error: the entry
// point, its arguments, the kernel and path that ran, threads and time
// (docs/using-gemmlab.md). Unset, it costs one test of a flag read at start-up.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gemmlab/matrix.hpp"

namespace gemmlab {

// The order of the values is the order of the kernel table
// (src/gemm/registry.cpp); `simd` comes last because it has no row of its
// own: it names the best kernel this CPU can run.
enum class Kernel {
  naive,          // the textbook triple loop
  loop_order,     // the same loops reordered (i, p, j): rows of B, vectorisable
  tiled,          // loop_order cut into cache-sized blocks (no packing, no register tile)
  register_tile,  // tiled's blocks, a 4 x 16 tile of C in registers, A and B read unpacked
  packed,         // register_tile with A's and B's blocks packed into micro-panels
  blocked,        // portable C++ cache blocking, no intrinsics
  simd_avx2,      // x86-64 AVX2 + FMA, 256-bit registers
  simd_avx512,    // x86-64 AVX-512 (F, VL, BW, DQ), 512-bit registers
  simd_neon,      // ARM64 NEON, 128-bit registers
  // bf16 inputs, float sums and C (gemmlab/sbgemm.hpp; sbgemm only):
  bf16_naive,    // the textbook triple loop on bf16 numbers
  bf16_blocked,  // portable C++ cache blocking, k packed in pairs
  bf16_avx512,   // x86-64 AVX512-BF16 (vdpbf16ps)
  bf16_amx,      // x86-64 AMX tiles (tdpbf16ps)
  // The best SIMD kernel this CPU supports for the call's precision: for
  // sgemm simd-avx512, -avx2, -neon or blocked; for sbgemm bf16-amx,
  // bf16-avx512 or bf16-blocked.
  simd,
};

// What a kernel multiplies: float (sgemm, gemm) or bf16 (sbgemm). `simd`
// computes both (the best kernel of each).
enum class Precision { f32, bf16 };

// The values are CBLAS's (CblasRowMajor, CblasNoTrans, ...).
enum class Layout { row_major = 101, col_major = 102 };
enum class Transpose { no_trans = 111, trans = 112, conj_trans = 113 };

void sgemm(Kernel k, Layout layout, Transpose trans_a, Transpose trans_b, int M, int N, int K, float alpha,
           const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);

// The short form: row-major, neither operand transposed.
void sgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
           float* C, int ldc);

struct BiasActivation;  // a bias and activation fused into the write-back (below)

// ---- a B packed once, for many products ------------------------------------------
//
// A layer's weights multiply a new A at every step with the same B. A
// PackedMatrix is that B, op(B) K x N in any layout and transpose (the same
// leading-dimension rules as sgemm), stored once in the form kernel k reads
// best, so that no call packs it again (what MKL's cblas_sgemm_pack offers;
// PackedBf16Matrix in gemmlab/sbgemm.hpp is the same for bf16):
//   * the packed kernels (blocked, simd-avx2, simd-avx512, simd-neon) get
//     their five loops' NR-column micro-panels, every KC x NC block of them;
//   * a kernel with a small-matrix path (simd-avx512) also gets a row-major
//     copy for the shapes that path takes, which read B unpacked;
//   * the teaching kernels (naive, loop-order, tiled) get a row-major copy.
// A row-major copy's rows are whole vectors apart (16 floats), and never a
// multiple of 512 bytes apart: a strip of B read down rows 1 KiB apart (N =
// 256 floats) lands in 8 of the 64 sets of a 48 KiB L1 cache.
// `simd` is resolved when the matrix is packed: kernel() is the concrete
// kernel, and the product runs on it. The memory holds the packed form
// only: the source may be freed after construction. Immutable, so one
// PackedMatrix may be used from several threads at once. The product gives
// the same bits as sgemm with the unpacked B on the same kernel (the same
// panels, the same order of the sums).
// Throws std::invalid_argument, as sgemm does, for a bad layout, transpose,
// negative size, short ldb or null B, and for a kernel that is not a float
// one or cannot run here.
class PackedMatrix {
 public:
  PackedMatrix(Kernel k, Layout layout, Transpose trans, int K, int N, const float* B, int ldb);

  int rows() const { return K_; }
  int cols() const { return N_; }
  Kernel kernel() const { return kernel_; }  // the concrete kernel it is packed for (simd resolved)

  struct Packed;  // the packed form (src/gemm/sgemm.cpp)
  const Packed& packed() const { return *packed_; }

 private:
  friend void sgemm(int M, float alpha, const float* A, int lda, const PackedMatrix& B, float beta, float* C, int ldc);
  friend void sgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const PackedMatrix& B,
                    float beta, float* C, int ldc);
  friend void sgemm(int M, float alpha, const float* A, int lda, const PackedMatrix& B, float beta, float* C, int ldc,
                    const BiasActivation& then);
  std::shared_ptr<const Packed> packed_;
  // What a product reads first, held here rather than behind packed_: in a
  // seed-sized product (4 x 16 x 5, 17 ns) the extra dependent load before
  // the kernel can start showed (docs/rnn-performance.md, section 6).
  const float* rows_ = nullptr;  // the row-major copy, if the kernel has one
  int ld_ = 1, K_ = 0, N_ = 0;
  Kernel kernel_ = Kernel::naive;
};

// C := alpha * A * B + beta * C with a packed B, row-major A (M x B.rows())
// and C (M x B.cols()), on the kernel B was packed for. Checked as sgemm is
// (M >= 0, lda >= max(1, K), ldc >= max(1, N), A and C not null when read).
void sgemm(int M, float alpha, const float* A, int lda, const PackedMatrix& B, float beta, float* C, int ldc);
// The same with every size given, as a BLAS caller writes it: k must be
// the kernel B was packed for (or `simd` when B was packed for what `simd`
// runs), N must be B.cols() and K B.rows(); otherwise std::invalid_argument
// says which and what B holds.
void sgemm(Kernel k, int M, int N, int K, float alpha, const float* A, int lda, const PackedMatrix& B, float beta,
           float* C, int ldc);

// ---- bias and activation, fused into the product's write-back --------------------
//
// A layer computes act(A·W + b). Done as two steps, the product stores C and
// a second pass loads it back; fused, each piece of C gets
//     C(i, j) := act(alpha * (A·B)(i, j) + beta * C(i, j) + bias[j])
// as it is written: in registers on simd-avx512's small path, from L1 right
// after each micro-tile's last store on the five-loop path, and as a pass
// after the product on the kernels that have neither. The result is the same
// bits as sgemm followed by the library's bias + activation pass
// (tanh_in_place's formula, gemmlab/rnn.hpp).
enum class Activation { tanh, relu };

struct BiasActivation {
  const float* bias = nullptr;  // N floats: bias[j] is added to column j of every row
  Activation activation = Activation::tanh;
  // A hint for a recurrence, whose next product reads a block of memory
  // written long before: when non-zero, as each piece of C is finished,
  // the cache lines prefetch_ahead floats further on are requested, so the
  // next step's C arrives while this product computes. Only a request:
  // nothing is read there and the result does not depend on it; C +
  // prefetch_ahead must still lie in the array C is part of.
  std::ptrdiff_t prefetch_ahead = 0;
};

// C := act(alpha * A * B + beta * C + bias), with the same checks as the
// packed sgemm above, plus: bias must not be null when N > 0, and the
// activation must be one of the enumerators (std::invalid_argument otherwise).
void sgemm(int M, float alpha, const float* A, int lda, const PackedMatrix& B, float beta, float* C, int ldc,
           const BiasActivation& then);

// An input of gemm(): a view, or a view read as its transpose. Costs
// nothing: no element is copied; the kernels read the view where it lies.
class GemmOperand {
 public:
  GemmOperand(ConstMatrixView v) : view_(v) {}       // NOLINT(google-explicit-constructor): a view is an operand
  GemmOperand(MatrixView v) : view_(v) {}            // NOLINT(google-explicit-constructor)
  GemmOperand(const Matrix& m) : view_(m.view()) {}  // NOLINT(google-explicit-constructor)

  ConstMatrixView view() const { return view_; }  // the stored matrix
  bool is_transposed() const { return transposed_; }
  int rows() const { return transposed_ ? view_.cols() : view_.rows(); }  // of op(X)
  int cols() const { return transposed_ ? view_.rows() : view_.cols(); }

  friend GemmOperand transposed(GemmOperand x) {
    x.transposed_ = !x.transposed_;
    return x;
  }

 private:
  ConstMatrixView view_;
  bool transposed_ = false;
};
// op(X) = X^T, read from X's memory as it lies; transposed(transposed(X)) is X.
GemmOperand transposed(GemmOperand x);

// C := alpha * op(A) * op(B) + beta * C on views: gemm(k, A, transposed(B), C).
// Throws shape_error when the shapes do not fit together, and
// std::invalid_argument when C's elements overlap A's or B's.
void gemm(Kernel k, GemmOperand A, GemmOperand B, MatrixView C, float alpha = 1.0f, float beta = 0.0f);

// What the calling thread's last multiplication that reached a kernel
// actually did: for tests, and for people reading GEMMLAB_VERBOSE.
struct GemmCallInfo {
  Kernel kernel = Kernel::naive;  // the concrete kernel (simd resolved)
  // "direct" (a teaching step), "small" (unpacked), "packed" (five loops) or
  // "prepacked" (five loops on a PackedMatrix's panels, or a PackedBf16Matrix's)
  std::string_view path;
  int parts = 1;  // blocks of C computed in parallel (1: the calling thread alone)
};
GemmCallInfo last_gemm_call();

// "naive", "loop-order", "tiled", "register-tile", "packed", "blocked", "simd-avx2", "simd-avx512", "simd-neon",
// "bf16-naive", "bf16-blocked", "bf16-avx512", "bf16-amx", "simd".
std::string_view kernel_name(Kernel k);
// Throws std::invalid_argument listing the valid names.
Kernel kernel_from_name(std::string_view name);
// Compiled into this binary and supported by this CPU. `simd` is always
// available: without a SIMD kernel it runs the best portable one.
bool kernel_available(Kernel k);
// The concrete kernel a call runs: `simd` becomes simd-avx512, simd-avx2,
// simd-neon or blocked (for sgemm; with Precision::bf16, the best bf16
// kernel); every other kernel is itself.
Kernel resolve_kernel(Kernel k);
Kernel resolve_kernel(Kernel k, Precision p);
// Whether sgemm (f32) or sbgemm (bf16) accepts k.
bool kernel_computes(Kernel k, Precision p);
// "f32", "bf16"; precision_from_name also takes "fp32", and throws
// std::invalid_argument for anything else.
std::string_view precision_name(Precision p);
Precision precision_from_name(std::string_view name);
// What a kernel is and the instruction set it needs, in words; and whether
// it can run here and why (for `gemmlab kernels`).
std::string_view kernel_description(Kernel k);
std::string_view kernel_isa(Kernel k);
std::string kernel_status(Kernel k);
// kernel_status(Kernel::simd) for one precision: which kernel it runs.
std::string simd_status(Precision p);
// How a float kernel's cache blocks (KC, MC, NC) are decided on this
// machine: its micro-kernel, the constants, the analytical model's choice
// from the CPU's caches and the model's reasoning, a tuning file's line,
// GEMMLAB_BLOCKING, and the kernel's crossovers between paths and thread
// counts (see docs/05-packing.md). Several lines; empty for a kernel without the
// five-loop driver (the teaching steps naive to packed, the bf16 kernels) or one
// that cannot run here. Throws std::invalid_argument while GEMMLAB_BLOCKING
// or GEMMLAB_TUNING_FILE is invalid.
std::string blocking_report(Kernel k);

// ---- cache blocks, explicitly (the tuner: `gemmlab tune`) ---------------------
//
// The packed float kernels (blocked, simd-avx2, simd-avx512, simd-neon, and
// simd, which runs one of them) cut a product into cache blocks: KC of the
// K dimension, MC rows of A, NC columns of B (docs/05-packing.md). Which
// sizes a kernel runs with is decided once per process (its micro-kernel's
// constants, GEMMLAB_TUNING_FILE, GEMMLAB_BLOCKING); the functions below
// let a program see those choices and time other sizes without them.
struct BlockSizes {
  int kc = 0, mc = 0, nc = 0;
  friend bool operator==(const BlockSizes&, const BlockSizes&) = default;
};

// A packed float kernel's blocks on this machine.
struct KernelBlocking {
  std::string_view micro_kernel;  // "avx512_14x32"; empty: k has no cache blocks here
  int mr = 0, nr = 0;             // its register tile: the driver's MC is a multiple of mr, NC of nr
  BlockSizes constants;           // the micro-kernel's own
  BlockSizes model;               // the analytical model's, from this CPU's caches
  BlockSizes in_use;              // what sgemm runs (the settings above applied)
};
// Everything empty (micro_kernel "") for a kernel without the five-loop
// driver or one that cannot run here. Throws std::invalid_argument while
// GEMMLAB_BLOCKING or GEMMLAB_TUNING_FILE is invalid.
KernelBlocking kernel_blocking(Kernel k);

// The short-form sgemm (row-major, untransposed) through k's five loops
// with `blocks` instead of the sizes k runs with: always on the calling
// thread alone (whatever num_threads() says) and always packed (no
// small-matrix path), so that a timing measures those blocks and nothing
// else. MC is rounded up to a multiple of MR and NC of NR, as for
// GEMMLAB_BLOCKING. The arguments obey sgemm's rules; in addition it throws
// std::invalid_argument for a kernel that has no cache blocks here
// (kernel_blocking(k).micro_kernel empty) and for sizes outside KC
// 1..16384, MC 1..65536, NC 1..1048576 or a packed block over 1 GiB. An
// invalid setting (check_settings) fails it as it fails sgemm.
void sgemm_with_blocks(Kernel k, BlockSizes blocks, int M, int N, int K, float alpha, const float* A, int lda,
                       const float* B, int ldb, float beta, float* C, int ldc);

// ---- tuning files (GEMMLAB_TUNING_FILE) ----------------------------------------
//
// A tuning file gives micro-kernels block sizes that replace the model's
// (and GEMMLAB_BLOCKING=constants' sizes); GEMMLAB_BLOCKING's
// kc=, mc=, nc= still apply on top. The environment variable
// GEMMLAB_TUNING_FILE names it, read once with the other settings. Text,
// one line per micro-kernel, e.g.
//
//     # gemmlab tuning file
//     micro-kernel avx512_14x32 kc=512 mc=210 nc=4096
//
// with '#' comments and blank lines (the whole format: docs/05-packing.md).
// A file that cannot be read, or breaks the format on any line, makes
// every sgemm and gemm call and check_settings() throw one
// std::invalid_argument naming the variable, the file, the line and the
// problem, as an invalid GEMMLAB_BLOCKING does.
struct TunedBlocks {
  std::string micro_kernel;  // kernel_micro_kernel()'s name for it
  BlockSizes blocks;
};
// The text of a tuning file giving each entry's blocks: a heading comment,
// then each line of `comment` (if any) as a comment, then one line per
// entry. Throws std::invalid_argument, and writes nothing, for an entry the
// reader would refuse (a name that is not a float micro-kernel of this
// build, sizes outside the limits above, a micro-kernel given twice), or a
// comment with a byte that is not printable ASCII or a tab.
std::string tuning_file_text(std::span<const TunedBlocks> entries, std::string_view comment = {});
// Whether one call is split between threads (blocked, the SIMD kernels and
// the packed bf16 ones).
bool kernel_threaded(Kernel k);
// Rows of C that are a multiple of this many floats wide are written with
// whole vector stores (16 for simd-avx512, 8 for simd-avx2, else 1).
int kernel_whole_vector_floats(Kernel k);
// The micro-kernel a packed kernel runs here ("avx512_14x32"); empty for
// the teaching steps.
std::string_view kernel_micro_kernel(Kernel k);
// The bench's peak probe a kernel is compared with: "scalar", "sse2",
// "avx2", "avx512" or "neon" (the instructions it really executes).
std::string_view kernel_peak_probe(Kernel k);
// The kernel's arithmetic intensity as the core sees it: flops per byte its
// inner loop loads, from its micro-kernel's tile or, for a
// teaching step, written in its row (docs/performance-model.md). 0 when the
// kernel does not run here.
double kernel_flops_per_byte(Kernel k);

// The float kernels, in the order of the enum, then `simd`; and those this
// machine can run. With a precision: that precision's kernels, then `simd`.
std::span<const Kernel> all_kernels();
std::span<const Kernel> all_kernels(Precision p);
std::vector<Kernel> available_kernels(Precision p = Precision::f32);

// Threads used by one sgemm call. Threaded: blocked and the SIMD kernels
// (they split C into blocks of whole columns or rows between a persistent
// pool of worker threads); naive is not. Calls too small to pay for waking a
// worker run on the calling thread alone (below 2*160^3 flops on the packed
// path; the AVX-512 small-matrix path below 2*256^3). The default is 1.
//
// Two ways to set it, one rule: a count from 1 to max_num_threads.
//   * set_num_threads(n): n outside that range throws std::invalid_argument.
//     A valid call replaces the environment's value, even an invalid one.
//   * The environment variable GEMMLAB_NUM_THREADS, read once, on first use:
//     decimal digits only, nothing else (no sign, no spaces before or after,
//     no other base): "2" and "02" are 2; " 2", "2 ", "+2", "2.0", "0x2",
//     "0" and "1025" are invalid. Unset or empty means 1.
// While GEMMLAB_NUM_THREADS is invalid (and no set_num_threads call has
// replaced it), every sgemm and gemm call, whatever the kernel and size,
// num_threads() and check_settings() throw the same std::invalid_argument,
// naming the variable, its value and the rule. An invalid
// GEMMLAB_DISABLE_ISA (gemmlab/cpu.hpp) is reported the same way by every
// sgemm and gemm call, check_settings(), cpu_features() and what asks it
// (kernel_available, ...); nothing replaces it.
// An invalid GEMMLAB_BLOCKING (blocking_report above) or GEMMLAB_TUNING_FILE
// (tuning_file_text above) is reported the same way by every sgemm and gemm
// call and check_settings().
// check_settings() checks these variables and does nothing else: a program
// calls it first to stop before any work or output (`gemmlab kernels` does).
// If the system refuses to create a worker thread, the call still completes,
// with the same result: the calling thread runs the parts that have no
// worker. After fork(), the child's first threaded call starts a new pool
// (the parent's workers do not exist in the child).
// sgemm may be called from several user threads at once: one call at a time
// uses the pool, the others run on their own calling threads (same results).
inline constexpr int max_num_threads = 1024;
void set_num_threads(int n);
int num_threads();
void check_settings();

}  // namespace gemmlab
