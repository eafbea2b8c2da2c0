// src/core/memory.hpp — internal: the one allocator for large float arrays
// (Matrix storage and the packing buffers), defined in matrix.cpp.
//
// allocate_floats(count) returns memory for count floats, aligned to 64 bytes
// (a cache line, one zmm register). Arrays of 1 MiB and more are aligned to
// 2 MiB instead, rounded up to whole 2 MiB, and on Linux the kernel is asked
// (madvise MADV_HUGEPAGE) to back them with 2 MiB pages.
//
// Why: the TLB. With 4 KiB pages a 1024 x 1024 matrix spans 1024 pages, and
// the packing loops walk it one row (4 KiB) per step: a new page, often a new
// TLB entry, at every step (Goto & van de Geijn 2008 count TLB entries as a
// cache level of their own when they choose block sizes). With 2 MiB pages
// the same matrix is 2 pages. Transparent huge pages in "madvise" mode, this
// machine's setting, are only used where asked for; the request is a hint,
// and where it is refused or unknown (other systems) the memory is simply
// backed by ordinary pages.
//
// Free with std::free. Throws std::bad_alloc when the allocation fails.
#pragma once

#include <cstddef>

namespace gemmlab::detail {

inline constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

float* allocate_floats(std::size_t count);

}  // namespace gemmlab::detail
