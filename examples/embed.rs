//! Embedding quantfusion's functions in your own DataFusion application: one call
//! registers them on your `SessionContext`.
//!
//! Run from the repository root: `cargo run --example embed`

use datafusion::error::Result;
use datafusion::prelude::{ParquetReadOptions, SessionContext};

#[tokio::main]
async fn main() -> Result<()> {
    let ctx = SessionContext::new();
    quantfusion_udfs::register_all(&ctx);

    ctx.register_parquet(
        "bars",
        "data/sp500_daily_20sym.parquet",
        ParquetReadOptions::default(),
    )
    .await?;

    ctx.sql(
        "SELECT symbol, date, close,
                ema(close, 12) OVER w AS ema_12,
                rolling_std(close, 20) OVER w AS std_20
         FROM bars
         WHERE symbol = 'AAPL'
         WINDOW w AS (PARTITION BY symbol ORDER BY date)
         ORDER BY date DESC
         LIMIT 5",
    )
    .await?
    .show()
    .await?;

    ctx.sql(
        "SELECT symbol, sharpe_ratio(ret, 252) AS sharpe
         FROM (SELECT symbol, pct_return(close) OVER (PARTITION BY symbol ORDER BY date) AS ret FROM bars)
         GROUP BY symbol ORDER BY sharpe DESC LIMIT 5",
    )
    .await?
    .show()
    .await?;
    Ok(())
}
