// Fixed-width fractional differences (AFML snippet 5.3): out[i] = sum_k w[k] x[i-k]
// over the `taps` weights, NaN until a partition has `taps` rows. One thread per output
// row; the weights are read by every thread of a block (cached).
#include "segments.cuh"

extern "C" __global__ void frac_diff(
    const double* x, long long rows, const long long* offsets, int partitions,
    const double* weights, int taps, double* out) {
    long long i = qf_full_window_row(rows, offsets, partitions, taps, out);
    if (i < 0) {
        return;
    }
    double acc = 0.0;
    for (int k = 0; k < taps; ++k) {
        acc += weights[k] * x[i - k];
    }
    out[i] = acc;
}
