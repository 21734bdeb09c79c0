//! What the window, aggregate and scalar adapters share: a user-defined signature
//! (argument checks and coercion are the function's own, see [`Arguments::coerce`])
//! and the documentation built from the function's declaration.

use super::docs::{self, Causality, Doc, Family};
use super::params::Arguments;
use datafusion::logical_expr::{Documentation, Signature, Volatility};
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// A DataFusion UDF backed by the kernel type `K`; one instance per kernel.
#[derive(Debug)]
pub struct KernelUdf<K> {
    pub(crate) signature: Signature,
    pub(crate) documentation: Documentation,
    kernel: PhantomData<K>,
}

impl<K> KernelUdf<K> {
    pub(crate) fn new(
        name: &str,
        family: Family,
        causality: Causality,
        args: &Arguments,
        doc: &Doc,
    ) -> Self {
        KernelUdf {
            signature: Signature::user_defined(Volatility::Immutable),
            documentation: docs::build(name, family, causality, args, doc),
            kernel: PhantomData,
        }
    }
}

impl<K> PartialEq for KernelUdf<K> {
    fn eq(&self, _other: &Self) -> bool {
        true // the kernel type is the identity
    }
}

impl<K> Eq for KernelUdf<K> {}

impl<K> Hash for KernelUdf<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::any::type_name::<K>().hash(state);
    }
}
