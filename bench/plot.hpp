// bench/plot.hpp — the GEMM chart: GFLOP/s against the square size.
#pragma once

#include <string>
#include <vector>

#include "gemm_bench.hpp"

namespace gemmlab::bench {

struct PlotLabels {
  std::string title;     // e.g. "gemmlab sgemm on Intel(R) Xeon(R) Processor"
  std::string subtitle;  // e.g. the date and the command
};

// GFLOP/s against N for the square shapes (log2 x axis, y from 0), one line
// per kernel and thread count, and each measured peak its kernels are compared
// with as a dashed horizontal line in the colour of the first such kernel.
std::string gemm_plot_svg(const std::vector<GemmRow>& rows, const PeakTable& peaks, const PlotLabels& labels);

}  // namespace gemmlab::bench
