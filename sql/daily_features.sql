-- Daily feature stage for equities: trend, momentum, volatility and calendar features
-- per symbol, computed over each symbol's full history in date order.
--
-- Input: daily OHLCV bars (symbol, date, open, high, low, close, volume).
-- Run:   quantfusion materialize --sql sql/daily_features.sql --to out/daily_features --partition-by symbol

WITH returns AS (
    SELECT
        symbol,
        date,
        close,
        volume,
        log_return(close) OVER w AS log_ret,
        pct_return(close) OVER w AS ret
    FROM 'data/sp500_daily_20sym.parquet'
    WINDOW w AS (PARTITION BY symbol ORDER BY date)
)
SELECT
    symbol,
    date,
    close,
    ret,
    log_ret,
    sma(close, 20) OVER w AS sma_20,
    sma(close, 50) OVER w AS sma_50,
    close / sma(close, 50) OVER w - 1 AS dist_sma_50,
    ema(close, 12) OVER w AS ema_12,
    ema(close, 26) OVER w AS ema_26,
    ema(close, 12) OVER w - ema(close, 26) OVER w AS ema_spread_12_26,
    rolling_mean(log_ret, 20) OVER w AS mean_log_ret_20,
    rolling_std(log_ret, 20) OVER w * sqrt(252) AS vol_20,
    rolling_std(log_ret, 60) OVER w * sqrt(252) AS vol_60,
    (close - rolling_mean(close, 20) OVER w) / rolling_std(close, 20) OVER w AS zscore_20,
    rolling_mean(volume, 20) OVER w AS volume_mean_20,
    cyclical_sin(extract(dow FROM date), 7) AS dow_sin,
    cyclical_cos(extract(dow FROM date), 7) AS dow_cos,
    cyclical_sin(extract(month FROM date) - 1, 12) AS month_sin,
    cyclical_cos(extract(month FROM date) - 1, 12) AS month_cos
FROM returns
WINDOW w AS (PARTITION BY symbol ORDER BY date);
