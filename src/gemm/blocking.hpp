// src/gemm/blocking.hpp — internal: the cache blocks (KC, MC, NC) the float
// five-loop driver uses: each micro-kernel's measured constants, or the
// analytical model's choice from the caches the CPU describes (blocking.cpp
// has the model and its reasoning), and GEMMLAB_BLOCKING's sizes.
#pragma once

#include <string>
#include <string_view>

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
// level the description leaves out. Pure: depends on its arguments only.
BlockingChoice model_blocking(int mr, int nr, const CacheInfo& caches, const Blocking& constants);

// GEMMLAB_BLOCKING's text: entries separated by commas, each at most once,
// in any order: "model" (start from the model's block sizes instead of the
// micro-kernel's constants) and "kc=N", "mc=N", "nc=N" (set that size);
// values decimal, 1 to the limits in blocking.cpp. 0 in a field of the
// result: not given. Throws std::invalid_argument naming the variable, the
// value and what is wrong.
struct BlockingOverride {
  bool model = false;
  int mc = 0, kc = 0, nc = 0;
};
BlockingOverride parse_blocking_override(std::string_view text);

// `b` with the given fields of `o`, mc rounded up to a multiple of mr and
// nc to a multiple of nr (the driver's invariants).
Blocking apply_override(Blocking b, const BlockingOverride& o, int mr, int nr);

// The block sizes mk runs with on this machine: for a micro-kernel of the
// kernel table its constants (or, with GEMMLAB_BLOCKING=model, the model's
// choice on the CPU's caches), then GEMMLAB_BLOCKING's sizes;
// mk.blocking itself for one that is not in the table (the tests build
// such copies with tiny blocks). Decided once per micro-kernel. Throws
// std::invalid_argument while GEMMLAB_BLOCKING is invalid.
const Blocking& blocking_for(const MicroKernel& mk);

// How mk's blocks were decided on this machine, for `gemmlab kernels
// --verbose`: the model's reasoning and any override.
std::string blocking_explanation(const MicroKernel& mk);

// Reads GEMMLAB_BLOCKING (once); throws while it is invalid. For the
// settings check every call makes (threads.hpp).
void check_blocking_setting();

}  // namespace gemmlab::detail
