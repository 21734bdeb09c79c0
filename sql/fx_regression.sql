-- FX rolling-regression stage: for each pair, the least-squares line of the close on
-- time over the last 15, 30, 60, 120, 240 and 480 one-minute bars, with its slope,
-- intercept (at the oldest bar), R², RMSE and one-bar-ahead forecast.
--
-- Input:  a table m1_bars (pair, ts, close), one row per pair and minute.
-- Run:    quantfusion materialize --sql sql/fx_regression.sql --table m1_bars=PATH \
--             --to out/fx_regression --partition-by pair,year_month

SELECT
    pair,
    to_char(ts, '%Y-%m') AS year_month,
    ts,
    close,
    linreg_slope(close, 15) OVER w AS slope_15,
    linreg_intercept(close, 15) OVER w AS intercept_15,
    linreg_r2(close, 15) OVER w AS r2_15,
    linreg_rmse(close, 15) OVER w AS rmse_15,
    tsf(close, 15) OVER w AS forecast_15,
    linreg_slope(close, 30) OVER w AS slope_30,
    linreg_intercept(close, 30) OVER w AS intercept_30,
    linreg_r2(close, 30) OVER w AS r2_30,
    linreg_rmse(close, 30) OVER w AS rmse_30,
    tsf(close, 30) OVER w AS forecast_30,
    linreg_slope(close, 60) OVER w AS slope_60,
    linreg_intercept(close, 60) OVER w AS intercept_60,
    linreg_r2(close, 60) OVER w AS r2_60,
    linreg_rmse(close, 60) OVER w AS rmse_60,
    tsf(close, 60) OVER w AS forecast_60,
    linreg_slope(close, 120) OVER w AS slope_120,
    linreg_intercept(close, 120) OVER w AS intercept_120,
    linreg_r2(close, 120) OVER w AS r2_120,
    linreg_rmse(close, 120) OVER w AS rmse_120,
    tsf(close, 120) OVER w AS forecast_120,
    linreg_slope(close, 240) OVER w AS slope_240,
    linreg_intercept(close, 240) OVER w AS intercept_240,
    linreg_r2(close, 240) OVER w AS r2_240,
    linreg_rmse(close, 240) OVER w AS rmse_240,
    tsf(close, 240) OVER w AS forecast_240,
    linreg_slope(close, 480) OVER w AS slope_480,
    linreg_intercept(close, 480) OVER w AS intercept_480,
    linreg_r2(close, 480) OVER w AS r2_480,
    linreg_rmse(close, 480) OVER w AS rmse_480,
    tsf(close, 480) OVER w AS forecast_480
FROM m1_bars
WINDOW w AS (PARTITION BY pair ORDER BY ts);
