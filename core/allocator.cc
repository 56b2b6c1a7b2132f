#include "core/allocator.h"

#include <malloc.h>

namespace fabsim {

void tune_allocator() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);   // serve allocations up to 64 MiB from the heap
  mallopt(M_TRIM_THRESHOLD, 256 << 20);  // keep up to 256 MiB of freed heap for reuse
}

}  // namespace fabsim
