//! `LiteralTrie`, which finds every occurrence of a set of literals in a text, ignoring
//! ASCII case, overlapping occurrences included.

use std::collections::{BTreeMap, HashMap};

/// A trie of literals of at least three bytes, searched from each text position whose
/// first four bytes may start a literal. The overlapping search of an Aho–Corasick NFA
/// over the same literals executed about 67k instructions per answer (callgrind,
/// labelled fixtures), mostly in failure transitions. Here most positions cost one
/// lookup in a 32 KiB filter, about 10% of them (labelled fixtures) a comparison with
/// the first bytes of the literals in the filter's slot, and the others that start a
/// literal's first bytes a walk of a few bytes down the trie.
#[derive(Debug)]
pub(super) struct LiteralTrie {
    /// A filter in front of `window_entries`, one byte per slot: `WINDOW_IN_FILTER` at
    /// the `window_slot` of the first four bytes of each literal, case-folded by
    /// `fold_case`, and zero at most other slots. A text position whose window maps to
    /// a zero slot starts no literal. `FILTER_PADDING` zero bytes follow the last slot.
    window_filter: Box<[u8]>,
    /// For each filter slot whose byte is nonzero, the index of its first entry in
    /// `window_entries`, and 0 at the other slots.
    first_entry_of_slot: Box<[u32]>,
    /// The entries of each slot in a run, in ascending order of slots. The last entry
    /// of each run has `last_of_slot` set.
    window_entries: Box<[WindowEntry]>,
    /// The nodes in depth-first preorder, with children in ascending order of their
    /// bytes, so that the first child of each node is the node after it.
    nodes: Box<[TrieNode]>,
    /// (byte, child node) of the children after the first, in ascending order of bytes
    /// within each node's range.
    later_edges: Box<[(u8, u32)]>,
}

/// The first three or four bytes of one or more literals, and the trie node after them.
/// At most one entry of a slot matches any text window (see `LiteralTrie::new`).
#[derive(Debug, Clone, Copy)]
struct WindowEntry {
    /// The first `length` bytes, ASCII-lowercase, little-endian, with zero bytes above.
    key: u32,
    /// 0x20 at each byte of `key` that is a lowercase ASCII letter. A byte ORed with
    /// 0x20 equals a lowercase letter exactly when the byte is that letter in either
    /// case, so `(window | case_bits) & mask == key` compares up to ASCII case.
    case_bits: u32,
    /// 0xFF at each of the `length` bytes of `key`.
    mask: u32,
    node: u32,
    /// 3 for the prefix of a three-byte literal, otherwise 4.
    length: u8,
    last_of_slot: bool,
}

/// A node of `LiteralTrie`.
#[derive(Debug, Clone, Copy)]
struct TrieNode {
    /// The id of the literal that ends here, or `NO_LITERAL`.
    literal: u32,
    /// The start of the node's range of `LiteralTrie::later_edges`.
    later_edges_start: u32,
    /// The number of children after the first, from 0 to 255.
    later_edge_count: u16,
    /// The byte of the first child, the one with the lowest byte, or `NO_CHILD`, which
    /// is greater than every byte.
    first_byte: u16,
}

const NO_LITERAL: u32 = u32::MAX;
const NO_CHILD: u16 = 256;

/// Bytes of text read per filter lookup.
const WINDOW_BYTES: usize = 4;
/// `LiteralTrie::window_filter` has `1 << FILTER_SLOT_BITS` slots.
const FILTER_SLOT_BITS: u32 = 15;
/// Zero bytes after the last filter slot: the AVX2 scan reads four bytes at each slot.
const FILTER_PADDING: usize = 3;
/// The filter byte of a slot that some literal's window maps to. Its high bit is what
/// the AVX2 scan tests.
const WINDOW_IN_FILTER: u8 = 0x80;
/// Text positions looked up per 8-byte word in `find_from`: those whose window lies in
/// the word.
const WINDOWS_PER_WORD: usize = 9 - WINDOW_BYTES;

/// Sets bit 5 of every byte of `word`, which maps each ASCII letter to its lowercase
/// form, so that bytes equal up to ASCII case stay equal. Other bytes can collide too
/// ('@' and '`'), which costs only a needless lookup.
fn fold_case(word: u64) -> u64 {
    word | 0x2020_2020_2020_2020
}

/// Returns the filter slot of the window that starts at byte `index` of a case-folded
/// little-endian word, for `index` in `0..WINDOWS_PER_WORD`. `find_avx2` computes the
/// same slots eight at a time.
fn window_slot(folded_word: u64, index: usize) -> usize {
    let window = (folded_word >> (8 * index)) as u32;
    (window.wrapping_mul(0x9E37_79B1) >> (32 - FILTER_SLOT_BITS)) as usize
}

/// Returns up to 8 bytes of `bytes` as a little-endian word, padded with zero bytes.
fn padded_word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let length = bytes.len().min(8);
    word[..length].copy_from_slice(&bytes[..length]);
    u64::from_le_bytes(word)
}

/// ASCII lowercasing as a table, one load per byte.
static ASCII_LOWERCASE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).to_ascii_lowercase();
        byte += 1;
    }
    table
};

/// Returns 0x20 at each lowercase ASCII letter of the little-endian `key`.
fn case_bits_of(key: u32) -> u32 {
    let bytes = key.to_le_bytes().map(|byte| if byte.is_ascii_lowercase() { 0x20 } else { 0 });
    u32::from_le_bytes(bytes)
}

/// A trie while it is built: children as sorted vectors, flattened at the end.
struct TrieBuilder {
    /// (children as (byte, node), literal id or `NO_LITERAL`) by node number.
    nodes: Vec<(Vec<(u8, u32)>, u32)>,
}

impl TrieBuilder {
    /// Inserts `literal` with `id`, and returns the nodes after its third and after its
    /// fourth byte (the second is `None` for a three-byte literal).
    fn insert(&mut self, literal: &[u8], id: u32) -> (u32, Option<u32>) {
        let mut node = 0usize;
        let mut after = [0u32; 2];
        for (depth, &byte) in literal.iter().enumerate() {
            let position = self.nodes[node].0.binary_search_by_key(&byte, |(edge, _)| *edge);
            node = match position {
                Ok(index) => self.nodes[node].0[index].1 as usize,
                Err(index) => {
                    let child = u32::try_from(self.nodes.len()).expect("fewer than 2^32 trie nodes");
                    self.nodes[node].0.insert(index, (byte, child));
                    self.nodes.push((Vec::new(), NO_LITERAL));
                    child as usize
                }
            };
            if depth == 2 || depth == 3 {
                after[depth - 2] = node as u32;
            }
        }
        self.nodes[node].1 = id;
        (after[0], (literal.len() >= 4).then_some(after[1]))
    }

    /// Returns the nodes in preorder, the later edges, and each old node's new number.
    /// Children are pushed in descending order of bytes, so that the lowest byte's
    /// child is popped, and numbered, next.
    fn flatten(self) -> (Vec<TrieNode>, Vec<(u8, u32)>, Vec<u32>) {
        let mut preorder = vec![0u32; self.nodes.len()];
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![0usize];
        while let Some(node) = stack.pop() {
            preorder[node] = u32::try_from(order.len()).expect("fewer than 2^32 trie nodes");
            order.push(node);
            stack.extend(self.nodes[node].0.iter().rev().map(|&(_, child)| child as usize));
        }
        let mut flat = Vec::with_capacity(self.nodes.len());
        let mut later_edges = Vec::new();
        for node in order {
            let (edges, literal) = &self.nodes[node];
            flat.push(TrieNode {
                literal: *literal,
                later_edges_start: u32::try_from(later_edges.len()).expect("fewer than 2^32 trie edges"),
                later_edge_count: u16::try_from(edges.len().saturating_sub(1)).expect("at most 256 children"),
                first_byte: edges.first().map_or(NO_CHILD, |&(byte, _)| u16::from(byte)),
            });
            later_edges.extend(edges.iter().skip(1).map(|&(byte, child)| (byte, preorder[child as usize])));
        }
        (flat, later_edges, preorder)
    }
}

impl LiteralTrie {
    /// Builds the trie; literal `i` of `literals` gets id `i`. Literals must be
    /// ASCII-lowercase. Panics on a literal shorter than three bytes, which `extract`
    /// never returns (`MIN_LITERAL_BYTES`).
    pub(super) fn new<'a>(literals: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut builder = TrieBuilder { nodes: vec![(Vec::new(), NO_LITERAL)] };
        // The node after each distinct first three bytes of a three-byte literal, and
        // after each distinct first four bytes of a longer literal, by key.
        let mut short_windows: HashMap<u32, u32> = HashMap::new();
        let mut long_windows: HashMap<u32, u32> = HashMap::new();
        for (id, literal) in literals.into_iter().enumerate() {
            assert!(literal.len() >= 3, "literal {literal:?} is shorter than three bytes");
            let id = u32::try_from(id).expect("fewer than 2^32 literals");
            let (after_three, after_four) = builder.insert(literal, id);
            let key = padded_word(&literal[..literal.len().min(WINDOW_BYTES)]) as u32;
            match after_four {
                Some(node) => long_windows.insert(key, node),
                None => short_windows.insert(key, after_three),
            };
        }
        // A walk from the node after three bytes finds every literal below it, so a
        // four-byte window that starts with a three-byte literal gets no entry of its
        // own. That leaves at most one entry matching any text: entries of one length
        // have distinct keys, and a four-byte key never extends a three-byte one.
        long_windows.retain(|key, _| !short_windows.contains_key(&(key & 0x00FF_FFFF)));

        // Entries by filter slot. The window of an occurrence of a three-byte literal
        // ends in any byte, so its entry goes to the slots of all 256 windows.
        let mut entries_of_slot: BTreeMap<usize, Vec<WindowEntry>> = BTreeMap::new();
        let mut add = |slot: usize, entry: WindowEntry| {
            let entries = entries_of_slot.entry(slot).or_default();
            if !entries.iter().any(|other| other.key == entry.key && other.length == entry.length) {
                entries.push(entry);
            }
        };
        for (&key, &node) in &long_windows {
            let entry = WindowEntry { key, case_bits: case_bits_of(key), mask: u32::MAX, node, length: 4, last_of_slot: false };
            add(window_slot(fold_case(u64::from(key)), 0), entry);
        }
        for (&key, &node) in &short_windows {
            let entry = WindowEntry { key, case_bits: case_bits_of(key), mask: 0x00FF_FFFF, node, length: 3, last_of_slot: false };
            for last in 0..=255u32 {
                add(window_slot(fold_case(u64::from(key | last << 24)), 0), entry);
            }
        }

        let (nodes, later_edges, preorder) = builder.flatten();
        let mut window_filter = vec![0u8; (1 << FILTER_SLOT_BITS) + FILTER_PADDING];
        let mut first_entry_of_slot = vec![0u32; 1 << FILTER_SLOT_BITS];
        let mut window_entries = Vec::new();
        for (slot, entries) in entries_of_slot {
            window_filter[slot] = WINDOW_IN_FILTER;
            first_entry_of_slot[slot] = u32::try_from(window_entries.len()).expect("fewer than 2^32 window entries");
            window_entries.extend(entries.into_iter().map(|entry| WindowEntry { node: preorder[entry.node as usize], ..entry }));
            window_entries.last_mut().expect("a slot has entries").last_of_slot = true;
        }
        LiteralTrie {
            window_filter: window_filter.into_boxed_slice(),
            first_entry_of_slot: first_entry_of_slot.into_boxed_slice(),
            window_entries: window_entries.into_boxed_slice(),
            nodes: nodes.into_boxed_slice(),
            later_edges: later_edges.into_boxed_slice(),
        }
    }

    /// Calls `found` with (start, literal id) for every occurrence of every literal in
    /// `haystack`, ignoring ASCII case, overlapping ones included, in ascending order of
    /// `start`.
    pub(super) fn for_each_occurrence(&self, haystack: &[u8], mut found: impl FnMut(usize, u32)) {
        let start = self.find_with_simd(haystack, &mut found);
        self.find_from(haystack, start, &mut found);
    }

    /// Appends what `for_each_occurrence` finds to `found`.
    #[cfg(test)]
    pub(super) fn find_occurrences(&self, haystack: &[u8], found: &mut Vec<(usize, u32)>) {
        self.for_each_occurrence(haystack, |start, literal| found.push((start, literal)));
    }

    /// Searches from the start of `haystack` with AVX2 where the CPU has it, and
    /// returns the first start position it did not look at: 0 without AVX2.
    fn find_with_simd(&self, haystack: &[u8], found: &mut impl FnMut(usize, u32)) -> usize {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, the only requirement of `find_avx2`.
            return unsafe { self.find_avx2(haystack, found) };
        }
        let _ = (haystack, found);
        0
    }

    /// Finds the occurrences that start at `start` or later, a word at a time without
    /// SIMD.
    fn find_from(&self, haystack: &[u8], mut start: usize, found: &mut impl FnMut(usize, u32)) {
        if haystack.len() < 3 {
            return;
        }
        // A literal can start at `start..=last_start`. The loop over whole words reads
        // each 8-byte word once and looks up the windows that lie in it.
        let last_start = haystack.len() - 3;
        while start + 8 <= haystack.len() {
            let word = u64::from_le_bytes(haystack[start..start + 8].try_into().expect("8 bytes"));
            let folded = fold_case(word);
            for index in 0..WINDOWS_PER_WORD {
                let slot = window_slot(folded, index);
                if self.window_filter[slot] != 0 {
                    self.find_at(haystack, start + index, (word >> (8 * index)) as u32, slot, found);
                }
            }
            start += WINDOWS_PER_WORD;
        }
        // The last windows, from the last word of the haystack, padded with zero bytes.
        // A three-byte literal at `last_start` passes the filter whatever its fourth
        // byte.
        let last_word_start = haystack.len().saturating_sub(8);
        let last_word = padded_word(&haystack[last_word_start..]);
        for start in start..=last_start {
            let word = last_word >> (8 * (start - last_word_start));
            let slot = window_slot(fold_case(word), 0);
            if self.window_filter[slot] != 0 {
                self.find_at(haystack, start, word as u32, slot, found);
            }
        }
    }

    /// Does what `find_from` does from position 0, eight positions per step, and
    /// returns the first start position it did not look at. Each step hashes the eight
    /// windows in one vector, gathers their filter bytes, and calls `find_at` for each
    /// nonzero one.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn find_avx2(&self, haystack: &[u8], found: &mut impl FnMut(usize, u32)) -> usize {
        use std::arch::x86_64::{
            __m128i, __m256i, _mm_loadu_si128, _mm256_broadcastsi128_si256, _mm256_castsi256_ps, _mm256_i32gather_epi32,
            _mm256_loadu_si256, _mm256_movemask_ps, _mm256_mullo_epi32, _mm256_or_si256, _mm256_set1_epi8,
            _mm256_set1_epi32, _mm256_shuffle_epi8, _mm256_slli_epi32, _mm256_srli_epi32, _mm256_storeu_si256,
        };

        // Byte `i` of lane 0 of the broadcast 16 bytes is byte `i` of the text, and so
        // is byte `i` of lane 1. The shuffle puts the window at position `j` into
        // 32-bit element `j`, for `j` in 0..8, reading bytes 0 to 10.
        const WINDOWS: [u8; 32] = [0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6, 4, 5, 6, 7, 5, 6, 7, 8, 6, 7, 8, 9, 7, 8, 9, 10];
        // SAFETY: `WINDOWS` has 32 bytes, and the load has no alignment requirement.
        let windows_shuffle = unsafe { _mm256_loadu_si256(WINDOWS.as_ptr().cast::<__m256i>()) };
        let case = _mm256_set1_epi8(0x20);
        let multiplier = _mm256_set1_epi32(0x9E37_79B1_u32 as i32);
        let filter = self.window_filter.as_ptr().cast::<i32>();

        let mut start = 0;
        while start + 16 <= haystack.len() {
            // SAFETY: bytes `start..start + 16` are in `haystack`, and the load has no
            // alignment requirement.
            let bytes = unsafe { _mm_loadu_si128(haystack.as_ptr().add(start).cast::<__m128i>()) };
            let windows = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(bytes), windows_shuffle);
            let hashes = _mm256_mullo_epi32(_mm256_or_si256(windows, case), multiplier);
            let slots = _mm256_srli_epi32::<{ 32 - FILTER_SLOT_BITS as i32 }>(hashes);
            // SAFETY: each slot is below `1 << FILTER_SLOT_BITS`, so the four bytes read
            // at it lie in `window_filter`, which has `FILTER_PADDING` bytes after the
            // last slot. The gather has no alignment requirement at scale 1.
            let filter_words = unsafe { _mm256_i32gather_epi32::<1>(filter, slots) };
            // Moves each slot's filter byte to the top of its element, so that the sign
            // bit is its `WINDOW_IN_FILTER` bit.
            let signs = _mm256_castsi256_ps(_mm256_slli_epi32::<24>(filter_words));
            let mut candidates = _mm256_movemask_ps(signs) as u32;
            if candidates != 0 {
                let mut window_of = [0u32; 8];
                let mut slot_of = [0u32; 8];
                // SAFETY: each array has 32 bytes, and the stores have no alignment
                // requirement.
                unsafe {
                    _mm256_storeu_si256(window_of.as_mut_ptr().cast::<__m256i>(), windows);
                    _mm256_storeu_si256(slot_of.as_mut_ptr().cast::<__m256i>(), slots);
                }
                while candidates != 0 {
                    let index = candidates.trailing_zeros() as usize;
                    candidates &= candidates - 1;
                    self.find_at(haystack, start + index, window_of[index], slot_of[index] as usize, found);
                }
            }
            start += 8;
        }
        start
    }

    /// Appends (start, literal id) for every literal that occurs at `start`, which is at
    /// most `haystack.len() - 3`, to `found`. `window` contains the bytes at `start`,
    /// little-endian, with zero bytes past the end of `haystack`, and `slot` is its
    /// filter slot, which must be nonzero in the filter.
    #[inline(always)]
    fn find_at(&self, haystack: &[u8], start: usize, window: u32, slot: usize, found: &mut impl FnMut(usize, u32)) {
        let mut index = self.first_entry_of_slot[slot] as usize;
        loop {
            let entry = self.window_entries[index];
            // The length test rejects a four-byte key that would match the zero padding
            // of a window at the last start.
            if (window | entry.case_bits) & entry.mask == entry.key && usize::from(entry.length) <= haystack.len() - start {
                self.walk(haystack, start, start + usize::from(entry.length), entry.node as usize, found);
                return;
            }
            if entry.last_of_slot {
                return;
            }
            index += 1;
        }
    }

    /// Walks down the trie from `node`, reached by the bytes `start..at`, and appends
    /// (start, literal id) for each literal that ends on the way.
    fn walk(&self, haystack: &[u8], start: usize, mut at: usize, mut node: usize, found: &mut impl FnMut(usize, u32)) {
        loop {
            let TrieNode { literal, later_edges_start, later_edge_count, first_byte } = self.nodes[node];
            if literal != NO_LITERAL {
                found(start, literal);
            }
            let Some(&byte) = haystack.get(at) else { return };
            let byte = u16::from(ASCII_LOWERCASE[usize::from(byte)]);
            if byte == first_byte {
                node += 1;
            } else {
                // Also returns at a leaf, whose `first_byte` is above every byte.
                if byte < first_byte || later_edge_count == 0 {
                    return;
                }
                let later = later_edges_start as usize..later_edges_start as usize + usize::from(later_edge_count);
                match self.later_edges[later].iter().find(|(edge, _)| u16::from(*edge) >= byte) {
                    Some(&(edge, child)) if u16::from(edge) == byte => node = child as usize,
                    _ => return,
                }
            }
            at += 1;
        }
    }

    /// Does what `find_occurrences` does without SIMD.
    #[cfg(test)]
    pub(super) fn find_occurrences_portable(&self, haystack: &[u8], found: &mut Vec<(usize, u32)>) {
        self.find_from(haystack, 0, &mut |start, literal| found.push((start, literal)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Literals with shared prefixes, a three-byte literal that is a prefix of others, a
    /// NUL byte that the zero padding of the last window could match, a byte that
    /// `fold_case` confuses with another ('@' with '`'), and non-ASCII bytes.
    const LITERALS: [&[u8]; 8] = [b"abc", b"abcd", b"abce", b"xyz\0", b"a@b", b"warm up", b"warmed up", "\u{e9}t\u{e9}".as_bytes()];

    /// Returns the sorted (start, literal id) of every literal in `haystack`, ignoring
    /// ASCII case, by brute force.
    fn occurrences_by_brute_force(haystack: &[u8]) -> Vec<(usize, u32)> {
        let lowercase = haystack.to_ascii_lowercase();
        let mut found = Vec::new();
        for start in 0..haystack.len() {
            for (id, literal) in LITERALS.iter().enumerate() {
                if lowercase[start..].starts_with(literal) {
                    found.push((start, id as u32));
                }
            }
        }
        found
    }

    /// Returns `length` filler bytes with `text` written from `offset`, cut at the end.
    fn haystack_with(length: usize, offset: usize, text: &[u8]) -> Vec<u8> {
        let mut haystack = vec![b'.'; length];
        let end = (offset + text.len()).min(length);
        haystack[offset..end].copy_from_slice(&text[..end - offset]);
        haystack
    }

    #[test]
    fn scans_agree_at_every_offset() {
        let trie = LiteralTrie::new(LITERALS);
        let texts: [&[u8]; 7] = [b"ABCD", b"aBcE", b"xyz", b"XYZ\0", b"a`b A@B", b"Warm UP, warmed up", "\u{c9}t\u{e9}\u{e9}t\u{e9}".as_bytes()];
        for text in texts {
            // Lengths past 32 put occurrences in the AVX2 blocks, in the word loop after
            // them, and in the last word.
            for length in 0..48 {
                for offset in 0..length {
                    let haystack = haystack_with(length, offset, text);
                    let mut found = Vec::new();
                    trie.find_occurrences(&haystack, &mut found);
                    let mut found_portably = Vec::new();
                    trie.find_occurrences_portable(&haystack, &mut found_portably);
                    let context = String::from_utf8_lossy(&haystack);
                    assert!(found.windows(2).all(|pair| pair[0].0 <= pair[1].0), "starts ascend in {context:?}");
                    assert_eq!(found_portably, found, "portable search in {context:?}");
                    found.sort_unstable();
                    assert_eq!(found, occurrences_by_brute_force(&haystack), "in {context:?}");
                }
            }
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn avx2_scan_covers_whole_blocks() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let trie = LiteralTrie::new(LITERALS);
        let mut found = Vec::new();
        let haystack = haystack_with(40, 20, b"warm up");
        // Blocks of 16 bytes start at 0, 8, 16 and 24, and each looks at 8 starts.
        let mut push = |start, literal| found.push((start, literal));
        assert_eq!(trie.find_with_simd(&haystack, &mut push), 32);
        assert_eq!(trie.find_with_simd(&haystack[..15], &mut push), 0);
        assert_eq!(found, vec![(20, 5)]);
    }
}
