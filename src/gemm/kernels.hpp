// src/gemm/kernels.hpp — internal: the kernel table, one descriptor per kernel.
//
// A KernelDescriptor is everything a kernel is: its name, what it needs from
// the CPU, how it computes (a direct function, or a micro-kernel in the
// shared five-loop driver with an optional small-matrix path), whether it
// is threaded, and the peak the bench compares it with. registry.cpp holds
// the table; the dispatcher (sgemm.cpp), the CLI, the bench and the tests
// all read it through the public functions of gemmlab/gemm.hpp, so no other
// file lists kernels.
//
// Adding a kernel:
//   * a teaching step: its file (a KernelFn, problem.hpp) and one row;
//   * a micro-kernel for an ISA the build knows: its file, which defines its
//     MicroKernel (microkernel.hpp), and one row naming it;
//   * a new ISA: the same, plus its Isa value (core/isa.hpp) and its flag
//     line in the Makefile.
#pragma once

#include <span>
#include <string_view>

#include "core/isa.hpp"
#include "gemm/bf16_microkernel.hpp"
#include "gemm/microkernel.hpp"
#include "gemm/problem.hpp"
#include "gemm/sbgemm_problem.hpp"
#include "gemmlab/gemm.hpp"

namespace gemmlab::detail {

// The shapes a small path takes (any of three kinds), as data, so that the
// dispatcher tests them inline, without a call per multiplication.
struct SmallCrossover {
  double max_cube_volume;  // a small cube: M * N * K at most this ...
  index max_cube_k;        // ... and K at most this
  index max_skinny_side;   // a skinny product: M or N at most this ...
  index max_skinny_k;      // ... and K at most this
  index max_shallow_k;     // a shallow one: K at most this ...
  index max_shallow_kn;    // ... and K * N (the size of B) at most this

  // Whether the small path takes an M x N x K product (defined in sgemm.cpp).
  bool takes(index M, index N, index K) const;
};

// An unpacked path for the shapes where packing does not pay (small.hpp).
struct SmallPath {
  KernelFn run;               // the multiplication (problem.hpp contract)
  SmallCrossover crossover;   // when to take it
  int row_tile, col_tile;     // threads split C in whole tiles of this size
  double min_parallel_flops;  // below this, one thread (waking the pool costs more)
};

// What A and B hold: float (sgemm) or bf16 (sbgemm). Each kernel computes
// one; the entry points refuse a kernel of the other.
enum class ElementType { f32, bf16 };

struct KernelDescriptor {
  std::string_view name;         // what kernel_name() returns
  std::string_view description;  // one line for `gemmlab kernels`
  // The bench's peak probe for this kernel; empty: the probe of the ISA of
  // the micro-kernel it runs (isa_peak_probe).
  std::string_view peak_probe;
  // How it computes: either a direct function (the teaching steps) ...
  KernelFn direct = nullptr;
  // ... or the five-loop driver with the first micro-kernel of this list
  // that the CPU supports (blocked has a baseline and an AVX2 copy of one
  // source), and optionally a small-matrix path for the shapes it chooses.
  // An entry is nullptr when its file is not built (SIMD=none).
  const MicroKernel* micro_kernels[2] = {nullptr, nullptr};
  const SmallPath* small = nullptr;
  // A bf16 kernel has one of these instead: a direct function, or the
  // bf16 five-loop driver's micro-kernels (the first this CPU runs).
  Bf16KernelFn bf16_direct = nullptr;
  const Bf16MicroKernel* bf16_micro_kernels[2] = {nullptr, nullptr};
  Kernel id = Kernel::naive;
  Isa isa = Isa::baseline;  // what the CPU must support
  ElementType element = ElementType::f32;
  // Rows of C that are a multiple of this many floats wide are written with
  // whole, unmasked vector stores (a masked store delays the next load of the
  // same memory: docs/rnn-performance.md, "Whole vectors"). 1: the kernel
  // has no such preference.
  int whole_vector_floats = 1;
  // Whether `simd` may pick this kernel: 0 never; otherwise the available
  // kernel of the call's element type with the highest preference wins (the
  // widest vectors; for bf16, the tile engine over vdpbf16ps).
  int simd_preference = 0;
  bool threaded = false;  // splits one call between threads (set_num_threads)
  // A direct kernel's arithmetic intensity as the core sees it: flops per
  // byte its inner loop loads (docs/performance-model.md). A
  // micro-kernel's follows from its tile (kernel_flops_per_byte). 0: not modelled.
  double direct_flops_per_byte = 0;
};

// The rows, in the order of the Kernel enum (`simd` has no row: it names
// the available row with the highest simd_preference, among the float rows
// for sgemm and the bf16 rows for sbgemm).
std::span<const KernelDescriptor> kernel_table();
// The row of a concrete kernel; throws std::invalid_argument for a value
// outside the enum.
const KernelDescriptor& kernel_descriptor(Kernel k);

// A kernel ready to run: its row and the micro-kernel it uses here
// (nullptr for a direct kernel, or when it cannot run here).
struct ResolvedKernel {
  const KernelDescriptor* descriptor = nullptr;
  const MicroKernel* micro = nullptr;
  const Bf16MicroKernel* bf16_micro = nullptr;
  bool runnable = false;
  // runnable and a float kernel: what sgemm tests, one byte on every call.
  bool sgemm_runs = false;
};
// Resolved once per Kernel value (the CPU's answers cannot change while the
// program runs), so a call costs an array lookup. resolved() throws
// std::invalid_argument for a value outside the enum; resolved_kernels() is
// the whole array, indexed by the Kernel value.
const ResolvedKernel& resolved(Kernel k);
std::span<const ResolvedKernel> resolved_kernels();
// `simd` for bf16: the best bf16 row this CPU runs (bf16-blocked at worst).
const ResolvedKernel& resolved_bf16_simd();
// resolved(k), with `simd` taken as the element type's.
const ResolvedKernel& resolved(Kernel k, ElementType element);

// Every micro-kernel the table names (whether or not this CPU can run it:
// check isa_supported(mk->isa)), each once. The tests iterate over it.
std::span<const MicroKernel* const> micro_kernels();
std::span<const Bf16MicroKernel* const> bf16_micro_kernels();

}  // namespace gemmlab::detail
