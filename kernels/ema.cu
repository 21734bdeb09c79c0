// TA-Lib's EMA per partition: NaN for the first n - 1 rows, the mean of the first n
// rows at row n - 1, then e += k (x - e) with k = 2 / (n + 1). The recursion is
// sequential, so one thread runs one partition (thousands of symbols fill the GPU).
#include "segments.cuh"

extern "C" __global__ void ema(
    const double* x, const long long* offsets, int partitions, int n, double* out) {
    int p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= partitions) {
        return;
    }
    long long start = offsets[p];
    long long end = offsets[p + 1];
    long long len = end - start;
    for (long long i = start; i < end && i < start + n - 1; ++i) {
        out[i] = qf_nan();
    }
    if (len < n) {
        return;
    }
    double k = 2.0 / (n + 1.0);
    double prev = 0.0;
    for (long long i = start; i < start + n; ++i) {
        prev += x[i];
    }
    prev /= n;
    out[start + n - 1] = prev;
    for (long long i = start + n; i < end; ++i) {
        prev += k * (x[i] - prev);
        out[i] = prev;
    }
}
