-- One-minute closes per FX pair in the shape the regression stage reads: (pair, ts, close).
SELECT pair, ts, close FROM m1_raw
