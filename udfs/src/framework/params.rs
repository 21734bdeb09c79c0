//! Literal parameters (periods, thresholds, choices): declared once per function,
//! read from the call's constant arguments and validated when the query is planned.
//!
//! Errors name the function, the parameter and the rule, in the user's words:
//! `ema: period must be an integer >= 2, got 0`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::Expr;
use datafusion::physical_expr::expressions::Literal;
use datafusion::physical_expr::PhysicalExpr;
use std::fmt;
use std::sync::Arc;

/// The values a parameter may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A whole number in `min..=max`.
    Int { min: i64, max: i64 },
    /// A finite real number in the range `[min, max]`, ends excluded where marked.
    Float {
        min: f64,
        max: f64,
        min_exclusive: bool,
        max_exclusive: bool,
    },
    /// One of a few strings, matched case-insensitively.
    Choice(&'static [&'static str]),
    /// A time of day written 'HH:MM' or 'HH:MM:SS' (up to '24:00'); read as seconds
    /// after midnight.
    TimeOfDay,
}

impl ParamKind {
    /// An integer `>= min` with no practical upper bound.
    pub const fn int_at_least(min: i64) -> Self {
        ParamKind::Int { min, max: i64::MAX }
    }

    /// A real number strictly greater than zero.
    pub const fn positive() -> Self {
        ParamKind::Float {
            min: 0.0,
            max: f64::INFINITY,
            min_exclusive: true,
            max_exclusive: false,
        }
    }
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ParamKind::Int { min, max } if max == i64::MAX => write!(f, "an integer >= {min}"),
            ParamKind::Int { min, max } => write!(f, "an integer between {min} and {max}"),
            ParamKind::Float {
                min,
                max,
                min_exclusive,
                max_exclusive,
            } => {
                if max.is_infinite() {
                    let op = if min_exclusive { ">" } else { ">=" };
                    write!(f, "a number {op} {min}")
                } else {
                    let open = if min_exclusive { '(' } else { '[' };
                    let close = if max_exclusive { ')' } else { ']' };
                    write!(f, "a number in {open}{min}, {max}{close}")
                }
            }
            ParamKind::Choice(options) => {
                let quoted: Vec<String> = options.iter().map(|o| format!("'{o}'")).collect();
                write!(f, "one of {}", quoted.join(", "))
            }
            ParamKind::TimeOfDay => write!(f, "a time of day 'HH:MM' or 'HH:MM:SS'"),
        }
    }
}

/// A parameter's validated value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
    Choice(&'static str),
    /// Left out, and set by the function (from the data, or from another argument);
    /// a default only.
    Automatic,
}

/// One literal parameter of a function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamKind,
    /// `Some` makes the parameter optional (it and all after it may be left out).
    pub default: Option<ParamValue>,
    pub doc: &'static str,
}

impl Param {
    pub const fn required(name: &'static str, kind: ParamKind, doc: &'static str) -> Self {
        Param {
            name,
            kind,
            default: None,
            doc,
        }
    }

    pub const fn optional(
        name: &'static str,
        kind: ParamKind,
        default: ParamValue,
        doc: &'static str,
    ) -> Self {
        Param {
            name,
            kind,
            default: Some(default),
            doc,
        }
    }
}

/// A function's arguments: the data series first, then literal parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arguments {
    /// Names and descriptions of the numeric series arguments (columns or expressions).
    pub series: &'static [(&'static str, &'static str)],
    pub params: &'static [Param],
}

impl Arguments {
    fn required_params(&self) -> usize {
        self.params
            .iter()
            .take_while(|p| p.default.is_none())
            .count()
    }

    /// `ema(x, period)`, with optional parameters in brackets.
    pub fn syntax(&self, name: &str) -> String {
        let mut out = format!("{name}(");
        let mut first = true;
        for (series, _) in self.series {
            if !first {
                out.push_str(", ");
            }
            out.push_str(series);
            first = false;
        }
        let mut closing = String::new();
        for p in self.params {
            if p.default.is_some() {
                out.push_str(" [");
                closing.push(']');
            }
            if !first {
                out.push_str(", ");
            }
            out.push_str(p.name);
            first = false;
        }
        out.push_str(&closing);
        out.push(')');
        out
    }

    /// Checks the number of arguments against the declaration.
    pub fn check_count(&self, name: &str, given: usize) -> Result<()> {
        let min = self.series.len() + self.required_params();
        let max = self.series.len() + self.params.len();
        if (min..=max).contains(&given) {
            return Ok(());
        }
        let expected = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        plan_err!(
            "{name}: expected {expected} arguments, {}, got {given}",
            self.syntax(name)
        )
    }

    /// The types DataFusion should cast the arguments to: series become Float64,
    /// parameters keep their type (they are read as literals).
    pub fn coerce(&self, name: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.check_count(name, arg_types.len())?;
        let mut out = Vec::with_capacity(arg_types.len());
        for (i, t) in arg_types.iter().enumerate() {
            if let Some((arg, _)) = self.series.get(i) {
                if !(t.is_numeric() || t.is_null()) {
                    return plan_err!("{name}: argument {arg} must be numeric, got {t}");
                }
                out.push(DataType::Float64);
            } else {
                out.push(t.clone());
            }
        }
        Ok(out)
    }

    /// Reads the parameters from logical argument expressions (planning time).
    pub fn params_from_exprs(&self, name: &str, args: &[Expr]) -> Result<Params> {
        self.check_count(name, args.len())?;
        let literals = args[self.series.len()..]
            .iter()
            .zip(self.params)
            .map(|(arg, p)| match arg {
                Expr::Literal(v, _) => Ok(v.clone()),
                other => not_literal(name, p, &other.to_string()),
            })
            .collect::<Result<Vec<_>>>()?;
        self.params_from_values(name, &literals)
    }

    /// Reads the parameters from physical argument expressions (when an evaluator is built).
    pub fn params_from_physical(
        &self,
        name: &str,
        args: &[Arc<dyn PhysicalExpr>],
    ) -> Result<Params> {
        self.check_count(name, args.len())?;
        let literals = args[self.series.len()..]
            .iter()
            .zip(self.params)
            .map(|(arg, p)| match arg.downcast_ref::<Literal>() {
                Some(lit) => Ok(lit.value().clone()),
                None => not_literal(name, p, &arg.to_string()),
            })
            .collect::<Result<Vec<_>>>()?;
        self.params_from_values(name, &literals)
    }

    /// Validates given parameter values and fills in defaults.
    pub fn params_from_values(&self, name: &str, given: &[ScalarValue]) -> Result<Params> {
        let values = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| match given.get(i) {
                Some(v) => read_value(name, p, v),
                // check_count guarantees the missing ones have defaults
                None => p.default.ok_or_else(|| {
                    datafusion::error::DataFusionError::Plan(format!(
                        "{name}: missing parameter {}",
                        p.name
                    ))
                }),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Params(values))
    }
}

fn not_literal<T>(name: &str, p: &Param, got: &str) -> Result<T> {
    plan_err!(
        "{name}: {} must be a constant ({}), got the expression {got}",
        p.name,
        p.kind
    )
}

fn read_value(name: &str, p: &Param, v: &ScalarValue) -> Result<ParamValue> {
    let bad = || {
        plan_err!(
            "{name}: {} must be {}, got {}",
            p.name,
            p.kind,
            display_scalar(v)
        )
    };
    if v.is_null() {
        return bad();
    }
    match p.kind {
        ParamKind::Int { min, max } => match integral(v) {
            Some(i) if (min..=max).contains(&i) => Ok(ParamValue::Int(i)),
            _ => bad(),
        },
        ParamKind::Float {
            min,
            max,
            min_exclusive,
            max_exclusive,
        } => {
            let Some(x) = real(v) else { return bad() };
            let above = if min_exclusive { x > min } else { x >= min };
            let below = if max_exclusive { x < max } else { x <= max };
            if x.is_finite() && above && below {
                Ok(ParamValue::Float(x))
            } else {
                bad()
            }
        }
        ParamKind::Choice(options) => {
            let Some(s) = text(v) else { return bad() };
            match options.iter().find(|o| o.eq_ignore_ascii_case(s)) {
                Some(o) => Ok(ParamValue::Choice(o)),
                None => bad(),
            }
        }
        ParamKind::TimeOfDay => match text(v).map(crate::kernels::time::parse_time_of_day) {
            Some(Ok(seconds)) => Ok(ParamValue::Int(i64::from(seconds))),
            _ => bad(),
        },
    }
}

/// A literal's value as text, if it is a string.
fn text(v: &ScalarValue) -> Option<&str> {
    match v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn display_scalar(v: &ScalarValue) -> String {
    match v {
        _ if v.is_null() => "NULL".to_string(),
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => format!("'{s}'"),
        other => other.to_string(),
    }
}

/// A literal's value as an integer, if it is a whole number.
fn integral(v: &ScalarValue) -> Option<i64> {
    if v.data_type().is_integer() {
        return v.cast_to(&DataType::Int64).ok().and_then(|c| match c {
            ScalarValue::Int64(i) => i,
            _ => None,
        });
    }
    let x = real(v)?;
    (x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

/// A literal's value as a real number, if it is numeric.
fn real(v: &ScalarValue) -> Option<f64> {
    if !v.data_type().is_numeric() {
        return None;
    }
    match v.cast_to(&DataType::Float64).ok()? {
        ScalarValue::Float64(x) => x,
        _ => None,
    }
}

/// Validated parameters of one call, defaults filled in, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Params(Vec<ParamValue>);

impl Params {
    /// The first `n` parameters (`None`: all of them).
    pub fn leading(&self, n: Option<usize>) -> Params {
        let n = n.unwrap_or(self.0.len()).min(self.0.len());
        Params(self.0[..n].to_vec())
    }

    /// The `i`-th parameter as a count (declared `Int` with `min >= 0`).
    pub fn usize(&self, i: usize) -> usize {
        match self.0[i] {
            ParamValue::Int(v) => usize::try_from(v).unwrap_or(0),
            ParamValue::Float(v) => v as usize,
            ParamValue::Choice(_) | ParamValue::Automatic => 0,
        }
    }

    /// Whether the `i`-th parameter was left to the function.
    pub fn is_automatic(&self, i: usize) -> bool {
        self.0[i] == ParamValue::Automatic
    }

    /// The `i`-th parameter as a count, or `None` when it is left to the function.
    pub fn usize_or_automatic(&self, i: usize) -> Option<usize> {
        (self.0[i] != ParamValue::Automatic).then(|| self.usize(i))
    }

    /// The `i`-th parameter as a real number.
    pub fn f64(&self, i: usize) -> f64 {
        match self.0[i] {
            ParamValue::Int(v) => v as f64,
            ParamValue::Float(v) => v,
            ParamValue::Choice(_) | ParamValue::Automatic => f64::NAN,
        }
    }

    /// The `i`-th parameter as one of its declared choices.
    pub fn choice(&self, i: usize) -> &'static str {
        match self.0[i] {
            ParamValue::Choice(s) => s,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARGS: Arguments = Arguments {
        series: &[("x", "input")],
        params: &[
            Param::required("period", ParamKind::int_at_least(2), "window"),
            Param::optional(
                "q",
                ParamKind::Float {
                    min: 0.0,
                    max: 1.0,
                    min_exclusive: false,
                    max_exclusive: false,
                },
                ParamValue::Float(0.5),
                "quantile",
            ),
        ],
    };

    #[test]
    fn syntax_marks_optional_parameters() {
        assert_eq!(ARGS.syntax("f"), "f(x, period [, q])");
    }

    #[test]
    fn defaults_fill_missing_parameters() {
        let p = ARGS
            .params_from_values("f", &[ScalarValue::Int64(Some(5))])
            .unwrap();
        assert_eq!(p.usize(0), 5);
        assert_eq!(p.f64(1), 0.5);
    }

    #[test]
    fn integral_floats_are_accepted_as_periods() {
        let p = ARGS
            .params_from_values("f", &[ScalarValue::Float64(Some(14.0))])
            .unwrap();
        assert_eq!(p.usize(0), 14);
    }

    #[test]
    fn errors_name_function_parameter_and_rule() {
        let err = ARGS
            .params_from_values("f", &[ScalarValue::Int64(Some(1))])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("f: period must be an integer >= 2, got 1"),
            "{err}"
        );
        let err = ARGS
            .params_from_values(
                "f",
                &[ScalarValue::Int64(Some(3)), ScalarValue::Float64(Some(1.5))],
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("f: q must be a number in [0, 1], got 1.5"),
            "{err}"
        );
        let err = ARGS
            .params_from_values("f", &[ScalarValue::Utf8(Some("x".into()))])
            .unwrap_err()
            .to_string();
        assert!(err.contains("got 'x'"), "{err}");
    }

    #[test]
    fn argument_count_is_checked() {
        let err = ARGS.check_count("f", 4).unwrap_err().to_string();
        assert!(
            err.contains("f: expected 2 to 3 arguments, f(x, period [, q]), got 4"),
            "{err}"
        );
        assert!(ARGS.check_count("f", 1).is_err());
        assert!(ARGS.check_count("f", 3).is_ok());
    }

    #[test]
    fn non_numeric_series_are_rejected() {
        let err = ARGS
            .coerce("f", &[DataType::Utf8, DataType::Int64])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("f: argument x must be numeric, got Utf8"),
            "{err}"
        );
        assert_eq!(
            ARGS.coerce("f", &[DataType::Int32, DataType::Int64])
                .unwrap(),
            vec![DataType::Float64, DataType::Int64]
        );
    }
}
