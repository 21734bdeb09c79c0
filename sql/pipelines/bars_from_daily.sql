-- Daily OHLCV bars in the shape the indicator stage reads: (symbol, ts, open, high,
-- low, close, volume), ts the session date as a timestamp.
SELECT symbol, CAST(date AS TIMESTAMP) AS ts, open, high, low, close, volume
FROM daily
