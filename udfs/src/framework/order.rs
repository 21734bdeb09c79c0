//! Row order for aggregates whose value depends on it (`max_drawdown(ret ORDER BY ts)`).
//!
//! The `ORDER BY` values of every kept row are encoded in Arrow's row format, whose
//! byte strings compare in the requested order (ASC/DESC, NULLS FIRST/LAST included).
//! Keys travel with the values through partial states, and a group is put in order
//! once, when it is evaluated. The accumulators therefore never rely on the order in
//! which rows or partial states arrive, so the planner need not sort the input.

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::row::{RowConverter, Rows, SortField};
use datafusion::common::{plan_err, Result};
use datafusion::physical_expr::PhysicalSortExpr;

/// Encodes the ORDER BY values of a batch as comparable byte strings.
#[derive(Debug)]
pub struct KeyEncoder {
    converter: RowConverter,
    columns: usize,
}

impl KeyEncoder {
    pub fn new(order_bys: &[PhysicalSortExpr], schema: &Schema) -> Result<Self> {
        let fields = order_bys
            .iter()
            .map(|o| {
                Ok(SortField::new_with_options(
                    o.expr.data_type(schema)?,
                    o.options,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            columns: fields.len(),
            converter: RowConverter::new(fields)?,
        })
    }

    /// How many trailing input columns hold the ORDER BY values.
    pub fn columns(&self) -> usize {
        self.columns
    }

    pub fn encode(&self, order_columns: &[ArrayRef]) -> Result<Rows> {
        Ok(self.converter.convert_columns(order_columns)?)
    }

    pub fn size(&self) -> usize {
        self.converter.size()
    }
}

/// One group's keys, back to back.
#[derive(Debug, Default)]
pub struct KeyBytes {
    bytes: Vec<u8>,
    /// `ends[i]` is where key `i` ends in `bytes`.
    ends: Vec<usize>,
}

impl KeyBytes {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    pub fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    pub fn push(&mut self, key: &[u8]) {
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len());
    }

    pub fn size(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}

/// The positions of `keys` in order (stable), or `None` when they are already in
/// order, which is checked in one pass.
pub fn sorting_permutation(keys: &[&[u8]]) -> Option<Vec<usize>> {
    if keys.windows(2).all(|w| w[0] <= w[1]) {
        return None;
    }
    let mut positions: Vec<usize> = (0..keys.len()).collect();
    positions.sort_by_key(|&i| keys[i]);
    Some(positions)
}

/// The planning error of an order-dependent aggregate written without `ORDER BY`.
pub fn missing_order_by<T>(name: &str, first_series: &str) -> Result<T> {
    plan_err!(
        "{name} depends on row order: put the order inside the call, \
         e.g. {name}({first_series} ORDER BY ts)"
    )
}
