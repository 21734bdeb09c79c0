//! `ppo`: percentage price oscillator.

use crate::framework::{Arguments, Doc, Family, Memory, Params, SeriesWindow};
use crate::kernels::oscillators;
use datafusion::common::Result;

#[derive(Debug)]
pub struct Ppo;

impl SeriesWindow for Ppo {
    const NAME: &'static str = "ppo";
    const FAMILY: Family = Family::Technical;
    const ARGS: Arguments = super::PRICE_OSCILLATOR_ARGS;
    const DOC: Doc = Doc {
        description: "Percentage price oscillator with simple moving averages, 100 (sma(fast) - sma(slow)) / sma(slow) (TA-Lib PPO, matype 0). The first slow-1 rows are NULL.",
        example: "SELECT ts, ppo(close, 12, 26) OVER (PARTITION BY symbol ORDER BY ts) FROM bars",
    };

    fn memory(p: &Params) -> Memory {
        Memory::Rows(p.usize(0).max(p.usize(1)))
    }

    fn compute(s: &[&[f64]], p: &Params, out: &mut [f64]) -> Result<()> {
        oscillators::price_oscillator(s[0], p.usize(0), p.usize(1), true, out);
        Ok(())
    }
}
