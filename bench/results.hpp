// bench/results.hpp — one run's results as a Markdown page (results.md).
//
// Everything a docs page quotes comes from one such file: the machine, the
// commit and the command first, then the machine model (clock, peaks and
// what they imply, bandwidths), the GEMM tables, each kernel against its
// roofs, and the RNN.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "gemm_bench.hpp"
#include "machine_model.hpp"
#include "report.hpp"
#include "rnn_bench.hpp"
#include "roofline.hpp"

namespace gemmlab::bench {

std::string results_markdown(const RunInfo& info, const Options& options, std::span<const PeakProbe> probes,
                             const PeakTable& peaks, const MachineModel& model, const std::vector<GemmRow>& gemm_rows,
                             const std::vector<RooflinePoint>& points, const std::vector<RnnRow>& rnn_rows);

}  // namespace gemmlab::bench
