#pragma once
// Memory in transparent huge pages where the system allows them (madvise mode): for large arrays
// touched at random or once end to end, where 4 KB pages cost a fault and a TLB miss each.
// HugePageAllocator<T> puts a container's storage there.
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace el {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// `bytes` rounded up to whole huge pages, 2 MB-aligned, advised into huge pages (advice only:
// ignored where unsupported). Free with std::free. Throws std::bad_alloc.
inline void* AllocateHugePages(size_t& bytes) {
  bytes = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* p = std::aligned_alloc(kHugePageBytes, bytes);
  if (p == nullptr) throw std::bad_alloc();
  ::madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

// `bytes` from AllocateHugePages when it is at least one huge page (rounded up there), else from
// malloc (a small block would fault in a whole huge page). Free with std::free. Throws
// std::bad_alloc.
inline void* AllocateLarge(size_t& bytes) {
  if (bytes >= kHugePageBytes) return AllocateHugePages(bytes);
  void* p = std::malloc(bytes);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding, as allocators do
  T* allocate(size_t n) {
    size_t bytes = n * sizeof(T);
    return static_cast<T*>(AllocateLarge(bytes));
  }
  void deallocate(T* p, size_t) { std::free(p); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace el
