-- Seed 003's technical-feature stage: 36 indicators per bar for every symbol of an
-- hourly OHLCV table, over each symbol's full history in time order.
--
-- The seed counts 6 price, 7 time, 8 moving-average, 10 technical and 5 volatility
-- features; its technical group names 11 (Bollinger upper, lower, position, squeeze;
-- MACD line, signal, histogram, normalized; ATR absolute and normalized; Williams %R),
-- all kept here, so the stage writes 37 feature columns.
--
-- Input:  a table bars (symbol, ts, open, high, low, close, volume), one row per
--         symbol and hour; ts a timestamp (UTC unless it carries a time zone).
-- Run:    quantfusion materialize --sql sql/indicators36.sql --table bars=PATH \
--             --to out/indicators36 --partition-by symbol
--
-- Every column is causal (uses only the current and earlier bars of its symbol).
-- Session hours are seed 002's: 00:00 to 21:55, Fridays to 20:00, no weekends.

WITH features AS (
    SELECT
        symbol,
        ts,
        close,
        -- price (6)
        pct_return(close) OVER w AS ret,
        log_return(close) OVER w AS log_ret,
        hl_pct(high, low, close) AS hl_pct,
        oc_pct(open, close) AS oc_pct,
        acceleration(close) OVER w AS price_acceleration,
        return_sign(close) OVER w AS return_sign,
        -- time (7)
        extract(hour FROM ts) AS hour,
        extract(dow FROM ts) AS day_of_week,
        in_session(ts, '00:00', '21:55', '20:00') AS market_open,
        cyclical_sin(extract(hour FROM ts), 24) AS hour_sin,
        cyclical_cos(extract(hour FROM ts), 24) AS hour_cos,
        cyclical_sin(extract(dow FROM ts), 7) AS dow_sin,
        cyclical_cos(extract(dow FROM ts), 7) AS dow_cos,
        -- moving averages (6 here, the 2 crossovers below)
        sma(close, 24) OVER w AS sma_24,
        sma(close, 120) OVER w AS sma_120,
        sma(close, 480) OVER w AS sma_480,
        price_to_sma(close, 24) OVER w AS price_sma_24_ratio,
        price_to_sma(close, 120) OVER w AS price_sma_120_ratio,
        price_to_sma(close, 480) OVER w AS price_sma_480_ratio,
        -- technical (11)
        bb_upper(close, 20, 2) OVER w AS bb_upper,
        bb_lower(close, 20, 2) OVER w AS bb_lower,
        bb_percent_b(close, 20, 2) OVER w AS bb_position,
        bb_width(close, 20, 2) OVER w AS bb_squeeze,
        macd(close, 12, 26, 9) OVER w AS macd,
        macd_signal(close, 12, 26, 9) OVER w AS macd_signal,
        macd_hist(close, 12, 26, 9) OVER w AS macd_hist,
        macd(close, 12, 26, 9) OVER w / close AS macd_normalized,
        atr(high, low, close, 14) OVER w AS atr_14,
        natr(high, low, close, 14) OVER w AS atr_normalized,
        willr(high, low, close, 14) OVER w AS willr_14,
        -- volatility (3 here, the ratio and variance below)
        realized_vol(close, 24) OVER w AS realized_vol_24,
        realized_vol(close, 120) OVER w AS realized_vol_120,
        realized_vol(close, 480) OVER w AS realized_vol_480
    FROM bars
    WINDOW w AS (PARTITION BY symbol ORDER BY ts)
)
SELECT
    *,
    cross_above(sma_24, sma_120) OVER w AS ma_cross_up,
    cross_below(sma_24, sma_120) OVER w AS ma_cross_down,
    realized_vol_24 / realized_vol_120 AS vol_ratio_24_120,
    rolling_var(log_ret, 24) OVER w AS return_var_24
FROM features
WINDOW w AS (PARTITION BY symbol ORDER BY ts);
