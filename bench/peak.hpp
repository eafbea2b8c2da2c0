// bench/peak.hpp — the machine's measured peak, per ISA and thread count.
//
// "Peak" here is what the FMA (or multiply + add) units deliver when nothing
// else gets in the way: the loops of peak_loops.hpp, run on 1 thread and on
// N threads at once. It is measured, not computed from a data sheet, because
// the clock a core sustains under vector load (and on a virtual machine, the
// share of the core it gets) is not printed anywhere reliable.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gemmlab/gemm.hpp"
#include "measure.hpp"

namespace gemmlab::bench {

// One probe: a loop from peak_loops.hpp and what it measures.
struct PeakProbe {
  std::string_view isa;        // "scalar", "sse2", "avx2", "avx512", "neon", "avx512bf16", "amx"
  std::string_view what;       // one line for people
  double flops_per_iteration;  // of the loop: chains x flops per instruction
  // Of one vector multiply-add (an FMA instruction, or a multiply and an add
  // where the probe has no FMA): 2 x lanes; a vdpbf16ps 64, a tdpbf16ps
  // 32768. Flops per cycle over this is how many the core completes per
  // cycle: its multiply-add units, when the probe keeps them all busy.
  double flops_per_multiply_add;
  float (*loop)(std::int64_t iterations, float multiplier, float addend);
};

// The probes this binary carries and this CPU can run, narrowest first.
std::vector<PeakProbe> available_probes();

struct PeakResult {
  std::string isa;
  int threads = 1;
  double gflops_best = 0;    // the fastest sample: the core at its highest clock, undisturbed
  double gflops_median = 0;  // the typical sample: what "% of peak" is measured against (PeakTable::gflops)
  double gflops_min = 0;
  std::vector<double> sample_gflops;  // every sample, so two runs can be merged

  // Adds the samples of another run of the same probe (the sweep measures the
  // peak before and after the kernels: a busy moment lowers one of them).
  void merge(const PeakResult& other);
};

// Runs every probe on each thread count (that many std::threads at once,
// released together) and reports the total GFLOP/s over all threads: best,
// median and slowest of `config.samples` samples, taken in round-robin order
// so that each probe's samples spread over the whole run. `step` is called with a short
// description before each probe is calibrated (for the progress line).
std::vector<PeakResult> measure_peaks(std::span<const PeakProbe> probes, std::span<const int> thread_counts,
                                      const MeasureConfig& config, const std::function<void(const std::string&)>& step);

// The probe whose peak a kernel is compared with: the instructions it
// really executes (gemmlab::kernel_peak_probe, from the kernel table).
std::string peak_isa_for(Kernel k);

}  // namespace gemmlab::bench
