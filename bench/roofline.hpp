// bench/roofline.hpp — the roofline chart: what bounds each kernel.
//
// A kernel that does I flops per byte it loads from a level of the memory
// hierarchy cannot run faster than I x that level's bandwidth,
// nor faster than the FMA units' peak: its roof is min(peak, I x bandwidth).
// On log-log axes each bandwidth is a line of slope 1 and each peak a
// horizontal line (Williams, Waterman & Patterson, "Roofline", CACM 2009).
// The intensity here is the core's view — the bytes its load instructions
// move, whichever level serves them — as in the cache-aware
// roofline of Ilic, Pratas & Sousa (IEEE CAL 2014), so that one number per
// kernel (gemmlab::kernel_flops_per_byte) is read against every level's roof.
#pragma once

#include <string>
#include <vector>

#include "gemm_bench.hpp"
#include "machine_model.hpp"
#include "plot.hpp"

namespace gemmlab::bench {

// One kernel's point: its intensity and the GFLOP/s of its largest square
// size on one thread (row-major, untransposed), the size the chart names.
struct RooflinePoint {
  Kernel id = Kernel::naive;
  std::string kernel;  // as the GEMM table names it
  double flops_per_byte = 0;
  double gflops = 0;
  int n = 0;
};
std::vector<RooflinePoint> roofline_points(const std::vector<GemmRow>& rows);

// The chart, from the 1-thread peaks, the bandwidths and the points.
std::string roofline_svg(const PeakTable& peaks, const MachineModel& model, const std::vector<RooflinePoint>& points,
                         const PlotLabels& labels);

}  // namespace gemmlab::bench
