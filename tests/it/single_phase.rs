//! Collecting aggregates in one phase: a GROUP BY of scorecard metrics over several
//! input streams repartitions the rows, not partial states, and gives exactly what
//! the two-phase plan gives, with FILTER, ORDER BY, NULL and NaN rows, groups larger
//! than a store block, and an aggregation over ordered input that emits as it goes.

use crate::common::table_text;
use datafusion::arrow::array::{Float64Array, Int64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{col, SessionConfig, SessionContext};
use std::sync::Arc;

const RULE: &str = "single_phase_collecting";

fn session(partitions: usize, single_phase: bool) -> SessionContext {
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    quantfusion::udfs::register_all(&ctx);
    if single_phase {
        return ctx;
    }
    let state = ctx.state();
    let rules = state
        .physical_optimizers()
        .iter()
        .filter(|r| r.name() != RULE)
        .cloned()
        .collect();
    SessionContext::new_with_state(
        SessionStateBuilder::new_from_existing(state)
            .with_physical_optimizer_rules(rules)
            .build(),
    )
}

/// `t(symbol, ts, ret)`: symbol `s{k:03}` has `sizes[k]` rows, one in 97 NULL and
/// one in 89 NaN, dealt round-robin (so out of order) into `partitions` partitions.
/// One partition is sorted by (symbol, ts), and declared so.
fn register(ctx: &SessionContext, sizes: &[usize], partitions: usize) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("symbol", DataType::Utf8, false),
        Field::new("ts", DataType::Int64, false),
        Field::new("ret", DataType::Float64, true),
    ]));
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut rows = Vec::new();
    for (k, &n) in sizes.iter().enumerate() {
        for t in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let ret = match t {
                t if t % 97 == 5 => None,
                t if t % 89 == 7 => Some(f64::NAN),
                _ => Some((state % 4001) as f64 / 100_000.0 - 0.02),
            };
            rows.push((format!("s{k:03}"), t as i64, ret));
        }
    }
    let parts = (0..partitions)
        .map(|p| {
            let mine: Vec<_> = rows.iter().skip(p).step_by(partitions).collect();
            let columns = vec![
                Arc::new(StringArray::from_iter_values(mine.iter().map(|r| &r.0))) as _,
                Arc::new(Int64Array::from_iter_values(mine.iter().map(|r| r.1))) as _,
                Arc::new(Float64Array::from_iter(mine.iter().map(|r| r.2))) as _,
            ];
            vec![RecordBatch::try_new(schema.clone(), columns).unwrap()]
        })
        .collect();
    let mut table = MemTable::try_new(schema, parts).unwrap();
    if partitions == 1 {
        table = table.with_sort_order(vec![vec![
            col("symbol").sort(true, false),
            col("ts").sort(true, false),
        ]]);
    }
    ctx.register_table("t", Arc::new(table)).unwrap();
}

const SCORECARD: &str = "SELECT symbol, sharpe_ratio(ret, 252), max_drawdown(ret ORDER BY ts), \
    value_at_risk(ret, 0.05) FILTER (WHERE ts % 3 <> 0), total_return(ret ORDER BY ts DESC), \
    stability_of_timeseries(ret ORDER BY ts), tail_ratio(ret) \
    FROM t GROUP BY symbol ORDER BY symbol";

#[tokio::test]
async fn collecting_aggregates_repartition_rows_not_states() {
    let ctx = session(3, true);
    register(&ctx, &[300, 50, 1], 3);
    let sql = "SELECT symbol, sharpe_ratio(ret, 252), max_drawdown(ret ORDER BY ts) \
               FROM t GROUP BY symbol";
    let plan = table_text(&ctx, &format!("EXPLAIN {sql}")).await;
    assert!(plan.contains("mode=SinglePartitioned"), "{plan}");
    assert!(!plan.contains("mode=Partial"), "{plan}");
    // A reducing aggregate next to them keeps the two phases (its partial state is
    // one number per group).
    let mixed = "SELECT symbol, sharpe_ratio(ret, 252), sum(ret) FROM t GROUP BY symbol";
    let plan = table_text(&ctx, &format!("EXPLAIN {mixed}")).await;
    assert!(plan.contains("mode=Partial"), "{plan}");
    assert!(!plan.contains("mode=SinglePartitioned"), "{plan}");
}

/// Groups of 1 to 70,000 rows (more than a store block) over 1, 2 and 5 streams.
#[tokio::test]
async fn one_phase_equals_two_phases() {
    let sizes = [70_000, 1, 2, 3_000, 65_536, 17];
    for partitions in [1, 2, 5] {
        let (one, two) = (session(partitions, true), session(partitions, false));
        register(&one, &sizes, partitions);
        register(&two, &sizes, partitions);
        let expected = table_text(&two, SCORECARD).await;
        assert_eq!(
            table_text(&one, SCORECARD).await,
            expected,
            "{partitions} streams"
        );
        assert_eq!(expected.lines().count(), sizes.len() + 4, "{expected}");
    }
}

/// Over input ordered by the group key, the aggregate emits each group when the next
/// begins; the rows of emitted groups are released as it goes (the store is rebuilt
/// from the live rows) and every value is still the one of a full aggregation.
#[tokio::test]
async fn ordered_input_emits_groups_as_they_end() {
    let sizes: Vec<usize> = (0..40).map(|k| 1_000 + 331 * k).collect();
    let ctx = session(1, true);
    register(&ctx, &sizes, 1);
    let sorted = "SELECT symbol, max_drawdown(ret ORDER BY ts), sharpe_ratio(ret, 252) \
                  FROM t GROUP BY symbol";
    let plan = table_text(&ctx, &format!("EXPLAIN {sorted}")).await;
    assert!(plan.contains("ordering_mode=Sorted"), "{plan}");
    let streamed = table_text(&ctx, sorted).await;
    let whole = session(1, true);
    register(&whole, &sizes, 2);
    assert_eq!(
        streamed,
        table_text(&whole, &format!("{sorted} ORDER BY symbol")).await
    );
}
