//! Output buffers, recycled.
//!
//! A window function's result over a 370,000-row partition is a 3 MB buffer, and a
//! wide stage makes dozens per partition. The allocator serves blocks that large
//! from memory fresh from the operating system, which the kernel zeroes on first
//! touch, page by page: on a 36-output regression stage that zeroing was a fifth
//! of the CPU time. Smaller results (a 10,000-row partition's 80 KB) come from
//! reused memory, but a zero-initialised vector is cleared with a `memset` first
//! (7% of a 13-indicator stage). Here a result buffer, once Arrow drops the array
//! that holds it, returns to a bounded pool, and the next partition's results are
//! written into memory that is already mapped, without clearing it.

use datafusion::arrow::buffer::{Buffer, ScalarBuffer};
use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

/// Buffers shorter than this come from the allocator: 4 KiB.
const MIN_RECYCLED_LEN: usize = 512;

/// The most the pool keeps; buffers returned beyond it are freed.
const POOL_BYTES: usize = 256 << 20;

/// Buffers of capacity `2^k ..= 2^(k+1) - 1` are kept in size class `k`.
const SIZE_CLASSES: usize = usize::BITS as usize;

/// How many of a class's most recently returned buffers a request looks at: a
/// class usually holds buffers of one length (the partitions of a stage are alike).
const LOOK_AT: usize = 8;

struct Pool {
    classes: [Vec<Vec<f64>>; SIZE_CLASSES],
    bytes: usize,
}

static POOL: Mutex<Pool> = Mutex::new(Pool {
    classes: [const { Vec::new() }; SIZE_CLASSES],
    bytes: 0,
});

fn size_class(len: usize) -> usize {
    len.max(1).ilog2() as usize
}

/// A vector of `len` copies of `value`, in recycled memory when there is some.
pub fn filled(len: usize, value: f64) -> Vec<f64> {
    match (len >= MIN_RECYCLED_LEN).then(|| reuse(len)).flatten() {
        Some(mut v) => {
            v.clear();
            v.resize(len, value);
            v
        }
        None => vec![value; len],
    }
}

/// A vector of `len` unspecified values, for a kernel that writes every one: no
/// pass over recycled memory before the kernel's own.
pub fn scratch(len: usize) -> Vec<f64> {
    match (len >= MIN_RECYCLED_LEN).then(|| reuse(len)).flatten() {
        Some(mut v) => {
            v.truncate(len);
            v.resize(len, 0.0);
            v
        }
        None => vec![0.0; len],
    }
}

/// Takes a pooled buffer of at least `len` and at most twice that: from `len`'s
/// own size class, else from the next.
fn reuse(len: usize) -> Option<Vec<f64>> {
    let mut pool = POOL.lock().ok()?;
    let class = size_class(len);
    let fits = |v: &Vec<f64>| v.capacity() >= len && v.capacity() <= 2 * len;
    let (class, index) = [class, class + 1]
        .into_iter()
        .filter(|&c| c < SIZE_CLASSES)
        .find_map(|c| {
            let buffers = &pool.classes[c];
            let recent = buffers.len().saturating_sub(LOOK_AT);
            (recent..buffers.len())
                .rev()
                .find(|&i| fits(&buffers[i]))
                .map(|i| (c, i))
        })?;
    let v = pool.classes[class].swap_remove(index);
    pool.bytes -= v.capacity() * 8;
    Some(v)
}

/// `values` as an Arrow buffer whose memory returns to the pool when Arrow drops it.
pub fn into_scalar_buffer(values: Vec<f64>) -> ScalarBuffer<f64> {
    let len = values.len();
    if values.capacity() < MIN_RECYCLED_LEN {
        return ScalarBuffer::from(values);
    }
    let owner = Arc::new(Recycled(values));
    let ptr = NonNull::from(owner.0.as_slice()).cast::<u8>();
    // SAFETY: the pointer and length describe `owner`'s vector, which `owner`
    // keeps alive and never touches until the buffer releases it.
    let buffer = unsafe { Buffer::from_custom_allocation(ptr, len * 8, owner) };
    ScalarBuffer::new(buffer, 0, len)
}

/// Owns a result vector while Arrow uses it; gives it back to the pool after.
struct Recycled(Vec<f64>);

impl Drop for Recycled {
    fn drop(&mut self) {
        give_back(std::mem::take(&mut self.0));
    }
}

/// Returns a vector nobody uses any more to the pool (small ones are freed).
pub fn give_back(values: Vec<f64>) {
    if values.capacity() < MIN_RECYCLED_LEN {
        return;
    }
    let Ok(mut pool) = POOL.lock() else {
        return;
    };
    let bytes = values.capacity() * 8;
    if pool.bytes + bytes <= POOL_BYTES {
        pool.bytes += bytes;
        pool.classes[size_class(values.capacity())].push(values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Float64Array;

    #[test]
    fn a_dropped_large_buffer_is_reused() {
        let len = MIN_RECYCLED_LEN + 12_345;
        let mut values = filled(len, f64::NAN);
        values[7] = 3.5;
        let address = values.as_ptr() as usize;
        let array = Float64Array::new(into_scalar_buffer(values), None);
        assert_eq!(array.value(7), 3.5);
        assert!(array.value(8).is_nan());
        assert_eq!(array.len(), len);
        drop(array);
        let again: Vec<Vec<f64>> = (0..4).map(|_| filled(len, 1.0)).collect();
        let given = filled(len + 1, 0.0);
        let given_address = given.as_ptr() as usize;
        give_back(given);
        let taken = scratch(len + 1);
        assert_eq!(taken.as_ptr() as usize, given_address);
        assert!(again
            .iter()
            .all(|v| v.len() == len && v.iter().all(|&x| x == 1.0)));
        assert!(again.iter().any(|v| v.as_ptr() as usize == address));
    }

    #[test]
    fn scratch_has_the_length_asked() {
        let len = MIN_RECYCLED_LEN + 777;
        drop(Float64Array::new(
            into_scalar_buffer(filled(len, 4.0)),
            None,
        ));
        assert_eq!(scratch(len).len(), len);
        assert_eq!(scratch(len - 5).len(), len - 5);
        assert_eq!(scratch(3).len(), 3);
    }

    #[test]
    fn small_buffers_are_plain_vectors() {
        let values = filled(10, 2.0);
        assert_eq!(values, vec![2.0; 10]);
        let buffer = into_scalar_buffer(values);
        assert_eq!(&buffer[..], &[2.0; 10]);
    }

    #[test]
    fn slices_of_a_recycled_array_stay_valid() {
        let len = MIN_RECYCLED_LEN * 2;
        let values: Vec<f64> = (0..len).map(|i| i as f64).collect();
        let array = Float64Array::new(into_scalar_buffer(values), None);
        let tail = array.slice(len - 3, 3);
        drop(array);
        assert_eq!(
            tail.values().to_vec(),
            vec![(len - 3) as f64, (len - 2) as f64, (len - 1) as f64]
        );
    }
}
