//! Errors as a user reads them: one line, the innermost cause, no backtrace.

use datafusion::error::DataFusionError;

/// DataFusion wraps an argument-coercion error in this text and appends a generic
/// "No function matches ..." hint; the wrapped message is the useful part.
const COERCION_WRAPPER: &str = "user-defined coercion failed with: ";
const COERCION_HINT: &str = ". No function matches the given name";

/// The root cause of `err` on a single line.
pub fn one_line(err: &DataFusionError) -> String {
    // Optimizer and analyzer context only repeats what the cause says.
    let root = err.find_root();
    let mut text = match root {
        DataFusionError::External(inner) => inner.to_string(),
        other => other.to_string(),
    };
    if let Some(start) = text.find(COERCION_WRAPPER) {
        let inner = &text[start + COERCION_WRAPPER.len()..];
        let end = inner.find(COERCION_HINT).unwrap_or(inner.len());
        text = inner[..end].to_string();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_dropped_and_lines_joined() {
        let inner = DataFusionError::Plan("ema: period must be\nan integer".into());
        let wrapped = inner.context("Optimizer rule 'simplify_expressions' failed");
        assert_eq!(
            one_line(&wrapped),
            "Error during planning: ema: period must be an integer"
        );
    }

    #[test]
    fn coercion_wrapper_is_unwrapped() {
        let err = DataFusionError::Plan(
            "Execution error: Function 'ema' user-defined coercion failed with: Error during \
             planning: ema: expected 2 arguments, ema(x, period), got 3. No function matches \
             the given name and argument types 'ema(Float64, Int64, Int64)'."
                .into(),
        );
        assert_eq!(
            one_line(&err),
            "Error during planning: ema: expected 2 arguments, ema(x, period), got 3"
        );
    }
}
