//! `quantfusion functions`: the catalogue of quantfusion functions with their
//! documentation, as a table or JSON.

use datafusion::arrow::array::{ArrayRef, BooleanArray, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::Result;
use quantfusion_udfs::QfFunction;
use std::sync::Arc;

/// One row per function whose name contains `filter` (all when `None`): name, kind,
/// family, looks_ahead, syntax, description, arguments, example.
pub fn functions_batch(filter: Option<&str>) -> Result<RecordBatch> {
    let functions: Vec<QfFunction> = quantfusion_udfs::all_functions()
        .into_iter()
        .filter(|f| filter.is_none_or(|p| f.name.contains(&p.to_lowercase())))
        .collect();
    let text = |get: &dyn Fn(&QfFunction) -> String| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(functions.iter().map(get)))
    };
    let doc = |f: &QfFunction| f.documentation().cloned();
    let columns: Vec<ArrayRef> = vec![
        text(&|f| f.name.to_string()),
        text(&|f| f.kind().to_string()),
        text(&|f| f.family.label().to_string()),
        Arc::new(BooleanArray::from_iter(
            functions.iter().map(|f| Some(f.causality.looks_ahead())),
        )),
        text(&|f| doc(f).map(|d| d.syntax_example).unwrap_or_default()),
        text(&|f| doc(f).map(|d| d.description).unwrap_or_default()),
        text(&|f| {
            doc(f)
                .and_then(|d| d.arguments)
                .unwrap_or_default()
                .iter()
                .map(|(name, text)| format!("{name}: {text}"))
                .collect::<Vec<_>>()
                .join("\n")
        }),
        text(&|f| doc(f).and_then(|d| d.sql_example).unwrap_or_default()),
    ];
    let schema = Schema::new(
        [
            "name",
            "kind",
            "family",
            "looks_ahead",
            "syntax",
            "description",
            "arguments",
            "example",
        ]
        .iter()
        .map(|name| {
            let t = if *name == "looks_ahead" {
                DataType::Boolean
            } else {
                DataType::Utf8
            };
            Field::new(*name, t, false)
        })
        .collect::<Vec<_>>(),
    );
    Ok(RecordBatch::try_new(Arc::new(schema), columns)?)
}
