//! The SQL type a function presents its results as. Kernels always write f64 (NaN =
//! NULL); a signal or a sign reads better to users as a boolean or an integer, so the
//! adapters convert at the end instead of every kernel building its own Arrow array.

use datafusion::arrow::array::{ArrayRef, Float64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Float64,
    /// Non-zero values are true.
    Boolean,
    /// Values are whole numbers (signs, counts).
    Int64,
}

impl Output {
    pub fn data_type(self) -> DataType {
        match self {
            Output::Float64 => DataType::Float64,
            Output::Boolean => DataType::Boolean,
            Output::Int64 => DataType::Int64,
        }
    }

    /// Converts kernel results (NULL already where missing) to this type.
    pub fn present(self, values: Float64Array) -> Result<ArrayRef> {
        let values: ArrayRef = Arc::new(values);
        match self {
            Output::Float64 => Ok(values),
            other => Ok(cast(&values, &other.data_type())?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{BooleanArray, Int64Array};

    #[test]
    fn converts_and_keeps_nulls() {
        let v = Float64Array::from(vec![Some(1.0), None, Some(0.0), Some(-1.0)]);
        let b = Output::Boolean.present(v.clone()).unwrap();
        assert_eq!(
            b.as_any().downcast_ref::<BooleanArray>().unwrap(),
            &BooleanArray::from(vec![Some(true), None, Some(false), Some(true)])
        );
        let i = Output::Int64.present(v).unwrap();
        assert_eq!(
            i.as_any().downcast_ref::<Int64Array>().unwrap(),
            &Int64Array::from(vec![Some(1), None, Some(0), Some(-1)])
        );
    }
}
