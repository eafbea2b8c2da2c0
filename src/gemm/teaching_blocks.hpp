// src/gemm/teaching_blocks.hpp — internal: the block sizes of the teaching
// steps tiled.cpp, register_tile.cpp and packed.cpp, in one place, so that
// each step differs from the one before it by its idea and not by its sizes.
// (blocked takes its own from its micro-kernel's file and the cache model,
// src/gemm/blocking.cpp.) Constants only: a constexpr variable at namespace
// scope is private to each file that includes it, so there is nothing here
// for the linker to share between files compiled with different flags.
#pragma once

namespace gemmlab::detail::teaching {

// B block: KC x NC floats = 128 x 256 x 4 bytes = 128 KiB, well inside the
// 2 MiB L2 of this machine's cores (and most L2s); a row piece of B (1 KiB)
// and of C (1 KiB) sit in L1 while tiled.cpp's j loop runs. MC rows share
// each block.
constexpr int KC = 128;
constexpr int NC = 256;
constexpr int MC = 64;

// The register tile of register_tile.cpp and packed.cpp, MR x NR = 4 x 16:
// the tile of blocked's portable micro-kernel (microkernel_portable.hpp says
// why 4 x 16 suits AVX2), so that the steps after register_tile.cpp change
// how A and B are read and not the tile. With the baseline SSE2 its 64
// floats fill 16 xmm registers, the whole register file: a smaller tile
// leaves registers free but does fewer multiply-adds per load. MC and NC
// are multiples of MR and NR, so only the edges of C make partial tiles.
constexpr int MR = 4;
constexpr int NR = 16;

}  // namespace gemmlab::detail::teaching
