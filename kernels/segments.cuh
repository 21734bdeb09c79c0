// Segmented inputs: many partitions (symbols, pairs) in one buffer, so that one
// launch covers all of them. `offsets` has `partitions + 1` entries; partition p holds
// rows offsets[p] .. offsets[p + 1] - 1. Inputs are dense doubles without missing
// values, outputs one double per row, NaN for "no value" (the CPU kernels' contract).
#pragma once

__device__ __forceinline__ double qf_nan() {
    return __longlong_as_double(0x7ff8000000000000ULL);
}

// The first row of the partition holding `row` (binary search over the offsets).
__device__ __forceinline__ long long qf_partition_start(
    const long long* offsets, int partitions, long long row) {
    int lo = 0;
    int hi = partitions;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (offsets[mid] <= row) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return offsets[lo];
}

// For one-thread-per-row window kernels: the row this thread computes, or -1 when it
// has none or its partition has fewer than `window` rows up to it (that row's output
// is then NaN, written here).
__device__ __forceinline__ long long qf_full_window_row(
    long long rows, const long long* offsets, int partitions, int window, double* out) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= rows) {
        return -1;
    }
    if (i - qf_partition_start(offsets, partitions, i) + 1 < window) {
        out[i] = qf_nan();
        return -1;
    }
    return i;
}
