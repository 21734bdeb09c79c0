//! Row order for aggregates whose value depends on it (`max_drawdown(ret ORDER BY ts)`).
//!
//! The `ORDER BY` keys of every kept row are encoded in Arrow's row format, whose
//! byte strings compare in the requested order (ASC/DESC, NULLS FIRST/LAST included).
//! Keys travel with the values through partial states, and the group is put in order
//! once, when it is evaluated. The accumulator therefore never relies on the order in
//! which rows or partial states arrive, so the planner need not sort the input.

use datafusion::arrow::array::{Array, ArrayRef, BinaryArray};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::cast::as_binary_array;
use datafusion::common::{plan_err, Result};
use datafusion::physical_expr::PhysicalSortExpr;

/// The sort keys of a group's rows, as comparable byte strings.
#[derive(Debug)]
pub struct OrderKeys {
    converter: RowConverter,
    columns: usize,
    bytes: Vec<u8>,
    /// `ends[i]` is where key `i` ends in `bytes`.
    ends: Vec<usize>,
}

impl OrderKeys {
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
            bytes: Vec::new(),
            ends: Vec::new(),
        })
    }

    /// How many ORDER BY expressions the keys are made of.
    pub fn columns(&self) -> usize {
        self.columns
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    fn push(&mut self, key: &[u8]) {
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len());
    }

    /// Appends the keys of the selected rows of `columns` (the ORDER BY values).
    pub fn append(
        &mut self,
        columns: &[ArrayRef],
        rows: impl Iterator<Item = usize>,
    ) -> Result<()> {
        let encoded = self.converter.convert_columns(columns)?;
        for i in rows {
            self.push(encoded.row(i).data());
        }
        Ok(())
    }

    /// Appends keys received in a partial state.
    pub fn append_state(&mut self, keys: &dyn Array) -> Result<()> {
        let keys: &BinaryArray = as_binary_array(keys)?;
        for key in keys.iter().flatten() {
            self.push(key);
        }
        Ok(())
    }

    /// The keys as a partial state column.
    pub fn to_state(&self) -> BinaryArray {
        BinaryArray::from_iter_values((0..self.len()).map(|i| self.key(i)))
    }

    /// The positions of the rows in key order (stable), or `None` when the rows are
    /// already in order, which is checked in one pass.
    pub fn sorting_permutation(&self) -> Option<Vec<usize>> {
        let in_order = (1..self.len()).all(|i| self.key(i - 1) <= self.key(i));
        if in_order {
            return None;
        }
        let mut positions: Vec<usize> = (0..self.len()).collect();
        positions.sort_by(|&a, &b| self.key(a).cmp(self.key(b)));
        Some(positions)
    }

    pub fn size(&self) -> usize {
        self.converter.size()
            + self.bytes.capacity()
            + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}

/// The planning error of an order-dependent aggregate written without `ORDER BY`.
pub fn missing_order_by<T>(name: &str, first_series: &str) -> Result<T> {
    plan_err!(
        "{name} depends on row order: put the order inside the call, \
         e.g. {name}({first_series} ORDER BY ts)"
    )
}
