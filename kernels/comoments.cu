// Rolling co-moments of two paired series over the last `window` rows of each
// partition, one thread per row, two passes (means, then centred sums). A flat
// window of a series (all values equal) has its deviations exactly 0, as on the CPU.
// `output`: 0 sample covariance (ddof 1), 1 Pearson correlation (NaN when either
// window is flat), 2 beta of a on b, cov(a, b) / var(b) (NaN when b is flat).
#include "segments.cuh"

extern "C" __global__ void comoments(
    const double* a, const double* b, long long rows, const long long* offsets,
    int partitions, int window, int output, double* out) {
    long long i = qf_full_window_row(rows, offsets, partitions, window, out);
    if (i < 0) {
        return;
    }
    const double* wa = a + (i - window + 1);
    const double* wb = b + (i - window + 1);
    double n = window;
    double sum_a = 0.0;
    double sum_b = 0.0;
    bool flat_a = true;
    bool flat_b = true;
    for (int j = 0; j < window; ++j) {
        sum_a += wa[j];
        sum_b += wb[j];
        flat_a = flat_a && wa[j] == wa[0];
        flat_b = flat_b && wb[j] == wb[0];
    }
    double mean_a = sum_a / n;
    double mean_b = sum_b / n;
    double m2a = 0.0;
    double m2b = 0.0;
    double cab = 0.0;
    for (int j = 0; j < window; ++j) {
        double da = flat_a ? 0.0 : wa[j] - mean_a;
        double db = flat_b ? 0.0 : wb[j] - mean_b;
        m2a += da * da;
        m2b += db * db;
        cab += da * db;
    }
    double value;
    switch (output) {
        case 0: value = cab / (n - 1.0); break;
        case 1: value = m2a > 0.0 && m2b > 0.0 ? cab / sqrt(m2a * m2b) : qf_nan(); break;
        default: value = m2b > 0.0 ? cab / m2b : qf_nan(); break;
    }
    out[i] = value;
}
