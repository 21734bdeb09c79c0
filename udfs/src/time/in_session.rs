//! `in_session(ts, start, end [, friday_end])`: whether a timestamp falls in trading
//! hours, as seed 002's session configuration defines them.
//!
//! Not a [`SeriesScalar`](crate::framework::SeriesScalar): its series is a timestamp,
//! not a number. The wall-clock time is read with Arrow's `date_part`, which honours
//! the column's time zone, so `in_session(ts AT TIME ZONE 'America/New_York', ...)`
//! checks New York hours.

use crate::framework::docs::{self, Causality, Doc, Family};
use crate::framework::{Arguments, Param, ParamKind, ParamValue, Params};
use crate::kernels::time::Session;
use datafusion::arrow::array::{Array, ArrayRef, BooleanArray, Int32Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::compute::kernels::temporal::{date_part, DatePart};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::TimeUnit;
use datafusion::common::cast::{as_int32_array, as_int64_array};
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Documentation, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use std::sync::Arc;

const NAME: &str = "in_session";

const ARGS: Arguments = Arguments {
    series: &[(
        "ts",
        "Timestamp of the bar (its time zone, if any, is the clock read).",
    )],
    params: &[
        Param::required(
            "start",
            ParamKind::TimeOfDay,
            "Opening time (inclusive) on Monday to Friday.",
        ),
        Param::required(
            "end",
            ParamKind::TimeOfDay,
            "Closing time (exclusive) on Monday to Thursday; before start for an overnight \
             session.",
        ),
        Param::optional(
            "friday_end",
            ParamKind::TimeOfDay,
            ParamValue::Automatic,
            "Closing time on Fridays; left out, Fridays close at end.",
        ),
    ],
};

const DOC: Doc = Doc {
    description: "True when ts is inside the weekday trading session: from start \
                  (inclusive) to end (exclusive) Monday to Thursday, to friday_end on \
                  Fridays, never on Saturdays or Sundays. NULL where ts is NULL.",
    example: "SELECT ts, in_session(ts, '00:00', '21:55', '20:00') AS market_open FROM bars",
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct InSession {
    signature: Signature,
    documentation: Documentation,
}

impl Default for InSession {
    fn default() -> Self {
        InSession {
            signature: Signature::user_defined(Volatility::Immutable),
            documentation: docs::build(NAME, Family::Time, Causality::Causal, &ARGS, &DOC),
        }
    }
}

impl InSession {
    pub fn udf() -> ScalarUDF {
        ScalarUDF::new_from_impl(InSession::default())
    }
}

fn session_of(params: &Params) -> Session {
    let seconds = |i: usize| params.usize(i) as u32;
    let friday_end = params.usize_or_automatic(2).map(|s| s as u32);
    Session::new(seconds(0), seconds(1), friday_end)
}

impl ScalarUDFImpl for InSession {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        ARGS.check_count(NAME, arg_types.len())?;
        match &arg_types[0] {
            DataType::Timestamp(_, _) | DataType::Null => {}
            DataType::Date32 | DataType::Date64 => {}
            other => return plan_err!("{NAME}: argument ts must be a timestamp, got {other}"),
        }
        Ok(arg_types.to_vec())
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    /// Planning-time check of the session times.
    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        ARGS.params_from_exprs(NAME, &args)?;
        Ok(ExprSimplifyResult::Original(args))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let literals = args.args[1..]
            .iter()
            .zip(ARGS.params)
            .map(|(a, p)| match a {
                ColumnarValue::Scalar(v) => Ok(v.clone()),
                ColumnarValue::Array(_) => {
                    plan_err!("{NAME}: {} must be a constant, not a column", p.name)
                }
            })
            .collect::<Result<Vec<_>>>()?;
        let session = session_of(&ARGS.params_from_values(NAME, &literals)?);
        let ts = args.args[0].to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(in_session(&ts, &session)?))
    }

    fn documentation(&self) -> Option<&Documentation> {
        Some(&self.documentation)
    }
}

/// Evaluates the session rule on every timestamp of `ts`.
fn in_session(ts: &ArrayRef, session: &Session) -> Result<ArrayRef> {
    if ts.data_type().is_null() {
        return Ok(Arc::new(BooleanArray::new_null(ts.len())));
    }
    let clock = match utc_seconds(ts) {
        Some(seconds) => seconds
            .iter()
            .map(|s| s.map(|s| weekday_and_second_of_day(s.div_euclid(DAY), s.rem_euclid(DAY))))
            .collect::<Vec<_>>(),
        None => local_clock(ts)?,
    };
    let values: BooleanArray = clock
        .into_iter()
        .map(|c| c.map(|(weekday, second)| session.contains(weekday, second)))
        .collect();
    Ok(Arc::new(values))
}

const DAY: i64 = 86_400;

/// Seconds since the epoch when the wall clock is UTC's (no time zone, or UTC):
/// plain integer arithmetic instead of a calendar conversion per row.
fn utc_seconds(ts: &ArrayRef) -> Option<Vec<Option<i64>>> {
    let utc = match ts.data_type() {
        DataType::Timestamp(_, None) | DataType::Date32 | DataType::Date64 => true,
        DataType::Timestamp(_, Some(tz)) => matches!(tz.as_ref(), "UTC" | "+00:00" | "Z"),
        _ => false,
    };
    if !utc {
        return None;
    }
    let as_i64 = cast(ts, &DataType::Int64).ok()?;
    let raw = as_int64_array(&as_i64).ok()?;
    let per_second = match ts.data_type() {
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => 1,
            TimeUnit::Millisecond => 1_000,
            TimeUnit::Microsecond => 1_000_000,
            TimeUnit::Nanosecond => 1_000_000_000,
        },
        DataType::Date64 => 1_000,
        _ => return Some(raw.iter().map(|d| d.map(|d| d * DAY)).collect()), // Date32: days
    };
    Some(
        raw.iter()
            .map(|v| v.map(|v| v.div_euclid(per_second)))
            .collect(),
    )
}

/// Monday = 0 weekday and second of the day from days since 1970-01-01 (a Thursday).
fn weekday_and_second_of_day(days: i64, second_of_day: i64) -> (u32, u32) {
    ((days + 3).rem_euclid(7) as u32, second_of_day as u32)
}

/// The wall clock in the column's own time zone, through Arrow's `date_part`.
fn local_clock(ts: &ArrayRef) -> Result<Vec<Option<(u32, u32)>>> {
    let part = |p: DatePart| -> Result<Int32Array> {
        Ok(as_int32_array(&date_part(ts.as_ref(), p)?)?.clone())
    };
    let weekday = part(DatePart::DayOfWeekMonday0)?;
    let hour = part(DatePart::Hour)?;
    let minute = part(DatePart::Minute)?;
    let second = part(DatePart::Second)?;
    Ok((0..ts.len())
        .map(|i| {
            ts.is_valid(i).then(|| {
                let of_day = hour.value(i) * 3600 + minute.value(i) * 60 + second.value(i);
                (weekday.value(i) as u32, of_day as u32)
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::TimestampMillisecondArray;

    /// The integer clock agrees with Arrow's calendar, before and after 1970.
    #[test]
    fn utc_arithmetic_matches_the_calendar() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let values: Vec<Option<i64>> = (0..2_000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (i % 97 != 0).then(|| (state % 8_000_000_000_000) as i64 - 3_000_000_000_000)
            })
            .collect();
        let naive: ArrayRef = Arc::new(TimestampMillisecondArray::from(values.clone()));
        let utc: ArrayRef = Arc::new(TimestampMillisecondArray::from(values).with_timezone("UTC"));
        for ts in [naive, utc] {
            let fast: Vec<_> = utc_seconds(&ts)
                .unwrap()
                .into_iter()
                .map(|s| s.map(|s| weekday_and_second_of_day(s.div_euclid(DAY), s.rem_euclid(DAY))))
                .collect();
            assert_eq!(fast, local_clock(&ts).unwrap());
        }
    }
}
