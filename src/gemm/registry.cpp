// The kernel table: one row per kernel. The tests, the benchmark and the CLI
// all iterate over it, so adding a kernel is one row here (plus its file).
#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "gemm/kernels.hpp"
#include "gemmlab/cpu.hpp"

namespace gemmlab::detail {
namespace {

bool always() { return true; }
bool has_avx2() { return cpu_features().avx2 && cpu_features().fma; }
bool has_avx512() { return cpu_features().avx512_f_vl_bw_dq(); }
bool has_neon() { return cpu_features().neon; }

#if defined(GEMMLAB_HAVE_AVX2)
constexpr KernelFn avx2_fn = sgemm_avx2;
#else
constexpr KernelFn avx2_fn = nullptr;
#endif
#if defined(GEMMLAB_HAVE_AVX512)
constexpr KernelFn avx512_fn = sgemm_avx512;
#else
constexpr KernelFn avx512_fn = nullptr;
#endif
#if defined(GEMMLAB_HAVE_NEON)
constexpr KernelFn neon_fn = sgemm_neon;
#else
constexpr KernelFn neon_fn = nullptr;
#endif

// `simd` has no function of its own: resolve_kernel() maps it to a row below.
// Each row: id, whole_vector_floats (kernels.hpp), name, isa, description,
// function, CPU check.
constexpr KernelEntry table[] = {
    {Kernel::naive, 1, "naive", "portable", "textbook triple loop, one dot product per element of C", sgemm_naive,
     always},
    {Kernel::loop_order, 1, "loop-order", "portable",
     "the naive loops reordered (i, p, j) so the inner loop walks rows", sgemm_loop_order, always},
    {Kernel::tiled, 1, "tiled", "portable",
     "loop-order cut into cache-sized blocks of B (no packing, no register tile)", sgemm_tiled, always},
    {Kernel::blocked, 1, "blocked", "portable", "cache-blocked, packed, register-tiled portable C++ (no intrinsics)",
     sgemm_blocked, always},
    {Kernel::simd, 1, "simd", "best available", "the best SIMD kernel this CPU supports", nullptr, always},
    {Kernel::simd_avx2, 8, "simd-avx2", "AVX2+FMA", "AVX2 + FMA intrinsics, 256-bit registers", avx2_fn, has_avx2},
    {Kernel::simd_avx512, 16, "simd-avx512", "AVX-512", "AVX-512 (F, VL, BW, DQ) intrinsics, 512-bit registers",
     avx512_fn, has_avx512},
    {Kernel::simd_neon, 1, "simd-neon", "NEON", "ARM64 NEON intrinsics, 128-bit registers", neon_fn, has_neon},
};

}  // namespace

std::span<const KernelEntry> kernel_table() { return table; }

const KernelEntry& kernel_entry(Kernel k) {
  for (const auto& e : table)
    if (e.id == k) return e;
  throw std::invalid_argument("gemmlab: unknown Kernel value " + std::to_string(static_cast<int>(k)));
}

}  // namespace gemmlab::detail

namespace gemmlab {

using detail::kernel_entry;
using detail::kernel_table;

std::string_view kernel_name(Kernel k) { return kernel_entry(k).name; }
std::string_view kernel_description(Kernel k) { return kernel_entry(k).description; }
std::string_view kernel_isa(Kernel k) { return kernel_entry(k).isa; }

Kernel kernel_from_name(std::string_view name) {
  std::string valid;
  for (const auto& e : kernel_table()) {
    if (e.name == name) return e.id;
    valid += valid.empty() ? "" : ", ";
    valid += e.name;
  }
  throw std::invalid_argument("unknown kernel '" + std::string(name) + "' (valid: " + valid + ")");
}

bool kernel_available(Kernel k) {
  if (k == Kernel::simd) return true;  // falls back to a portable kernel
  const auto& e = kernel_entry(k);
  return e.fn != nullptr && e.cpu_supports();
}

Kernel resolve_kernel(Kernel k) {
  if (k != Kernel::simd) return k;
  for (Kernel candidate : {Kernel::simd_avx512, Kernel::simd_avx2, Kernel::simd_neon})
    if (kernel_available(candidate)) return candidate;
  return Kernel::blocked;
}

std::string kernel_status(Kernel k) {
  const auto& e = kernel_entry(k);
  if (k == Kernel::simd) {
    const Kernel r = resolve_kernel(k);
    if (r == Kernel::blocked) return "yes: no SIMD kernel for this CPU, falls back to blocked";
    return "yes: runs " + std::string(kernel_name(r));
  }
  if (e.fn == nullptr) return "no: not compiled into this binary (needs " + std::string(e.isa) + " target)";
  if (!e.cpu_supports()) return "no: this CPU lacks " + std::string(e.isa);
  if (k == Kernel::blocked) return std::string("yes: micro-kernel ").append(detail::blocked_micro_kernel_name());
  return "yes";
}

std::span<const Kernel> all_kernels() {
  static const auto ids = [] {
    std::array<Kernel, std::size(detail::table)> out{};
    std::transform(std::begin(detail::table), std::end(detail::table), out.begin(),
                   [](const detail::KernelEntry& e) { return e.id; });
    return out;
  }();
  return ids;
}

std::vector<Kernel> available_kernels() {
  std::vector<Kernel> out;
  for (Kernel k : all_kernels())
    if (kernel_available(k)) out.push_back(k);
  return out;
}

}  // namespace gemmlab
