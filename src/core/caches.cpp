// Reading the data caches' sizes, associativity and sharing, for the
// blocking model (src/gemm/blocking.cpp).
//
// x86-64 describes its caches with CPUID: Intel in leaf 4, AMD in leaf
// 0x8000001D (the same layout, present when CPUID 0x80000001:ECX bit 22,
// "topology extensions", is set). One sub-leaf per cache, until a sub-leaf
// of type 0:
//   EAX[4:0] type (1 data, 2 instruction, 3 unified), EAX[7:5] level,
//   EAX[25:14] + 1 logical CPUs sharing it (an upper bound the CPU gives,
//   not the count the OS runs);
//   EBX[11:0] + 1 line bytes, EBX[21:12] + 1 partitions, EBX[31:22] + 1 ways;
//   ECX + 1 sets;  capacity = ways * partitions * line * sets.
// Virtual machines pass these leaves through or fill them in; a hypervisor
// that clears them leaves the sysfs description, which Linux builds from the
// same leaves or, on ARM64, from the device tree or ACPI tables.
#include "core/caches.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace gemmlab::detail {
namespace {

bool parse_number(std::string_view text, unsigned long long& out) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

// "0-1,4,6-7" -> 5; 0 for text it cannot read.
int count_cpus(std::string_view list) {
  while (!list.empty() && (list.back() == '\n' || list.back() == ' ')) list.remove_suffix(1);
  int count = 0;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view range = list.substr(0, comma);
    const std::size_t dash = range.find('-');
    unsigned long long first = 0, last = 0;
    if (!parse_number(range.substr(0, dash), first)) return 0;
    last = first;
    if (dash != std::string_view::npos && !parse_number(range.substr(dash + 1), last)) return 0;
    if (last < first || last - first > 1u << 20) return 0;
    count += static_cast<int>(last - first + 1);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return count;
}

#if defined(__x86_64__) || defined(_M_X64)
// The data (or unified) caches of levels 1-3 from a leaf-4-shaped CPUID leaf.
CacheInfo from_cpuid(unsigned leaf) {
  CacheInfo info;
  for (unsigned sub = 0; sub < 16; ++sub) {
    unsigned a = 0, b = 0, c = 0, d = 0;
    __cpuid_count(leaf, sub, a, b, c, d);
    const unsigned type = a & 0x1fu;
    if (type == 0) break;
    if (type == 2) continue;  // an instruction cache
    const unsigned level = (a >> 5) & 0x7u;
    CacheLevel l;
    l.line_bytes = static_cast<int>((b & 0xfffu) + 1);
    l.ways = static_cast<int>(((b >> 22) & 0x3ffu) + 1);
    l.sets = static_cast<int>(c + 1);
    const unsigned partitions = ((b >> 12) & 0x3ffu) + 1;
    l.bytes = std::size_t{partitions} * static_cast<std::size_t>(l.ways) * static_cast<std::size_t>(l.line_bytes) *
              static_cast<std::size_t>(l.sets);
    l.shared_by = static_cast<int>(((a >> 14) & 0xfffu) + 1);
    if (level == 1) info.l1d = l;
    if (level == 2) info.l2 = l;
    if (level == 3) info.l3 = l;
  }
  return info;
}

CacheInfo from_x86() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  const unsigned max_basic = __get_cpuid_max(0, nullptr);
  CacheInfo info;
  if (max_basic >= 4) {
    info = from_cpuid(4);
    info.source = "CPUID leaf 4";
  }
  // (GCC's cpuid.h returns the leaf as unsigned, clang's as int.)
  const auto max_extended = static_cast<unsigned>(__get_cpuid_max(0x80000000u, nullptr));
  if (!info.l1d.known() && max_extended >= 0x8000001Du && __get_cpuid(0x80000001u, &a, &b, &c, &d) != 0 &&
      (c & (1u << 22)) != 0) {
    info = from_cpuid(0x8000001Du);
    info.source = "CPUID leaf 0x8000001D";
  }
  if (!info.l1d.known()) return {};
  return info;
}
#endif

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CacheInfo from_sysfs() {
  CacheInfo info;
  for (int index = 0; index < 16; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    const std::string type = read_file(dir + "type");
    if (type.empty()) break;
    if (type.rfind("Instruction", 0) == 0) continue;
    unsigned long long level = 0;
    if (!parse_number(read_file(dir + "level"), level)) continue;
    const CacheLevel l = cache_level_from_sysfs(read_file(dir + "size"), read_file(dir + "ways_of_associativity"),
                                                read_file(dir + "coherency_line_size"),
                                                read_file(dir + "number_of_sets"), read_file(dir + "shared_cpu_list"));
    if (level == 1) info.l1d = l;
    if (level == 2) info.l2 = l;
    if (level == 3) info.l3 = l;
  }
  if (!info.l1d.known()) return {};
  info.source = "sysfs";
  return info;
}

}  // namespace

CacheLevel cache_level_from_sysfs(std::string_view size, std::string_view ways, std::string_view line,
                                  std::string_view sets, std::string_view shared_cpu_list) {
  while (!size.empty() && (size.back() == '\n' || size.back() == ' ')) size.remove_suffix(1);
  unsigned long long multiplier = 1;
  if (!size.empty() && (size.back() == 'K' || size.back() == 'M')) {
    multiplier = size.back() == 'K' ? 1024 : 1024 * 1024;
    size.remove_suffix(1);
  }
  unsigned long long bytes = 0, w = 0, l = 0, s = 0;
  constexpr unsigned long long kLimit = 1u << 30;  // no field of a real cache comes near
  if (!parse_number(size, bytes) || !parse_number(ways, w) || !parse_number(line, l) || !parse_number(sets, s) ||
      bytes == 0 || bytes > kLimit || w == 0 || w > kLimit || l == 0 || l > kLimit || s == 0 || s > kLimit)
    return {};
  CacheLevel level;
  level.bytes = static_cast<std::size_t>(bytes * multiplier);
  level.ways = static_cast<int>(w);
  level.line_bytes = static_cast<int>(l);
  level.sets = static_cast<int>(s);
  level.shared_by = count_cpus(shared_cpu_list);
  return level;
}

CacheInfo detect_caches() {
#if defined(__x86_64__) || defined(_M_X64)
  if (CacheInfo info = from_x86(); !info.source.empty()) return info;
#endif
  return from_sysfs();
}

}  // namespace gemmlab::detail
