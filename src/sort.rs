//! The crate's own sorts. Every `sort*` of the standard library is a separate, large
//! instantiation in the wasm (about 8 KB gzip together, measured with twiggy); these are
//! a few hundred bytes. The lists sorted here are short (literals of a rule file, candidate
//! values, versions, answer errors).

/// Sorts in place by `less`, not stable, O(n log n) (heapsort).
pub(crate) fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    fn sift<T>(v: &mut [T], mut node: usize, less: &impl Fn(&T, &T) -> bool) {
        loop {
            let mut child = 2 * node + 1;
            if child >= v.len() {
                return;
            }
            if child + 1 < v.len() && less(&v[child], &v[child + 1]) {
                child += 1;
            }
            if !less(&v[node], &v[child]) {
                return;
            }
            v.swap(node, child);
            node = child;
        }
    }
    for i in (0..v.len() / 2).rev() {
        sift(v, i, &less);
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(&mut v[..end], 0, &less);
    }
}

/// Sorts in place in ascending order and removes repeats.
pub(crate) fn sort_dedup<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, |a, b| a < b);
    v.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_library_does() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for n in [0usize, 1, 2, 3, 7, 64, 1000] {
            let v: Vec<(u8, u32)> = (0..n)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed % 5) as u8, i as u32)
                })
                .collect();
            let (mut a, mut b) = (v.clone(), v.clone());
            sort_by(&mut a, |x, y| x < y);
            b.sort();
            assert_eq!(a, b, "n = {n}");
            let mut e: Vec<u8> = v.iter().map(|x| x.0).collect();
            sort_dedup(&mut e);
            assert_eq!(e, (0..5).filter(|k| v.iter().any(|x| x.0 == *k)).collect::<Vec<_>>());
        }
    }
}
