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

/// Whether `keys` never decrease (one pass, nothing allocated).
pub fn in_order<'a>(mut keys: impl Iterator<Item = &'a [u8]>) -> bool {
    let Some(mut previous) = keys.next() else {
        return true;
    };
    for key in keys {
        if key < previous {
            return false;
        }
        previous = key;
    }
    true
}

/// The positions of `keys` in order (a stable sort), for keys found out of order.
pub fn sorting_permutation(keys: &[&[u8]]) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..keys.len()).collect();
    positions.sort_by_key(|&i| keys[i]);
    positions
}

/// The planning error of an order-dependent aggregate written without `ORDER BY`.
pub fn missing_order_by<T>(name: &str, first_series: &str) -> Result<T> {
    plan_err!(
        "{name} depends on row order: put the order inside the call, \
         e.g. {name}({first_series} ORDER BY ts)"
    )
}
