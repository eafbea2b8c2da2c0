// src/core/caches.hpp — internal: reading the cache hierarchy (caches.cpp).
#pragma once

#include <string_view>

#include "gemmlab/cpu.hpp"

namespace gemmlab::detail {

// This machine's caches: CPUID on x86-64 (leaf 4 on Intel, 0x8000001D on
// AMD), else Linux's sysfs; source empty when neither describes them.
CacheInfo detect_caches();

// One cache level from the text of the sysfs files of one
// /sys/devices/system/cpu/cpu0/cache/indexN directory (size as "48K",
// shared_cpu_list as "0-1,4"); a level with a field it cannot read is
// returned unknown (known() false). Separate so the tests can feed it text.
CacheLevel cache_level_from_sysfs(std::string_view size, std::string_view ways, std::string_view line,
                                  std::string_view sets, std::string_view shared_cpu_list);

}  // namespace gemmlab::detail
