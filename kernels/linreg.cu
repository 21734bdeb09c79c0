// Rolling least-squares line of y on the row index over the last `window` rows of
// each partition (x = 0 for the oldest row), one thread per row. Two passes over the
// window (its mean, then centred sums) keep the digits of prices far from zero; a
// flat window (all values equal) is detected exactly, as on the CPU: slope 0, the
// value itself, R² undefined. `output`: 0 slope, 1 intercept, 2 linreg (the line at
// the newest row), 3 tsf (one row ahead), 4 r2, 5 rmse (divided by n), 6 angle in
// degrees.
#include "segments.cuh"

extern "C" __global__ void linreg(
    const double* y, long long rows, const long long* offsets, int partitions,
    int window, int output, double* out) {
    long long i = qf_full_window_row(rows, offsets, partitions, window, out);
    if (i < 0) {
        return;
    }
    const double* w = y + (i - window + 1);
    double n = window;
    double low = w[0];
    double high = w[0];
    double sum = 0.0;
    for (int j = 0; j < window; ++j) {
        sum += w[j];
        low = fmin(low, w[j]);
        high = fmax(high, w[j]);
    }
    double slope = 0.0;
    double intercept = w[window - 1];
    double sxy = 0.0;
    double syy = 0.0;
    double sxx = n * (n * n - 1.0) / 12.0;
    double x_mean = (n - 1.0) / 2.0;
    if (low != high) {
        double mean = sum / n;
        for (int j = 0; j < window; ++j) {
            double d = w[j] - mean;
            sxy += (j - x_mean) * d;
            syy += d * d;
        }
        slope = sxy / sxx;
        intercept = mean - slope * x_mean;
    }
    double value;
    switch (output) {
        case 0: value = slope; break;
        case 1: value = intercept; break;
        case 2: value = intercept + slope * (n - 1.0); break;
        case 3: value = intercept + slope * n; break;
        case 4: value = syy > 0.0 ? fmin(sxy * sxy / (sxx * syy), 1.0) : qf_nan(); break;
        case 5: value = sqrt(fmax(syy - slope * sxy, 0.0) / n); break;
        default: value = atan(slope) * 57.295779513082320876798; break;
    }
    out[i] = value;
}
