// bench/report.hpp — the results as tables on stdout and as files.
#pragma once

#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "gemm_bench.hpp"
#include "machine_model.hpp"
#include "rnn_bench.hpp"

namespace gemmlab::bench {

struct RunInfo {
  std::string cpu;           // brand string
  std::string features;      // cpu_features().summary()
  std::string date;          // UTC, "YYYY-MM-DD HH:MM UTC"
  std::string command_line;  // as typed
  std::string kernel_note;   // e.g. "simd runs simd-avx512 on this CPU"
  std::string commit;        // --commit, or empty
};

// The measured row of one kernel, variant, input form, thread count and
// shape, or nullptr; and its table cell: "241 (94%)", "WRONG RESULT" or "-".
const GemmRow* find_gemm_row(const std::vector<GemmRow>& rows, Kernel k, const GemmVariant& v, bool f32_inputs,
                             int threads, const Shape& s);
std::string gemm_cell(const GemmRow* row);

void print_peaks(std::FILE* out, const PeakTable& peaks);
// The clock, the FMA latency, what each 1-thread peak implies with the clock
// (implied_peak), and the bandwidths.
void print_machine_model(std::FILE* out, const MachineModel& model, std::span<const PeakProbe> probes,
                         const PeakTable& peaks);
void print_gemm_table(std::FILE* out, const std::vector<GemmRow>& rows, const Options& options);
void print_rnn_table(std::FILE* out, const std::vector<RnnRow>& rows);

// gemm.csv, rnn.csv, peak.csv and info.txt in `dir` (created if missing).
// Throws std::runtime_error naming the file it could not write.
void write_csv_files(const std::string& dir, const RunInfo& info, const PeakTable& peaks,
                     const std::vector<GemmRow>& gemm_rows, const std::vector<RnnRow>& rnn_rows);

}  // namespace gemmlab::bench
