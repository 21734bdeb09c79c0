//! Time features: cyclical encodings of hours, weekdays and other periodic values,
//! and trading-session membership. Hours and weekdays themselves are DataFusion's
//! `extract(hour FROM ts)` and `extract(dow FROM ts)`.

mod cyclical;
mod in_session;

pub use cyclical::{CyclicalCos, CyclicalSin};
pub use in_session::InSession;

use crate::framework::Causality;
use crate::registry::{scalar, QfFunction, Udf};
use std::sync::Arc;

pub fn functions() -> Vec<QfFunction> {
    vec![
        scalar::<CyclicalSin>(),
        scalar::<CyclicalCos>(),
        QfFunction {
            name: "in_session",
            family: crate::framework::Family::Time,
            causality: Causality::Causal,
            udf: Udf::Scalar(Arc::new(InSession::udf())),
            collecting: None,
            memory: None,
        },
    ]
}
