// bench/gemm_bench.hpp — GFLOP/s of each kernel over the shapes, each result
// checked before its timing counts.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"
#include "peak.hpp"
#include "progress.hpp"

namespace gemmlab::bench {

// The measured peaks, looked up by ISA and thread count.
class PeakTable {
 public:
  explicit PeakTable(std::vector<PeakResult> results) : results_(std::move(results)) {}
  // The peak a kernel on `threads` threads is compared with (the % of peak):
  // threads x the MEDIAN 1-thread sample of that ISA's probe, but never more
  // than the best `threads`-thread sample. 0 when that probe was not run.
  // Why the median: the GEMM figures are medians too, and the probe's fastest
  // samples catch the core at a higher clock than its typical one (on this
  // lab's machine the best of 120 AVX-512 samples is 5-8% above the median),
  // so best against median would understate every kernel. Why threads x the
  // 1-thread median: on a shared machine most N-thread samples find a core
  // busy, so their median measures the other processes, not the cores.
  double gflops(const std::string& isa, int threads) const;
  // The highest gflops(isa, threads) of any ISA: what the machine can do.
  double machine_gflops(int threads) const;
  const std::vector<PeakResult>& results() const { return results_; }

 private:
  std::vector<PeakResult> results_;
};

struct GemmRow {
  Kernel kernel = Kernel::naive;
  GemmVariant variant;  // layout and transposes of the timed call
  // For a bf16 kernel: A and B passed as float, rounded by sbgemm while it
  // packs (name gains " f32in"); false: passed as bf16. Float kernels: false.
  bool f32_inputs = false;
  std::string name;  // the kernel's name as reported, with the variant unless it is row-major NN
  int threads = 1;
  Shape shape;
  bool skipped = false;
  std::string skip_reason;
  bool check_passed = false;
  std::string check_method;      // "naive" (every element) or "double" (sampled elements)
  double worst_error_ratio = 0;  // max |error| / bound over the elements checked
  std::string check_failure;     // the first failing element, when one fails
  Timing timing;
  double gflops = 0, gflops_min = 0, gflops_max = 0;  // from the median, max and min time
  std::string peak_isa;
  double peak_gflops = 0;  // that ISA's peak on the same thread count, PeakTable::gflops (0: not measured)
  double pct_peak = 0;     // 100 * gflops / peak_gflops
  double pct_machine = 0;  // 100 * gflops / the highest peak of any ISA (PeakTable::machine_gflops)
};

// A bf16 kernel (sbgemm's), as opposed to a float one or `simd` (which, by
// name in --kernels, means the float one).
bool is_bf16(Kernel k);

// The input forms a kernel is timed with: {false} for a float kernel,
// {false, true} (bf16 inputs, then float inputs) for a bf16 kernel.
std::vector<bool> input_forms(Kernel k);
// " f32in" for a bf16 kernel given float inputs, else "".
std::string input_suffix(Kernel k, bool f32_inputs);

// Whether a kernel uses more than one thread (gemmlab::kernel_threaded, from
// the kernel table): single-threaded kernels are timed on 1 thread only.
bool kernel_is_threaded(Kernel k);

std::vector<GemmRow> run_gemm_sweep(const Options& options, Progress& progress);

// Fills peak_gflops, pct_peak and pct_machine of every measured row.
void fill_peak_columns(std::vector<GemmRow>& rows, const PeakTable& peaks);

// Makes `calls` untimed calls of one kernel on one shape (--loop mode).
void run_gemm_loop(Kernel kernel, const Shape& shape, int threads, std::int64_t calls);

}  // namespace gemmlab::bench
