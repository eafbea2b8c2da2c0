// src/gemm/blocking.hpp — internal: the cache blocks (KC, MC, NC) the float
// five-loop driver uses: the analytical model's choice from the caches the
// CPU describes (blocking.cpp has the model and its reasoning), or each
// micro-kernel's measured constants, a tuning file's (GEMMLAB_TUNING_FILE,
// written by `gemmlab tune`), and GEMMLAB_BLOCKING's sizes.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gemm/microkernel.hpp"
#include "gemmlab/cpu.hpp"

namespace gemmlab::detail {

// What the model chose for one register tile, and why, in words a person
// can check against the cache description.
struct BlockingChoice {
  Blocking blocking;
  std::string reasoning;  // one line per block size
};

// The model: the block sizes of an MR x NR float micro-kernel on caches
// described by `caches`; `constants` (the micro-kernel's own) are kept for a
// level the description leaves out; `streams_from_l2` as the micro-kernel's
// streams_panels_from_l2. Pure: depends on its arguments only.
BlockingChoice model_blocking(int mr, int nr, const CacheInfo& caches, const Blocking& constants,
                              bool streams_from_l2 = false);

// GEMMLAB_BLOCKING's text: entries separated by commas, each at most once,
// in any order: "constants" (start from the micro-kernel's constants
// instead of the model's block sizes) or "model" (the default, said
// explicitly), and "kc=N", "mc=N", "nc=N" (set that size); values decimal,
// 1 to the limits in blocking.cpp. 0 in a field of the result: not given.
// Throws std::invalid_argument naming the variable, the value and what is
// wrong.
struct BlockingOverride {
  bool model = false;
  bool constants = false;
  int mc = 0, kc = 0, nc = 0;
};
BlockingOverride parse_blocking_override(std::string_view text);

// `b` with the given fields of `o`, mc rounded up to a multiple of mr and
// nc to a multiple of nr (the driver's invariants).
Blocking apply_override(Blocking b, const BlockingOverride& o, int mr, int nr);

// What is wrong with block sizes given from outside (GEMMLAB_BLOCKING, a
// tuning file, sgemm_with_blocks), by the limits every one of them obeys:
// KC 1..16384, MC 1..65536, NC 1..1048576, a packed block (KC x NC or
// MC x KC floats) at most 1 GiB. Empty when they are within them.
std::string block_sizes_problem(const Blocking& b);

// ---- tuning files (GEMMLAB_TUNING_FILE) ------------------------------------------
//
// The format, one line at a time (lines end with \n, or \r\n):
//   * a blank line (nothing, or spaces and tabs only), or a comment: its
//     first character other than a space or a tab is '#';
//   * or one micro-kernel's block sizes:
//         micro-kernel NAME kc=N mc=N nc=N
//     words separated by spaces or tabs; NAME a float micro-kernel of this
//     build (`gemmlab kernels` names each kernel's); the three sizes each
//     exactly once, in any order, decimal digits only, within the limits of
//     block_sizes_problem. MC and NC are rounded up to the tile as
//     GEMMLAB_BLOCKING's are. A micro-kernel appears on one line at most.
// Only printable ASCII and tabs; a line at most kMaxTuningLineBytes bytes, a
// file at most kMaxTuningFileBytes.
inline constexpr std::size_t kMaxTuningLineBytes = 256;
inline constexpr std::size_t kMaxTuningFileBytes = std::size_t{1} << 20;

struct TuningEntry {
  const MicroKernel* micro = nullptr;
  Blocking blocking;  // as the file gives it (not yet rounded to the tile)
  int line = 0;       // where, counted from 1
};

// The entries of a tuning file's text, in the file's order, each naming one
// of `known` (the build's float micro-kernels: micro_kernels()). `source`
// is how messages name the file (GEMMLAB_TUNING_FILE='path'). Throws
// std::invalid_argument "<source>, line N: <the problem> (the line: '...')"
// for the first line that breaks the format. Pure: depends on its
// arguments only.
std::vector<TuningEntry> parse_tuning_file(std::string_view text, std::string_view source,
                                           std::span<const MicroKernel* const> known);

// The whole file at `path`, at most kMaxTuningFileBytes; throws
// std::invalid_argument "<source>: cannot read it: <the system's reason>"
// (or: it is too large).
std::string read_tuning_file(const std::string& path, std::string_view source);

// The block sizes mk runs with on this machine: for a micro-kernel of the
// kernel table the model's choice on the CPU's caches (or, with
// GEMMLAB_BLOCKING=constants, its constants), replaced by the tuning file's line for it
// when GEMMLAB_TUNING_FILE names a file that has one, then
// GEMMLAB_BLOCKING's sizes; mk.blocking itself for one that is not in the
// table (the tests build such copies with tiny blocks). Decided once per
// micro-kernel. Throws std::invalid_argument while GEMMLAB_BLOCKING or
// GEMMLAB_TUNING_FILE is invalid.
const Blocking& blocking_for(const MicroKernel& mk);

// How mk's blocks were decided on this machine, for `gemmlab kernels
// --verbose`: the model's reasoning, the tuning file's line and any override.
std::string blocking_explanation(const MicroKernel& mk);

// Reads GEMMLAB_BLOCKING and GEMMLAB_TUNING_FILE (once); throws while
// either is invalid. For the settings check every call makes (threads.hpp).
void check_blocking_setting();

}  // namespace gemmlab::detail
