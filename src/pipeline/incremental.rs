//! Incremental tasks: a split stage computes only its task's input rows newer than
//! the last completed run read, after a warm-up of earlier rows as long as the
//! stage's window functions look back, and appends them (see
//! [`super::config::Incremental`]).
//!
//! The look-back is read from the stage's logical plan: each window function
//! declares its memory ([`quantfusion_udfs::Memory`]); window stages in sequence
//! add; anything that would make new rows depend on more than a bounded history
//! (aggregates, joins, a filter before a window function, a function over the whole
//! partition) makes the task a full recompute, and `plan` says why.

use super::config::Incremental;
use super::state::{LastAttempt, Mark};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::common::tree_node::TreeNode;
use datafusion::common::{exec_datafusion_err, Column, Result, ScalarValue};
use datafusion::functions_aggregate::expr_fn::{count, max};
use datafusion::logical_expr::expr::{Sort, WindowFunction};
use datafusion::logical_expr::{
    lit, when, Expr, LogicalPlan, WindowFrameBound, WindowFrameUnits, WindowFunctionDefinition,
};
use datafusion::prelude::DataFrame;
use quantfusion_udfs::Memory;

/// Warm-ups longer than this are not worth it: the task is recomputed instead.
const LONGEST_WARMUP: usize = 10_000_000;

/// The warm-up a stage needs before new rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Warmup {
    /// Complete input rows (no NULL or NaN) recomputed before the first new row.
    pub rows: usize,
    /// The weight rows before the warm-up keep in new rows' values (0 when every
    /// look-back is finite).
    pub residual: f64,
}

/// The warm-up of a stage whose query is `plan`, or why it cannot run incrementally.
pub fn stage_warmup(
    plan: &LogicalPlan,
    config: &Incremental,
) -> std::result::Result<Warmup, String> {
    let memory = plan_memory(plan, &config.order_by, false)?;
    let finite = |rows| Warmup {
        rows,
        residual: 0.0,
    };
    match (memory, config.warmup) {
        (Memory::Whole, _) => Err("its query needs the whole partition".into()),
        (Memory::Rows(n), warmup) => Ok(finite(n.max(warmup.unwrap_or(0)))),
        (decaying, Some(rows)) => {
            let residual = decaying.residual(rows);
            if residual > config.tolerance {
                Err(format!(
                    "a warm-up of {rows} rows leaves {residual:.1e} of the earlier rows' weight \
                     (tolerance {:.0e}; raise incremental.warmup or leave it out to derive it)",
                    config.tolerance
                ))
            } else {
                Ok(Warmup { rows, residual })
            }
        }
        (decaying, None) => match decaying.warmup_for(config.tolerance, LONGEST_WARMUP) {
            Some(rows) => Ok(Warmup {
                rows,
                residual: decaying.residual(rows),
            }),
            None => Err(format!(
                "its recursions need more than {LONGEST_WARMUP} rows of warm-up for a \
                 tolerance of {:.0e}",
                config.tolerance
            )),
        },
    }
}

/// The memory of a plan's output rows; `Err` says why it is unbounded.
/// `under_window`: a window function reads this plan's rows.
fn plan_memory(
    plan: &LogicalPlan,
    order_by: &str,
    under_window: bool,
) -> std::result::Result<Memory, String> {
    if plan.expressions().iter().any(has_subquery) {
        return Err("its query has a subquery".into());
    }
    match plan {
        LogicalPlan::TableScan(_) | LogicalPlan::EmptyRelation(_) | LogicalPlan::Values(_) => {
            Ok(Memory::Rows(0))
        }
        LogicalPlan::Projection(p) => plan_memory(&p.input, order_by, under_window),
        LogicalPlan::SubqueryAlias(a) => plan_memory(&a.input, order_by, under_window),
        LogicalPlan::Sort(s) if s.fetch.is_none() => plan_memory(&s.input, order_by, under_window),
        LogicalPlan::Filter(f) => {
            if under_window {
                return Err("it filters rows before a window function reads them".into());
            }
            plan_memory(&f.input, order_by, false)
        }
        LogicalPlan::Window(w) => {
            let input = plan_memory(&w.input, order_by, true)?;
            let mut node = Memory::Rows(0);
            for expr in &w.window_expr {
                node = node.max(window_memory(expr, order_by)?);
            }
            Ok(input.then(node))
        }
        other => Err(format!(
            "its query has {} (only projections, window functions and filters after them \
             can run on new rows alone)",
            other.display()
        )),
    }
}

fn has_subquery(expr: &Expr) -> bool {
    expr.exists(|e| {
        Ok(matches!(
            e,
            Expr::ScalarSubquery(_) | Expr::InSubquery(_) | Expr::Exists(_)
        ))
    })
    .unwrap_or(true)
}

/// The memory of one window function call, ordered by `order_by`.
fn window_memory(expr: &Expr, order_by: &str) -> std::result::Result<Memory, String> {
    let Expr::WindowFunction(call) = strip_alias(expr) else {
        return Err(format!("unexpected window expression {expr}"));
    };
    let name = call.fun.name().to_string();
    check_order(&name, &call.params.order_by, order_by)?;
    let memory = match &call.fun {
        WindowFunctionDefinition::WindowUDF(udf) => {
            match quantfusion_udfs::window_memory(udf.name(), &call.params.args) {
                Some(memory) => memory.map_err(|e| e.to_string())?,
                None => builtin_memory(udf.name(), call),
            }
        }
        WindowFunctionDefinition::AggregateUDF(_) => frame_memory(call),
    };
    match memory {
        Memory::Whole => Err(format!("{name} needs the whole partition")),
        memory => Ok(memory),
    }
}

fn strip_alias(expr: &Expr) -> &Expr {
    match expr {
        Expr::Alias(alias) => strip_alias(&alias.expr),
        other => other,
    }
}

/// New rows are later by `order_by`; a window ordered otherwise sees them elsewhere.
fn check_order(name: &str, order: &[Sort], order_by: &str) -> std::result::Result<(), String> {
    match order.first() {
        Some(Sort {
            expr: Expr::Column(c),
            asc: true,
            ..
        }) if c.name == order_by => Ok(()),
        _ => Err(format!(
            "{name} is not ordered by {order_by} ascending (incremental.order_by)"
        )),
    }
}

/// DataFusion's own window functions: `lag(x, k)` looks back `k` rows; ranks and
/// `lead` depend on the whole partition.
fn builtin_memory(name: &str, call: &WindowFunction) -> Memory {
    match name {
        "lag" => match call.params.args.get(1).map(strip_alias) {
            None => Memory::Rows(1),
            Some(Expr::Literal(value, _)) => value
                .cast_to(&DataType::Int64)
                .ok()
                .and_then(|v| match v {
                    ScalarValue::Int64(Some(k)) if k >= 0 => Some(Memory::Rows(k as usize)),
                    _ => None,
                })
                .unwrap_or(Memory::Whole),
            Some(_) => Memory::Whole,
        },
        "first_value" | "last_value" | "nth_value" => frame_memory(call),
        _ => Memory::Whole,
    }
}

/// An aggregate over a frame: `ROWS BETWEEN k PRECEDING AND CURRENT ROW` looks back
/// `k` rows; cumulative, range and following frames need the whole partition.
fn frame_memory(call: &WindowFunction) -> Memory {
    let frame = &call.params.window_frame;
    if frame.units != WindowFrameUnits::Rows {
        return Memory::Whole;
    }
    let rows_before = |bound: &WindowFrameBound| match bound {
        WindowFrameBound::CurrentRow => Some(0),
        WindowFrameBound::Preceding(v) if !v.is_null() => match v.cast_to(&DataType::UInt64) {
            Ok(ScalarValue::UInt64(Some(k))) => Some(k as usize),
            _ => None,
        },
        _ => None,
    };
    match (
        rows_before(&frame.start_bound),
        rows_before(&frame.end_bound),
    ) {
        (Some(k), Some(_)) => Memory::Rows(k),
        _ => Memory::Whole,
    }
}

/// What a task's run computes.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskRun {
    /// Every input row up to `mark`, replacing the task's output.
    Full { reason: String, mark: Extent },
    /// Rows after `after` only, reading from `from` on (`None`: from the start),
    /// appended to the task's output.
    Append {
        after: ScalarValue,
        from: Option<ScalarValue>,
        new_rows: u64,
        mark: Extent,
    },
    /// No input rows after what the last run read.
    NothingNew { mark: Extent },
}

/// How far a task's input reaches: its latest `order_by` value and the rows up to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Extent {
    pub high_water: Option<ScalarValue>,
    pub rows: u64,
}

impl Extent {
    pub fn mark(&self, definition: &str) -> Result<Option<Mark>> {
        self.high_water
            .as_ref()
            .map(|h| {
                Ok(Mark {
                    definition: definition.to_string(),
                    high_water: encode(h)?,
                    rows: self.rows,
                })
            })
            .transpose()
    }
}

/// Decides how a task runs: appending after the last run's mark when that run
/// completed with the same definition and the input rows up to its mark are still
/// the same number; otherwise a full recompute, with the reason.
pub async fn plan_task(
    input: &DataFrame,
    order_by: &str,
    warmup: &std::result::Result<Warmup, String>,
    last: Option<&LastAttempt>,
    definition: &str,
) -> Result<TaskRun> {
    let column = order_column(input, order_by)?;
    // Why the task runs in full, or where the last run stopped and the warm-up.
    let resume = match (warmup, last) {
        (Err(reason), _) => Err(reason.clone()),
        (_, None) => Err("first run".into()),
        (_, Some(last)) if !last.completed => Err("its last attempt did not complete".into()),
        (_, Some(LastAttempt { mark: None, .. })) => Err("no record of what it read".into()),
        (
            _,
            Some(LastAttempt {
                mark: Some(mark), ..
            }),
        ) if mark.definition != definition => Err("its SQL or settings changed".into()),
        (
            Ok(warmup),
            Some(LastAttempt {
                mark: Some(mark), ..
            }),
        ) => {
            let data_type = input
                .schema()
                .field_with_unqualified_name(order_by)?
                .data_type()
                .clone();
            Ok((mark, decode(&mark.high_water, &data_type)?, warmup))
        }
    };
    let after = resume.as_ref().ok().map(|(_, after, _)| after);
    let (extent, before) = read_extent(input, &column, after).await?;
    let (mark, after, warmup) = match resume {
        Ok(resume) => resume,
        Err(reason) => {
            return Ok(TaskRun::Full {
                reason,
                mark: extent,
            })
        }
    };
    let before = before.unwrap_or_default();
    if before != mark.rows {
        return Ok(TaskRun::Full {
            reason: format!(
                "its input up to {} changed ({} rows then, {before} now)",
                mark.high_water, mark.rows
            ),
            mark: extent,
        });
    }
    if extent.rows == before {
        return Ok(TaskRun::NothingNew { mark: extent });
    }
    let from = warmup_start(input, &column, &after, warmup.rows).await?;
    Ok(TaskRun::Append {
        after,
        from,
        new_rows: extent.rows - before,
        mark: extent,
    })
}

fn order_column(input: &DataFrame, order_by: &str) -> Result<Expr> {
    if input
        .schema()
        .field_with_unqualified_name(order_by)
        .is_err()
    {
        return Err(exec_datafusion_err!(
            "incremental.order_by '{order_by}' is not a column of the task's input"
        ));
    }
    Ok(Expr::Column(Column::new_unqualified(order_by)))
}

/// The largest `order_by` and the rows with one, and (given `upto`) how many of
/// them are at or before it: one pass over the task's input.
async fn read_extent(
    input: &DataFrame,
    column: &Expr,
    upto: Option<&ScalarValue>,
) -> Result<(Extent, Option<u64>)> {
    let mut aggregates = vec![max(column.clone()), count(column.clone())];
    if let Some(upto) = upto {
        let at_or_before = when(column.clone().lt_eq(lit(upto.clone())), lit(1)).end()?;
        aggregates.push(count(at_or_before));
    }
    let batches = input
        .clone()
        .aggregate(vec![], aggregates)?
        .collect()
        .await?;
    let batch = batches
        .first()
        .ok_or_else(|| exec_datafusion_err!("no result from the extent of a task's input"))?;
    let count_at = |i: usize| match ScalarValue::try_from_array(batch.column(i), 0)? {
        ScalarValue::Int64(Some(n)) => Ok(n as u64),
        other => Err(exec_datafusion_err!("row count of a task's input: {other}")),
    };
    let high_water = ScalarValue::try_from_array(batch.column(0), 0)?;
    let extent = Extent {
        high_water: (!high_water.is_null()).then_some(high_water),
        rows: count_at(1)?,
    };
    let before = upto.map(|_| count_at(2)).transpose()?;
    Ok((extent, before))
}

/// The `order_by` value `rows` complete rows (every column present, floats not NaN)
/// before the first new one; `None` when there are fewer (read from the start).
async fn warmup_start(
    input: &DataFrame,
    column: &Expr,
    after: &ScalarValue,
    rows: usize,
) -> Result<Option<ScalarValue>> {
    if rows == 0 {
        return Ok(Some(after.clone()));
    }
    let complete = complete_rows(input.schema().as_arrow());
    let batches = input
        .clone()
        .filter(column.clone().lt_eq(lit(after.clone())).and(complete))?
        .select(vec![column.clone()])?
        .sort(vec![column.clone().sort(false, false)])?
        .limit(rows - 1, Some(1))?
        .collect()
        .await?;
    match batches.iter().find(|b| b.num_rows() > 0) {
        Some(batch) => Ok(Some(ScalarValue::try_from_array(batch.column(0), 0)?)),
        None => Ok(None),
    }
}

/// Rows where every column is present: a window function skips a row with a NULL
/// or NaN argument, so only such rows surely count towards every look-back.
fn complete_rows(schema: &Schema) -> Expr {
    schema
        .fields()
        .iter()
        .map(|field| {
            let column = Expr::Column(Column::new_unqualified(field.name()));
            let present = column.clone().is_not_null();
            if field.data_type().is_floating() {
                present.and(!datafusion::functions::math::expr_fn::isnan(column))
            } else {
                present
            }
        })
        .fold(lit(true), Expr::and)
}

/// A high-water mark as text for the state file: integers and temporal values by
/// their raw integer (exact for every unit and time zone), others as displayed.
pub fn encode(value: &ScalarValue) -> Result<String> {
    let data_type = value.data_type();
    if data_type.is_temporal() || data_type.is_integer() {
        Ok(value.cast_to(&DataType::Int64)?.to_string())
    } else {
        Ok(value.to_string())
    }
}

/// The inverse of [`encode`] for a column of `data_type`.
pub fn decode(text: &str, data_type: &DataType) -> Result<ScalarValue> {
    if data_type.is_temporal() || data_type.is_integer() {
        let raw: i64 = text
            .parse()
            .map_err(|e| exec_datafusion_err!("high-water mark '{text}' in the state: {e}"))?;
        ScalarValue::Int64(Some(raw)).cast_to(data_type)
    } else {
        ScalarValue::try_from_string(text.to_string(), data_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::TimeUnit;

    #[test]
    fn high_water_marks_survive_the_state_file() {
        let values = [
            ScalarValue::TimestampNanosecond(Some(1_704_067_200_123_456_789), Some("UTC".into())),
            ScalarValue::TimestampMicrosecond(Some(-5), None),
            ScalarValue::TimestampMillisecond(Some(1_700_000_000_000), Some("+02:00".into())),
            ScalarValue::Date32(Some(19_000)),
            ScalarValue::Date64(Some(1_641_000_000_000)),
            ScalarValue::Int64(Some(-42)),
            ScalarValue::Int32(Some(7)),
            ScalarValue::UInt32(Some(7)),
            ScalarValue::Float64(Some(0.1 + 0.2)),
            ScalarValue::Utf8(Some("2024-01-01 10:00".into())),
        ];
        for value in values {
            let text = encode(&value).unwrap();
            assert_eq!(decode(&text, &value.data_type()).unwrap(), value, "{text}");
        }
        assert!(decode("x", &DataType::Timestamp(TimeUnit::Second, None)).is_err());
    }
}
