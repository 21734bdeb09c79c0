// Rolling mean over the last `window` rows of each partition, NaN until the window is
// full. One thread per output row summing its window (compensated), so the result
// does not depend on the order other rows are processed in.
#include "segments.cuh"

extern "C" __global__ void rolling_mean(
    const double* x, long long rows, const long long* offsets, int partitions,
    int window, double* out) {
    long long i = qf_full_window_row(rows, offsets, partitions, window, out);
    if (i < 0) {
        return;
    }
    double sum = 0.0;
    double carry = 0.0;
    for (int k = 0; k < window; ++k) {
        double y = x[i - k] - carry;
        double t = sum + y;
        carry = (t - sum) - y;
        sum = t;
    }
    out[i] = sum / window;
}
