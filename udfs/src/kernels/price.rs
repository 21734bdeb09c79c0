//! TA-Lib's price transforms and on-balance volume.

/// `(open + high + low + close) / 4` (TA-Lib AVGPRICE).
pub fn avgprice(open: &[f64], high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = (open[i] + high[i] + low[i] + close[i]) / 4.0;
    }
}

/// `(high + low) / 2` (TA-Lib MEDPRICE).
pub fn medprice(high: &[f64], low: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = (high[i] + low[i]) / 2.0;
    }
}

/// `(high + low + close) / 3` (TA-Lib TYPPRICE).
pub fn typprice(high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = (high[i] + low[i] + close[i]) / 3.0;
    }
}

/// `(high + low + 2 close) / 4` (TA-Lib WCLPRICE).
pub fn wclprice(high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = (high[i] + low[i] + close[i] * 2.0) / 4.0;
    }
}

/// TA-Lib OBV: starts at the first row's volume, then adds the volume on an up close
/// and subtracts it on a down close.
pub fn obv(close: &[f64], volume: &[f64], out: &mut [f64]) {
    let Some(&first) = volume.first() else { return };
    let mut total = first;
    out[0] = total;
    for i in 1..close.len() {
        if close[i] > close[i - 1] {
            total += volume[i];
        } else if close[i] < close[i - 1] {
            total -= volume[i];
        }
        out[i] = total;
    }
}
