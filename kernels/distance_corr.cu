// Rolling distance correlation (Székely et al., the biased V-statistic with
// exponent 1, as dcor computes it) over the last `window` rows of each partition,
// one thread per row, O(window²) work and O(1) memory: with a_pq = |x_p - x_q|,
// row sums r_p and total t, the double-centred mean product is
// Σ a b / n² - 2 Σ r^a r^b / n³ + t^a t^b / n⁴ (and likewise for the variances).
// NaN when either window is constant (zero distance variance), as on the CPU.
#include "segments.cuh"

extern "C" __global__ void distance_corr(
    const double* x, const double* y, long long rows, const long long* offsets,
    int partitions, int window, double* out) {
    long long i = qf_full_window_row(rows, offsets, partitions, window, out);
    if (i < 0) {
        return;
    }
    const double* wx = x + (i - window + 1);
    const double* wy = y + (i - window + 1);
    double s_ab = 0.0, s_aa = 0.0, s_bb = 0.0;
    double r_ab = 0.0, r_aa = 0.0, r_bb = 0.0;
    double t_a = 0.0, t_b = 0.0;
    for (int p = 0; p < window; ++p) {
        double ra = 0.0, rb = 0.0;
        for (int q = 0; q < window; ++q) {
            double a = fabs(wx[p] - wx[q]);
            double b = fabs(wy[p] - wy[q]);
            ra += a;
            rb += b;
            s_ab += a * b;
            s_aa += a * a;
            s_bb += b * b;
        }
        r_ab += ra * rb;
        r_aa += ra * ra;
        r_bb += rb * rb;
        t_a += ra;
        t_b += rb;
    }
    double n = window;
    double n2 = n * n, n3 = n2 * n, n4 = n2 * n2;
    double xy = s_ab / n2 - 2.0 * r_ab / n3 + t_a * t_b / n4;
    double xx = s_aa / n2 - 2.0 * r_aa / n3 + t_a * t_a / n4;
    double yy = s_bb / n2 - 2.0 * r_bb / n3 + t_b * t_b / n4;
    double denominator = sqrt(fmax(xx, 0.0) * fmax(yy, 0.0));
    out[i] = denominator > 0.0 ? sqrt(fmax(xy, 0.0) / denominator) : qf_nan();
}
