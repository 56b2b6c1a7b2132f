// Process-wide allocator settings for fabsim's binaries (the CLI and the benchmarks).
//
// A simulated peer handles multi-megabyte blocks over and over; with glibc's defaults
// each of those large buffers is mmapped and unmapped again, and the page faults that
// follow cost more than the work (about a fifth of commit time, measured with perf).
// Raising the mmap and trim thresholds keeps that memory in the heap for reuse. This
// changes speed and memory layout only, never a result.
#pragma once

namespace fabsim {

// Call once, first thing in main().
void tune_allocator();

}  // namespace fabsim
