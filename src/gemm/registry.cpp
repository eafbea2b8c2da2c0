// The kernel table: one row per kernel (kernels.hpp says what a row holds).
// The tests, the benchmark and the CLI all iterate over it, so adding a
// kernel is one row here plus its own file.
#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "gemm/goto.hpp"
#include "gemm/kernels.hpp"
#include "gemm/small.hpp"

namespace gemmlab::detail {

// Each kernel's own file defines what its row names.
void sgemm_naive(const GemmProblem& p);
void sgemm_loop_order(const GemmProblem& p);
void sgemm_tiled(const GemmProblem& p);
void sgemm_register_tile(const GemmProblem& p);
void sgemm_packed(const GemmProblem& p);
extern const MicroKernel portable_4x16;
#if defined(GEMMLAB_HAVE_AVX2)
extern const MicroKernel portable_avx2_4x16;
extern const MicroKernel avx2_6x16;
#endif
#if defined(GEMMLAB_HAVE_AVX512)
extern const MicroKernel avx512_14x32;
extern const SmallPath avx512_small;
#endif
#if defined(GEMMLAB_HAVE_NEON)
extern const MicroKernel neon_8x12;
#endif
void sbgemm_naive(const SbgemmProblem& p);
extern const Bf16MicroKernel bf16_portable_4x16;
#if defined(GEMMLAB_HAVE_AVX2)
extern const Bf16MicroKernel bf16_portable_avx2_4x16;
#endif
#if defined(GEMMLAB_HAVE_AVX512BF16)
extern const Bf16MicroKernel avx512bf16_14x32;
#endif
#if defined(GEMMLAB_HAVE_AMX)
extern const Bf16MicroKernel amx_32x32;
#endif

namespace {

// A micro-kernel that this build does not compile.
#if !defined(GEMMLAB_HAVE_AVX2)
constexpr const MicroKernel* portable_avx2_4x16_if_built = nullptr;
constexpr const MicroKernel* avx2_6x16_if_built = nullptr;
#else
constexpr const MicroKernel* portable_avx2_4x16_if_built = &portable_avx2_4x16;
constexpr const MicroKernel* avx2_6x16_if_built = &avx2_6x16;
#endif
#if !defined(GEMMLAB_HAVE_AVX512)
constexpr const MicroKernel* avx512_14x32_if_built = nullptr;
constexpr const SmallPath* avx512_small_if_built = nullptr;
#else
constexpr const MicroKernel* avx512_14x32_if_built = &avx512_14x32;
constexpr const SmallPath* avx512_small_if_built = &avx512_small;
#endif
#if !defined(GEMMLAB_HAVE_NEON)
constexpr const MicroKernel* neon_8x12_if_built = nullptr;
#else
constexpr const MicroKernel* neon_8x12_if_built = &neon_8x12;
#endif
#if !defined(GEMMLAB_HAVE_AVX2)
constexpr const Bf16MicroKernel* bf16_portable_avx2_4x16_if_built = nullptr;
#else
constexpr const Bf16MicroKernel* bf16_portable_avx2_4x16_if_built = &bf16_portable_avx2_4x16;
#endif
#if !defined(GEMMLAB_HAVE_AVX512BF16)
constexpr const Bf16MicroKernel* avx512bf16_14x32_if_built = nullptr;
#else
constexpr const Bf16MicroKernel* avx512bf16_14x32_if_built = &avx512bf16_14x32;
#endif
#if !defined(GEMMLAB_HAVE_AMX)
constexpr const Bf16MicroKernel* amx_32x32_if_built = nullptr;
#else
constexpr const Bf16MicroKernel* amx_32x32_if_built = &amx_32x32;
#endif

constexpr KernelDescriptor direct_kernel(Kernel id, std::string_view name, std::string_view description, KernelFn fn,
                                         std::string_view peak = {}) {
  KernelDescriptor d{};
  d.id = id;
  d.name = name;
  d.description = description;
  d.isa = Isa::baseline;
  d.direct = fn;
  d.peak_probe = peak;
  return d;
}

// A direct kernel's row with its arithmetic intensity (flops per byte its
// inner loop loads).
constexpr KernelDescriptor with_intensity(KernelDescriptor d, double flops_per_byte) {
  d.direct_flops_per_byte = flops_per_byte;
  return d;
}

constexpr KernelDescriptor packed_kernel(Kernel id, std::string_view name, std::string_view description, Isa isa,
                                         const MicroKernel* preferred, const MicroKernel* fallback,
                                         int whole_vector_floats, int simd_preference,
                                         const SmallPath* small = nullptr) {
  KernelDescriptor d{};
  d.id = id;
  d.name = name;
  d.description = description;
  d.isa = isa;
  d.micro_kernels[0] = preferred;
  d.micro_kernels[1] = fallback;
  d.small = small;
  d.threaded = true;
  d.whole_vector_floats = whole_vector_floats;
  d.simd_preference = simd_preference;
  return d;
}

constexpr KernelDescriptor bf16_direct_kernel(Kernel id, std::string_view name, std::string_view description,
                                              Bf16KernelFn fn) {
  KernelDescriptor d{};
  d.id = id;
  d.name = name;
  d.description = description;
  d.isa = Isa::baseline;
  d.element = ElementType::bf16;
  d.bf16_direct = fn;
  d.peak_probe = "scalar";
  return d;
}

constexpr KernelDescriptor bf16_packed_kernel(Kernel id, std::string_view name, std::string_view description, Isa isa,
                                              const Bf16MicroKernel* preferred, const Bf16MicroKernel* fallback,
                                              int whole_vector_floats, int simd_preference) {
  KernelDescriptor d{};
  d.id = id;
  d.name = name;
  d.description = description;
  d.isa = isa;
  d.element = ElementType::bf16;
  d.bf16_micro_kernels[0] = preferred;
  d.bf16_micro_kernels[1] = fallback;
  d.threaded = true;
  d.whole_vector_floats = whole_vector_floats;
  d.simd_preference = simd_preference;
  return d;
}

// In the order of the Kernel enum (kernel_descriptor relies on it).
// The peaks: naive sums one dot product at a time in order, which the
// compiler cannot vectorise without reordering the sum, so its ceiling is
// scalar; loop-order, tiled, register-tile and packed are portable C++
// whose inner loop (along a row of B and C) the compiler vectorises for the
// baseline target only, so theirs is the baseline's (the default for a
// direct kernel).
// The intensities, in flops per byte loaded (stores leave through their own
// port, and the bandwidth probes measure loads): naive's inner step loads one
// element of A and one of B (8 bytes) for one multiply-add (2 flops);
// loop-order's and tiled's load an element of B and one of C (and store C):
// also 1/4, yet they run ten times faster (docs/performance-model.md says why).
// register-tile's and packed's 4 x 16 tile loads 4 elements of A and 16 of B
// (80 bytes) for 64 multiply-adds: 128 / 80, as blocked's micro-kernel.
constexpr KernelDescriptor table[] = {
    with_intensity(direct_kernel(Kernel::naive, "naive", "textbook triple loop, one dot product per element of C",
                                 sgemm_naive, "scalar"),
                   2.0 / 8.0),
    with_intensity(direct_kernel(Kernel::loop_order, "loop-order",
                                 "the naive loops reordered (i, p, j) so the inner loop walks rows", sgemm_loop_order),
                   2.0 / 8.0),
    with_intensity(
        direct_kernel(Kernel::tiled, "tiled",
                      "loop-order cut into cache-sized blocks of B (no packing, no register tile)", sgemm_tiled),
        2.0 / 8.0),
    with_intensity(direct_kernel(Kernel::register_tile, "register-tile",
                                 "tiled's blocks with a 4 x 16 tile of C in registers, A and B read unpacked",
                                 sgemm_register_tile),
                   128.0 / 80.0),
    with_intensity(direct_kernel(Kernel::packed, "packed",
                                 "register-tile with A's and B's blocks copied into micro-panels (one file, baseline "
                                 "only)",
                                 sgemm_packed),
                   128.0 / 80.0),
    packed_kernel(Kernel::blocked, "blocked", "cache-blocked, packed, register-tiled portable C++ (no intrinsics)",
                  Isa::baseline, portable_avx2_4x16_if_built, &portable_4x16, 1, 0),
    packed_kernel(Kernel::simd_avx2, "simd-avx2", "AVX2 + FMA intrinsics, 256-bit registers", Isa::avx2_fma,
                  avx2_6x16_if_built, nullptr, 8, 2),
    packed_kernel(Kernel::simd_avx512, "simd-avx512", "AVX-512 (F, VL, BW, DQ) intrinsics, 512-bit registers",
                  Isa::avx512, avx512_14x32_if_built, nullptr, 16, 3, avx512_small_if_built),
    packed_kernel(Kernel::simd_neon, "simd-neon", "ARM64 NEON intrinsics, 128-bit registers", Isa::neon,
                  neon_8x12_if_built, nullptr, 1, 1),
    with_intensity(bf16_direct_kernel(Kernel::bf16_naive, "bf16-naive",
                                      "bf16 textbook triple loop: exact products, float sums in order", sbgemm_naive),
                   2.0 / 4.0),  // two 2-byte loads per multiply-add
    bf16_packed_kernel(Kernel::bf16_blocked, "bf16-blocked",
                       "bf16 cache-blocked, pair-packed portable C++ (no intrinsics)", Isa::baseline,
                       bf16_portable_avx2_4x16_if_built, &bf16_portable_4x16, 1, 0),
    bf16_packed_kernel(Kernel::bf16_avx512, "bf16-avx512", "AVX512-BF16 vdpbf16ps, k in pairs, 512-bit registers",
                       Isa::avx512_bf16, avx512bf16_14x32_if_built, nullptr, 16, 1),
    bf16_packed_kernel(Kernel::bf16_amx, "bf16-amx", "AMX tdpbf16ps on 16 x 16 tiles, 2 x 2 tiles of C", Isa::amx_bf16,
                       amx_32x32_if_built, nullptr, 16, 2),
};

// The first micro-kernel of the row that this CPU runs, or nullptr.
const MicroKernel* usable_micro_kernel(const KernelDescriptor& d) {
  for (const MicroKernel* mk : d.micro_kernels)
    if (mk != nullptr && isa_supported(mk->isa)) return mk;
  return nullptr;
}

const Bf16MicroKernel* usable_bf16_micro_kernel(const KernelDescriptor& d) {
  for (const Bf16MicroKernel* mk : d.bf16_micro_kernels)
    if (mk != nullptr && isa_supported(mk->isa)) return mk;
  return nullptr;
}

bool is_direct(const KernelDescriptor& d) { return d.direct != nullptr || d.bf16_direct != nullptr; }

bool compiled(const KernelDescriptor& d) {
  return is_direct(d) || d.micro_kernels[0] != nullptr || d.micro_kernels[1] != nullptr ||
         d.bf16_micro_kernels[0] != nullptr || d.bf16_micro_kernels[1] != nullptr;
}

ResolvedKernel resolve_row(const KernelDescriptor& d) {
  ResolvedKernel r;
  r.descriptor = &d;
  r.micro = is_direct(d) ? nullptr : usable_micro_kernel(d);
  r.bf16_micro = is_direct(d) ? nullptr : usable_bf16_micro_kernel(d);
  r.runnable = compiled(d) && isa_supported(d.isa) && (is_direct(d) || r.micro != nullptr || r.bf16_micro != nullptr);
  r.sgemm_runs = r.runnable && d.element == ElementType::f32;
  return r;
}

// The runnable row of `element` with the highest simd_preference, or fallback.
Kernel best_kernel(std::span<const ResolvedKernel> rows, ElementType element, Kernel fallback) {
  const KernelDescriptor* best = nullptr;
  for (const ResolvedKernel& r : rows) {
    const KernelDescriptor& d = *r.descriptor;
    if (d.element == element && d.simd_preference > 0 && r.runnable &&
        (best == nullptr || d.simd_preference > best->simd_preference))
      best = &d;
  }
  return best != nullptr ? best->id : fallback;
}

constexpr std::size_t kRows = std::size(table);
constexpr std::size_t kSimdIndex = kRows;  // Kernel::simd is the value after the last row

}  // namespace

std::span<const KernelDescriptor> kernel_table() { return table; }

const KernelDescriptor& kernel_descriptor(Kernel k) {
  const auto i = static_cast<std::size_t>(k);
  if (i < kRows && table[i].id == k) return table[i];
  if (k == Kernel::simd) return kernel_descriptor(resolve_kernel(k));
  throw std::invalid_argument("gemmlab: unknown Kernel value " + std::to_string(static_cast<int>(k)));
}

std::span<const ResolvedKernel> resolved_kernels() {
  static const std::array<ResolvedKernel, kRows + 1> all = [] {
    std::array<ResolvedKernel, kRows + 1> out{};
    for (std::size_t i = 0; i < kRows; ++i) out[i] = resolve_row(table[i]);
    // `simd` without a SIMD kernel for this CPU runs blocked, which always can.
    const Kernel best = best_kernel(std::span(out).first(kRows), ElementType::f32, Kernel::blocked);
    out[kSimdIndex] = out[static_cast<std::size_t>(best)];
    return out;
  }();
  return all;
}

const ResolvedKernel& resolved_bf16_simd() {
  static const ResolvedKernel& best = []() -> const ResolvedKernel& {
    const std::span<const ResolvedKernel> rows = resolved_kernels().first(kRows);
    return rows[static_cast<std::size_t>(best_kernel(rows, ElementType::bf16, Kernel::bf16_blocked))];
  }();
  return best;
}

const ResolvedKernel& resolved(Kernel k, ElementType element) {
  return k == Kernel::simd && element == ElementType::bf16 ? resolved_bf16_simd() : resolved(k);
}

const ResolvedKernel& resolved(Kernel k) {
  const std::span<const ResolvedKernel> all = resolved_kernels();
  const auto i = static_cast<std::size_t>(k);
  if (i >= all.size())
    throw std::invalid_argument("gemmlab: unknown Kernel value " + std::to_string(static_cast<int>(k)));
  return all[i];
}

std::span<const MicroKernel* const> micro_kernels() {
  static const std::vector<const MicroKernel*> all = [] {
    std::vector<const MicroKernel*> out;
    for (const KernelDescriptor& d : table)
      for (const MicroKernel* mk : d.micro_kernels)
        if (mk != nullptr && std::find(out.begin(), out.end(), mk) == out.end()) out.push_back(mk);
    return out;
  }();
  return all;
}

std::span<const Bf16MicroKernel* const> bf16_micro_kernels() {
  static const std::vector<const Bf16MicroKernel*> all = [] {
    std::vector<const Bf16MicroKernel*> out;
    for (const KernelDescriptor& d : table)
      for (const Bf16MicroKernel* mk : d.bf16_micro_kernels)
        if (mk != nullptr) out.push_back(mk);
    return out;
  }();
  return all;
}

}  // namespace gemmlab::detail

namespace gemmlab {

using detail::kernel_descriptor;

std::string_view kernel_name(Kernel k) { return k == Kernel::simd ? "simd" : kernel_descriptor(k).name; }

std::string_view kernel_description(Kernel k) {
  return k == Kernel::simd ? "the best SIMD kernel this CPU supports" : kernel_descriptor(k).description;
}

std::string_view kernel_isa(Kernel k) {
  return k == Kernel::simd ? "best available" : detail::isa_name(kernel_descriptor(k).isa);
}

Kernel kernel_from_name(std::string_view name) {
  std::string valid;
  for (const detail::KernelDescriptor& d : detail::table) {
    if (d.name == name) return d.id;
    valid += valid.empty() ? "" : ", ";
    valid += d.name;
  }
  if (name == "simd") return Kernel::simd;
  valid += ", simd";
  throw std::invalid_argument("unknown kernel '" + std::string(name) + "' (valid: " + valid + ")");
}

bool kernel_available(Kernel k) { return detail::resolved(k).runnable; }

Kernel resolve_kernel(Kernel k) { return detail::resolved(k).descriptor->id; }

// A concrete kernel's properties are in its row; only `simd` needs the CPU
// (to know which row it stands for).
bool kernel_threaded(Kernel k) { return kernel_descriptor(k).threaded; }

int kernel_whole_vector_floats(Kernel k) { return kernel_descriptor(k).whole_vector_floats; }

std::string_view kernel_micro_kernel(Kernel k) {
  const detail::ResolvedKernel& r = detail::resolved(k);
  if (r.micro != nullptr) return r.micro->name;
  return r.bf16_micro != nullptr ? r.bf16_micro->name : "";
}

std::string_view kernel_peak_probe(Kernel k) {
  const detail::ResolvedKernel& r = detail::resolved(k);
  if (!r.descriptor->peak_probe.empty()) return r.descriptor->peak_probe;
  const detail::Isa isa = r.micro != nullptr        ? r.micro->isa
                          : r.bf16_micro != nullptr ? r.bf16_micro->isa
                                                    : r.descriptor->isa;
  return detail::isa_peak_probe(isa);
}

double kernel_flops_per_byte(Kernel k) {
  const detail::ResolvedKernel& r = detail::resolved(k);
  // Each step of a micro-kernel's loop loads an MR-element column of its A
  // panel and an NR-element row of its B panel (for bf16, k in pairs: twice
  // the elements at half the bytes, and twice the multiply-adds) and does
  // MR x NR multiply-adds: 2 MR NR / (bytes per element x (MR + NR)). The
  // tile of C is loaded once per KC steps, which this leaves out.
  if (r.micro != nullptr) return 2.0 * r.micro->mr * r.micro->nr / (4.0 * (r.micro->mr + r.micro->nr));
  if (r.bf16_micro != nullptr)
    return 2.0 * r.bf16_micro->mr * r.bf16_micro->nr / (2.0 * (r.bf16_micro->mr + r.bf16_micro->nr));
  return r.descriptor->direct_flops_per_byte;
}

std::string kernel_status(Kernel k) {
  const detail::ResolvedKernel& r = detail::resolved(k);
  const detail::KernelDescriptor& d = *r.descriptor;
  if (k == Kernel::simd) {
    if (d.simd_preference == 0) return "yes: no SIMD kernel for this CPU, falls back to " + std::string(d.name);
    return "yes: runs " + std::string(d.name);
  }
  if (!detail::compiled(d))
    return "no: not compiled into this binary (needs " + std::string(detail::isa_name(d.isa)) + " target)";
  if (!r.runnable) return "no: " + detail::isa_why_not(d.isa);
  if (r.micro != nullptr && d.micro_kernels[1] != nullptr)
    return std::string("yes: micro-kernel ").append(r.micro->name);
  if (r.bf16_micro != nullptr && d.bf16_micro_kernels[1] != nullptr)
    return std::string("yes: micro-kernel ").append(r.bf16_micro->name);
  return "yes";
}

std::string simd_status(Precision p) {
  if (p == Precision::f32) return kernel_status(Kernel::simd);
  const detail::KernelDescriptor& d = *detail::resolved_bf16_simd().descriptor;
  if (d.simd_preference == 0) return "yes: no bf16 instructions on this CPU, falls back to " + std::string(d.name);
  return "yes: runs " + std::string(d.name);
}

namespace {

Precision precision_of(const detail::KernelDescriptor& d) {
  return d.element == detail::ElementType::bf16 ? Precision::bf16 : Precision::f32;
}

// The rows of one precision, in table order, then `simd`.
std::vector<Kernel> kernels_of(Precision p) {
  std::vector<Kernel> out;
  for (const detail::KernelDescriptor& d : detail::table)
    if (precision_of(d) == p) out.push_back(d.id);
  out.push_back(Kernel::simd);
  return out;
}

}  // namespace

std::span<const Kernel> all_kernels() { return all_kernels(Precision::f32); }

std::span<const Kernel> all_kernels(Precision p) {
  static const std::vector<Kernel> f32 = kernels_of(Precision::f32), bf16 = kernels_of(Precision::bf16);
  return p == Precision::bf16 ? bf16 : f32;
}

std::vector<Kernel> available_kernels(Precision p) {
  std::vector<Kernel> out;
  for (Kernel k : all_kernels(p))
    if (kernel_available(k)) out.push_back(k);
  return out;
}

bool kernel_computes(Kernel k, Precision p) { return k == Kernel::simd || precision_of(kernel_descriptor(k)) == p; }

Kernel resolve_kernel(Kernel k, Precision p) {
  return detail::resolved(k, p == Precision::bf16 ? detail::ElementType::bf16 : detail::ElementType::f32)
      .descriptor->id;
}

std::string_view precision_name(Precision p) { return p == Precision::bf16 ? "bf16" : "f32"; }

Precision precision_from_name(std::string_view name) {
  if (name == "f32" || name == "fp32") return Precision::f32;
  if (name == "bf16") return Precision::bf16;
  throw std::invalid_argument("unknown precision '" + std::string(name) + "' (valid: f32, bf16)");
}

}  // namespace gemmlab
