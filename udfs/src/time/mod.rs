//! Time features: cyclical encodings of hours, weekdays and other periodic values.

mod cyclical;

pub use cyclical::{CyclicalCos, CyclicalSin};

use crate::registry::{scalar, QfFunction};

pub fn functions() -> Vec<QfFunction> {
    vec![scalar::<CyclicalSin>(), scalar::<CyclicalCos>()]
}
