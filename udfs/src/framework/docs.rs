//! Documentation attached to every function, so the shell's `\h`, `SHOW FUNCTIONS`,
//! `information_schema` and `quantfusion functions` all read the same text.

use super::params::Arguments;
use datafusion::logical_expr::{DocSection, Documentation};

/// What a function's author writes; the rest (syntax, argument list, look-ahead
/// statement) is derived from the declaration.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    pub description: &'static str,
    /// A statement a user can paste into the shell.
    pub example: &'static str,
}

/// The family a function belongs to, shown as its documentation section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Technical,
    PriceFeatures,
    Returns,
    Rolling,
    Risk,
    Stationarity,
    Time,
}

impl Family {
    pub fn label(self) -> &'static str {
        match self {
            Family::Technical => "Technical indicators (TA-Lib)",
            Family::PriceFeatures => "Price features and crossover signals",
            Family::Returns => "Returns",
            Family::Rolling => "Rolling statistics",
            Family::Risk => "Risk metrics",
            Family::Stationarity => "Stationarity, filters and volatility models",
            Family::Time => "Time features",
        }
    }

    fn section(self) -> DocSection {
        DocSection {
            include: true,
            label: self.label(),
            description: None,
        }
    }
}

/// Whether a function uses rows after the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Causality {
    /// Only the current and earlier rows.
    Causal,
    /// Rows after the current one too (filters, full-sample fits, labels).
    LooksAhead,
}

impl Causality {
    pub fn looks_ahead(self) -> bool {
        self == Causality::LooksAhead
    }

    fn sentence(self) -> &'static str {
        match self {
            Causality::Causal => "Looks ahead: no (uses only the current and earlier rows).",
            Causality::LooksAhead => {
                "Looks ahead: YES (uses rows after the current one; not for live features)."
            }
        }
    }
}

/// Builds DataFusion's documentation record for a function.
pub fn build(
    name: &str,
    family: Family,
    causality: Causality,
    args: &Arguments,
    doc: &Doc,
) -> Documentation {
    let description = format!("{} {}", doc.description, causality.sentence());
    let mut builder = Documentation::builder(family.section(), description, args.syntax(name))
        .with_sql_example(doc.example);
    for (series, text) in args.series {
        builder = builder.with_argument(*series, *text);
    }
    for p in args.params {
        let text = match p.default {
            Some(d) => format!("{} Must be {}; default {}.", p.doc, p.kind, show_default(d)),
            None => format!("{} Must be {}.", p.doc, p.kind),
        };
        builder = builder.with_argument(p.name, text);
    }
    builder.build()
}

fn show_default(v: super::params::ParamValue) -> String {
    use super::params::ParamValue;
    match v {
        ParamValue::Int(i) => i.to_string(),
        ParamValue::Float(x) => x.to_string(),
        ParamValue::Choice(s) => format!("'{s}'"),
        ParamValue::Automatic => "set by the function (see its description)".to_string(),
    }
}
