-- Stationarisation stage over currency pairs (seed 000's feature configuration):
-- fractional differences of the log close at d = 0.1, 0.3, 0.5, 0.7 and 0.9, the
-- Baxter-King cycle (periods 6 to 32, k = 12), the rolling correlation of each
-- pair's log return with the equally weighted basket of all pairs over 20, 50, 100
-- and 200 bars, and the ADF test (max lag 12, with a constant) of each
-- fractionally differenced series, per pair.
--
-- Input:  a table m1_bars (pair, ts, close), one row per pair and bar.
-- Run:    quantfusion materialize --sql sql/stationarize.sql --table m1_bars=PATH \
--             --to out/stationarize --partition-by pair
--
-- bk_filter looks ahead (its value at a bar uses the 12 bars after it), and the
-- ADF columns describe each pair's whole sample: use them for research, not as
-- trading-time features.

WITH returns AS (
    SELECT
        pair,
        ts,
        close,
        ln(close) AS log_close,
        log_return(close) OVER (PARTITION BY pair ORDER BY ts) AS ret
    FROM m1_bars
),
with_basket AS (
    SELECT *, avg(ret) OVER (PARTITION BY ts) AS basket_ret FROM returns
),
features AS (
    SELECT
        pair,
        ts,
        close,
        ret,
        frac_diff(log_close, 0.1, 1e-4) OVER w AS fd_01,
        frac_diff(log_close, 0.3, 1e-4) OVER w AS fd_03,
        frac_diff(log_close, 0.5, 1e-4) OVER w AS fd_05,
        frac_diff(log_close, 0.7, 1e-4) OVER w AS fd_07,
        frac_diff(log_close, 0.9, 1e-4) OVER w AS fd_09,
        bk_filter(log_close, 6, 32, 12) OVER w AS bk_cycle,
        rolling_corr(ret, basket_ret, 20) OVER w AS basket_corr_20,
        rolling_corr(ret, basket_ret, 50) OVER w AS basket_corr_50,
        rolling_corr(ret, basket_ret, 100) OVER w AS basket_corr_100,
        rolling_corr(ret, basket_ret, 200) OVER w AS basket_corr_200
    FROM with_basket
    WINDOW w AS (PARTITION BY pair ORDER BY ts)
),
unit_root_tests AS (
    SELECT
        pair,
        adf_pvalue(fd_01, 12 ORDER BY ts) AS adf_p_01,
        adf_pvalue(fd_03, 12 ORDER BY ts) AS adf_p_03,
        adf_pvalue(fd_05, 12 ORDER BY ts) AS adf_p_05,
        adf_pvalue(fd_07, 12 ORDER BY ts) AS adf_p_07,
        adf_pvalue(fd_09, 12 ORDER BY ts) AS adf_p_09
    FROM features
    GROUP BY pair
)
SELECT f.*, t.adf_p_01, t.adf_p_03, t.adf_p_05, t.adf_p_07, t.adf_p_09
FROM features f
JOIN unit_root_tests t ON f.pair = t.pair
ORDER BY f.pair, f.ts
