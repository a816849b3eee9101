//! `LiteralTrie`, which finds every occurrence of a set of literals in a text, ignoring
//! ASCII case, overlapping occurrences included.

use std::collections::{BTreeMap, HashMap};

/// A trie of literals of at least three bytes, searched from each text position whose
/// first bytes may start a literal. The overlapping search of an Aho–Corasick NFA over
/// the same literals executed about 67k instructions per answer (callgrind, labelled
/// fixtures), mostly in failure transitions. Here each position costs a lookup in two
/// small bitmaps of hashed windows (`WindowFilter`), and the positions that pass, about
/// one in ten (labelled fixtures), a comparison with the windows in their slot and a
/// walk of a few bytes down the trie.
///
/// The bitmaps are small so that they stay in the L1 data cache: a lookup table of one
/// byte per slot (32 KiB) took most of the prefilter's cache misses.
#[derive(Debug)]
pub(super) struct LiteralTrie {
    /// The first four bytes of the literals of four bytes or more.
    long_windows: WindowFilter<LONG_FILTER_WORDS, 4>,
    /// The three-byte literals. A longer literal that starts with one of them is found
    /// by the walk from the three-byte literal's node, so it is not in `long_windows`.
    short_windows: WindowFilter<SHORT_FILTER_WORDS, 3>,
    /// The nodes in depth-first preorder, with children in ascending order of their
    /// bytes, so that the first child of each node is the node after it.
    nodes: Box<[TrieNode]>,
    /// (byte, child node) of the children after the first, in ascending order of bytes
    /// within each node's range.
    later_edges: Box<[(u8, u32)]>,
}

/// Words of `LiteralTrie::long_windows`: 2^14 slots, 2 KiB. The labelled fixtures' rubrics
/// have 180 to 290 distinct four-byte windows, so an estimated 2% of text positions
/// pass the filter by chance. Under `benches/cost.sh` (callgrind cache and branch
/// simulation), 2^15 slots cost the scan about 200 more estimated cycles per answer, and 2^13
/// about 250 more.
const LONG_FILTER_WORDS: usize = 256;
/// Words of `LiteralTrie::short_windows`: 2^10 slots, 128 bytes, for at most about ten
/// three-byte literals per rubric (labelled fixtures).
const SHORT_FILTER_WORDS: usize = 16;

/// Text positions looked up before the positions that passed are searched. Collecting
/// a block's hits in a `u64` first keeps the lookups free of branches.
const BLOCK_POSITIONS: usize = 64;
/// Bytes of text that `LiteralTrie::block_hits_avx2` reads for a block: 16 at each
/// eighth position.
const AVX2_BLOCK_BYTES: usize = BLOCK_POSITIONS - 8 + 16;

/// The windows of `LENGTH` bytes (3 or 4) that start literals, as a bitmap over hashed
/// windows with one hash, and for each window the trie node after it.
#[derive(Debug)]
struct WindowFilter<const WORDS: usize, const LENGTH: usize> {
    /// Bit `slot % 64` of word `slot / 64` is set when some window hashes to `slot`
    /// (`slot_of`).
    bits: Box<[u64; WORDS]>,
    /// For each word of `bits`, the number of set bits in the words before it. A slot's
    /// first entry is at the number of set bits before the slot.
    set_bits_before: Box<[u16; WORDS]>,
    /// One entry per set bit, in ascending order of slots, then the other entries of
    /// slots with more than one window, linked by `WindowEntry::next`.
    entries: Box<[WindowEntry]>,
}

/// The first `LENGTH` bytes of one or more literals, and the trie node after them.
/// When the trie has one way on from there and no literal ends on it, the entry goes
/// on with up to 8 bytes in all. One comparison then rules out most text positions
/// whose window starts a literal but whose next bytes do not.
#[derive(Debug, Clone, Copy)]
struct WindowEntry {
    /// The first `length` bytes, ASCII-lowercase, little-endian, with zero bytes above.
    key: u64,
    /// 0x20 at each byte of `key` that is a lowercase ASCII letter. A byte ORed with
    /// 0x20 equals a lowercase letter exactly when the byte is that letter in either
    /// case, so `(text | case_bits) & mask == key` compares up to ASCII case.
    case_bits: u64,
    /// 0xFF at each of the `length` bytes of `key`.
    mask: u64,
    /// The trie node after the `length` bytes.
    node: u32,
    /// The index in `WindowFilter::entries` of the next entry of the same slot, or
    /// `NO_NEXT_ENTRY`.
    next: u32,
    /// From `LENGTH` to 8.
    length: u32,
    /// The literal that ends at `node` when `node` has no children, else `NO_LITERAL`.
    /// A match of the key then gives that literal without a walk down the trie.
    leaf_literal: u32,
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
const NO_NEXT_ENTRY: u32 = u32::MAX;

/// Sets bit 5 of every byte of `window`, which maps each ASCII letter to its lowercase
/// form, so that bytes equal up to ASCII case stay equal. Other bytes can collide too
/// ('@' and '`'), which costs only a needless comparison.
fn fold_case(window: u32) -> u32 {
    window | 0x2020_2020
}

/// Returns up to 4 bytes of `bytes` as a little-endian word, padded with zero bytes.
fn padded_window(bytes: &[u8]) -> u32 {
    let mut window = [0u8; 4];
    let length = bytes.len().min(4);
    window[..length].copy_from_slice(&bytes[..length]);
    u32::from_le_bytes(window)
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
fn case_bits_of(key: u64) -> u64 {
    let bytes = key.to_le_bytes().map(|byte| if byte.is_ascii_lowercase() { 0x20 } else { 0 });
    u64::from_le_bytes(bytes)
}

/// Returns up to 8 bytes of `haystack` from `start` as a little-endian word, padded
/// with zero bytes.
fn word_at(haystack: &[u8], start: usize) -> u64 {
    match haystack.get(start..start + 8) {
        Some(bytes) => u64::from_le_bytes(bytes.try_into().expect("8 bytes")),
        None => {
            let mut word = [0u8; 8];
            let rest = &haystack[start..];
            word[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(word)
        }
    }
}

impl<const WORDS: usize, const LENGTH: usize> WindowFilter<WORDS, LENGTH> {
    /// Bits of a slot number. `WORDS` must be a power of two.
    const SLOT_BITS: u32 = WORDS.trailing_zeros() + 6;
    /// 0xFF at each of the `LENGTH` bytes of a window.
    const MASK: u32 = u32::MAX >> (8 * (4 - LENGTH));

    /// Builds the filter from (key, length, trie node, leaf literal) with distinct
    /// windows (the first `LENGTH` bytes of each key). Each key is ASCII-lowercase,
    /// little-endian, with zero bytes above its length, which is from `LENGTH` to 8.
    fn new(keys: impl IntoIterator<Item = (u64, usize, u32, u32)>) -> Self {
        const { assert!(WORDS.is_power_of_two() && WORDS * 64 <= 1 << 16 && (LENGTH == 3 || LENGTH == 4)) };

        let mut windows_of_slot: BTreeMap<usize, Vec<WindowEntry>> = BTreeMap::new();
        for (key, length, node, leaf_literal) in keys {
            assert!((LENGTH..=8).contains(&length), "a key of {length} bytes");
            let mask = u64::MAX >> (8 * (8 - length));
            let length = length as u32;
            let entry = WindowEntry { key, case_bits: case_bits_of(key), mask, node, next: NO_NEXT_ENTRY, length, leaf_literal };
            windows_of_slot.entry(Self::slot_of(key as u32)).or_default().push(entry);
        }

        let mut bits = Box::new([0u64; WORDS]);
        for &slot in windows_of_slot.keys() {
            bits[slot / 64] |= 1 << (slot % 64);
        }

        let mut set_bits_before = Box::new([0u16; WORDS]);
        let mut count = 0u32;
        for (word, before) in bits.iter().zip(set_bits_before.iter_mut()) {
            // Fits: there are at most 2^16 slots (`WORDS * 64`), and the count before
            // the last word is below that.
            *before = u16::try_from(count).expect("fewer than 2^16 slots");
            count += word.count_ones();
        }

        // The first entry of each slot, in ascending order of slots, then the others.
        let mut entries: Vec<WindowEntry> = windows_of_slot.values().map(|windows| windows[0]).collect();
        for (first, windows) in windows_of_slot.values().enumerate() {
            let mut previous = first;
            for &entry in &windows[1..] {
                entries[previous].next = u32::try_from(entries.len()).expect("fewer than 2^32 windows");
                previous = entries.len();
                entries.push(entry);
            }
        }

        WindowFilter { bits, set_bits_before, entries: entries.into_boxed_slice() }
    }

    /// Returns the slot of a window, whose bytes above `LENGTH` are ignored.
    fn slot_of(window: u32) -> usize {
        let folded = fold_case(window) & Self::MASK;
        (folded.wrapping_mul(0x9E37_79B1) >> (32 - Self::SLOT_BITS)) as usize
    }

    /// Returns 1 if a window is in the slot of `window`, else 0.
    fn may_contain(&self, window: u32) -> u64 {
        let slot = Self::slot_of(window);
        (self.bits[slot / 64] >> (slot % 64)) & 1
    }

    /// Returns bit `j` set where the filter may contain 32-bit element `j` of `windows`,
    /// for `j` in 0..8: `may_contain` for eight windows at once.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn may_contain_avx2(&self, windows: std::arch::x86_64::__m256i) -> u8 {
        use std::arch::x86_64::{
            _mm256_and_si256, _mm256_castsi256_ps, _mm256_i32gather_epi32, _mm256_movemask_ps, _mm256_mullo_epi32,
            _mm256_or_si256, _mm256_set1_epi32, _mm256_set1_epi8, _mm256_slli_epi32, _mm256_srli_epi32, _mm256_srlv_epi32,
        };

        // As `slot_of`. The shift by `32 - SLOT_BITS` must be a constant, so the
        // multiplied hashes are shifted right by 32 - 15 and then by the rest.
        const { assert!(Self::SLOT_BITS <= 15) };
        let folded = _mm256_and_si256(_mm256_or_si256(windows, _mm256_set1_epi8(0x20)), _mm256_set1_epi32(Self::MASK as i32));
        let hashes = _mm256_mullo_epi32(folded, _mm256_set1_epi32(0x9E37_79B1_u32 as i32));
        let slots = _mm256_srlv_epi32(_mm256_srli_epi32::<17>(hashes), _mm256_set1_epi32((15 - Self::SLOT_BITS) as i32));
        // On a little-endian machine bit `slot % 32` of 32-bit word `slot / 32` is bit
        // `slot % 64` of `bits[slot / 64]`.
        let word_indices = _mm256_srli_epi32::<5>(slots);
        // SAFETY: each slot is below `WORDS * 64`, so each 32-bit word read lies in
        // `bits`, and the gather has no alignment requirement beyond 4 bytes at scale 4,
        // which `u64` words meet.
        let words = unsafe { _mm256_i32gather_epi32::<4>(self.bits.as_ptr().cast::<i32>(), word_indices) };
        let bits = _mm256_srlv_epi32(words, _mm256_and_si256(slots, _mm256_set1_epi32(31)));
        // Moves each bit to the sign of its element, which `movemask` collects.
        _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32::<31>(bits))) as u8
    }

    /// Returns the entry of the key that `text` starts with up to ASCII case, if there
    /// is one. `text` is the next 8 bytes of the text, little-endian, with zero bytes
    /// past its end, and `remaining` is the number of bytes left. The slot of `text`'s
    /// window must be set in `bits`.
    fn entry_at(&self, text: u64, remaining: usize) -> Option<&WindowEntry> {
        let slot = Self::slot_of(text as u32);
        let word = self.bits[slot / 64];
        let below = word & ((1 << (slot % 64)) - 1);
        let mut index = usize::from(self.set_bits_before[slot / 64]) + below.count_ones() as usize;
        loop {
            let entry = &self.entries[index];
            // The length test rejects a key that would match the zero bytes past the end.
            if (text | entry.case_bits) & entry.mask == entry.key && entry.length as usize <= remaining {
                return Some(entry);
            }
            if entry.next == NO_NEXT_ENTRY {
                return None;
            }
            index = entry.next as usize;
        }
    }
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

    /// Extends `key`, the first `length` bytes of a literal that lead to `node`, along
    /// the trie while the node has one child and no literal ends at it, up to 8 bytes.
    /// Returns the longer key, its length and the node after it.
    fn extend_key(&self, mut key: u64, mut length: usize, mut node: u32) -> (u64, usize, u32) {
        while length < 8 {
            let (children, literal) = &self.nodes[node as usize];
            if *literal != NO_LITERAL || children.len() != 1 {
                break;
            }
            let (byte, child) = children[0];
            key |= u64::from(byte) << (8 * length);
            length += 1;
            node = child;
        }
        (key, length, node)
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
            let key = padded_window(literal);
            match after_four {
                Some(node) => long_windows.insert(key, node),
                None => short_windows.insert(key, after_three),
            };
        }
        // A walk from the node after three bytes finds every literal below it, so a
        // four-byte window that extends a three-byte literal needs no entry of its
        // own. That leaves at most one window matching any text position.
        long_windows.retain(|key, _| !short_windows.contains_key(&(key & 0x00FF_FFFF)));

        let extend = |(key, node): (u32, u32), length: usize| builder.extend_key(u64::from(key), length, node);
        let long_keys: Vec<(u64, usize, u32)> = long_windows.into_iter().map(|window| extend(window, 4)).collect();
        let short_keys: Vec<(u64, usize, u32)> = short_windows.into_iter().map(|window| extend(window, 3)).collect();
        let (nodes, later_edges, preorder) = builder.flatten();
        let renumbered = |(key, length, node): (u64, usize, u32)| {
            let node = preorder[node as usize];
            let TrieNode { literal, first_byte, .. } = nodes[node as usize];
            (key, length, node, if first_byte == NO_CHILD { literal } else { NO_LITERAL })
        };
        LiteralTrie {
            long_windows: WindowFilter::new(long_keys.into_iter().map(renumbered)),
            short_windows: WindowFilter::new(short_keys.into_iter().map(renumbered)),
            nodes: nodes.into_boxed_slice(),
            later_edges: later_edges.into_boxed_slice(),
        }
    }

    /// Calls `found` with (start, literal id) for every occurrence of every literal in
    /// `haystack`, ignoring ASCII case, overlapping ones included, in ascending order of
    /// `start`.
    pub(super) fn for_each_occurrence(&self, haystack: &[u8], mut found: impl FnMut(usize, u32)) {
        if self.short_windows.entries.is_empty() {
            self.find_blocks::<false>(haystack, &mut found);
        } else {
            self.find_blocks::<true>(haystack, &mut found);
        }
        // The last three bytes can only start a three-byte literal.
        if let Some(start) = haystack.len().checked_sub(3) {
            let text = word_at(haystack, start);
            if self.short_windows.may_contain(text as u32) != 0 {
                if let Some(entry) = self.short_windows.entry_at(text, 3) {
                    self.walk_from(haystack, start, entry, &mut found);
                }
            }
        }
    }

    /// Appends what `for_each_occurrence` finds to `found`.
    #[cfg(test)]
    pub(super) fn find_occurrences(&self, haystack: &[u8], found: &mut Vec<(usize, u32)>) {
        self.for_each_occurrence(haystack, |start, literal| found.push((start, literal)));
    }

    /// Finds the occurrences that start where four bytes of `haystack` remain, block by
    /// block: first the filter lookups of a block's positions, then the search of the
    /// positions that passed. `SHORT` is whether there are three-byte literals.
    fn find_blocks<const SHORT: bool>(&self, haystack: &[u8], found: &mut impl FnMut(usize, u32)) {
        #[cfg(target_arch = "x86_64")]
        let has_avx2 = std::arch::is_x86_feature_detected!("avx2");
        let window_count = haystack.len().saturating_sub(3);
        let mut block_start = 0;
        while block_start < window_count {
            let block_end = (block_start + BLOCK_POSITIONS).min(window_count);
            #[cfg(target_arch = "x86_64")]
            let (long_hits, short_hits) = if has_avx2 && block_start + AVX2_BLOCK_BYTES <= haystack.len() {
                // SAFETY: the CPU supports AVX2, and the block's bytes are in `haystack`.
                unsafe { self.block_hits_avx2::<SHORT>(haystack, block_start) }
            } else {
                self.block_hits::<SHORT>(haystack, block_start, block_end)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let (long_hits, short_hits) = self.block_hits::<SHORT>(haystack, block_start, block_end);

            let mut hits = long_hits | short_hits;
            while hits != 0 {
                let index = hits.trailing_zeros() as usize;
                hits &= hits - 1;
                let start = block_start + index;
                let text = word_at(haystack, start);
                let remaining = haystack.len() - start;
                // At most one of the two filters contains a window that matches here.
                let entry = if SHORT && short_hits & (1 << index) != 0 {
                    self.short_windows.entry_at(text, remaining)
                } else {
                    None
                };
                let entry = entry.or_else(|| {
                    let in_long = long_hits & (1 << index) != 0;
                    in_long.then(|| self.long_windows.entry_at(text, remaining)).flatten()
                });
                if let Some(entry) = entry {
                    self.walk_from(haystack, start, entry, found);
                }
            }
            block_start = block_end;
        }
    }

    /// Returns the filter lookups of positions `block_start..block_end`, at most
    /// `BLOCK_POSITIONS` of them, as bit `position - block_start` of (long, short).
    /// Every position must have four bytes of `haystack` from it.
    fn block_hits<const SHORT: bool>(&self, haystack: &[u8], block_start: usize, block_end: usize) -> (u64, u64) {
        // Each lookup shifts its bit in at the top, so that after the block the bit of
        // position `block_start + index` is bit `index`. A shift by a constant is
        // cheaper than one by `index`.
        let (mut long_hits, mut short_hits) = (0u64, 0u64);
        for window in haystack[block_start..block_end + 3].windows(4) {
            let window = u32::from_le_bytes(window.try_into().expect("4 bytes"));
            long_hits = long_hits >> 1 | self.long_windows.may_contain(window) << 63;
            if SHORT {
                short_hits = short_hits >> 1 | self.short_windows.may_contain(window) << 63;
            }
        }
        let unused = BLOCK_POSITIONS - (block_end - block_start);
        if unused > 0 {
            long_hits >>= unused;
            short_hits >>= unused;
        }
        (long_hits, short_hits)
    }

    /// Returns what `block_hits` returns for a whole block from `block_start`, eight
    /// positions per step: each step hashes eight windows in one vector and gathers
    /// their filter bits. The bitmaps take about 2 KiB, small enough to fit in the L1
    /// data cache.
    ///
    /// # Safety
    /// The CPU must support AVX2, and `block_start + AVX2_BLOCK_BYTES` must be at most
    /// `haystack.len()`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn block_hits_avx2<const SHORT: bool>(&self, haystack: &[u8], block_start: usize) -> (u64, u64) {
        use std::arch::x86_64::{__m128i, __m256i, _mm_loadu_si128, _mm256_broadcastsi128_si256, _mm256_loadu_si256, _mm256_shuffle_epi8};

        // Byte `i` of lane 0 of the broadcast 16 bytes is byte `i` of the text, and so
        // is byte `i` of lane 1. The shuffle puts the window at position `j` into
        // 32-bit element `j`, for `j` in 0..8, reading bytes 0 to 10.
        const WINDOWS: [u8; 32] = [0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6, 4, 5, 6, 7, 5, 6, 7, 8, 6, 7, 8, 9, 7, 8, 9, 10];
        // SAFETY: `WINDOWS` has 32 bytes, and the load has no alignment requirement.
        let windows_shuffle = unsafe { _mm256_loadu_si256(WINDOWS.as_ptr().cast::<__m256i>()) };
        let (mut long_hits, mut short_hits) = (0u64, 0u64);
        for step in 0..BLOCK_POSITIONS / 8 {
            let start = block_start + 8 * step;
            // SAFETY: `start + 16 <= block_start + AVX2_BLOCK_BYTES <= haystack.len()`,
            // and the load has no alignment requirement.
            let bytes = unsafe { _mm_loadu_si128(haystack.as_ptr().add(start).cast::<__m128i>()) };
            let windows = _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(bytes), windows_shuffle);
            // SAFETY: the CPU supports AVX2.
            long_hits |= u64::from(unsafe { self.long_windows.may_contain_avx2(windows) }) << (8 * step);
            if SHORT {
                // SAFETY: the CPU supports AVX2.
                short_hits |= u64::from(unsafe { self.short_windows.may_contain_avx2(windows) }) << (8 * step);
            }
        }
        (long_hits, short_hits)
    }

    /// Calls `found` for each literal that starts at `start` with the key of `entry`,
    /// which the text there matches. An entry with a leaf literal needs no walk.
    fn walk_from(&self, haystack: &[u8], start: usize, entry: &WindowEntry, found: &mut impl FnMut(usize, u32)) {
        if entry.leaf_literal != NO_LITERAL {
            found(start, entry.leaf_literal);
        } else {
            self.walk(haystack, start, start + entry.length as usize, entry.node as usize, found);
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
        super::super::tests::occurrences_by_brute_force(&LITERALS, &haystack.to_ascii_lowercase())
    }

    /// Returns `length` filler bytes with `text` written from `offset`, cut at the end.
    fn haystack_with(length: usize, offset: usize, text: &[u8]) -> Vec<u8> {
        let mut haystack = vec![b'.'; length];
        let end = (offset + text.len()).min(length);
        haystack[offset..end].copy_from_slice(&text[..end - offset]);
        haystack
    }

    #[test]
    fn finds_literals_at_every_offset() {
        let trie = LiteralTrie::new(LITERALS);
        let texts: [&[u8]; 7] = [b"ABCD", b"aBcE", b"xyz", b"XYZ\0", b"a`b A@B", b"Warm UP, warmed up", "\u{c9}t\u{e9}\u{e9}t\u{e9}".as_bytes()];
        for text in texts {
            // Lengths past 128 put occurrences in the first block of 64 positions, across
            // the boundaries of the next two, and at the end of the haystack.
            for length in 0..140 {
                for offset in 0..length {
                    let haystack = haystack_with(length, offset, text);
                    let mut found = Vec::new();
                    trie.find_occurrences(&haystack, &mut found);
                    let context = String::from_utf8_lossy(&haystack);
                    assert!(found.windows(2).all(|pair| pair[0].0 <= pair[1].0), "starts ascend in {context:?}");
                    found.sort_unstable();
                    assert_eq!(found, occurrences_by_brute_force(&haystack), "in {context:?}");
                }
            }
        }
    }

    #[test]
    fn windows_sharing_slot_are_all_found() {
        // 6000 distinct four-byte windows in 2^14 slots: many slots get two or more.
        let letter = |index: u32| b'a' + (index % 26) as u8;
        let literals: Vec<Vec<u8>> = (0..6000u32).map(|index| vec![letter(index), letter(index / 26), letter(index / 676), b'q']).collect();
        let mut collisions = HashMap::new();
        for literal in &literals {
            *collisions.entry(WindowFilter::<LONG_FILTER_WORDS, 4>::slot_of(padded_window(literal))).or_insert(0) += 1;
        }
        assert!(collisions.values().any(|&count| count >= 3), "some slot has three windows");

        let trie = LiteralTrie::new(literals.iter().map(Vec::as_slice));
        let haystack: Vec<u8> = literals.iter().rev().flat_map(|literal| literal.iter().copied().chain(*b" ")).collect();
        let mut found = Vec::new();
        trie.find_occurrences(&haystack, &mut found);
        found.sort_unstable();
        let mut expected = Vec::new();
        for start in 0..haystack.len() {
            for (id, literal) in literals.iter().enumerate() {
                if haystack[start..].starts_with(literal) {
                    expected.push((start, id as u32));
                }
            }
        }
        assert_eq!(found.len(), expected.len());
        assert_eq!(found, expected);
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn avx2_lookups_match_portable_ones() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let trie = LiteralTrie::new(LITERALS);
        let text = b"Warm up: ABCE abcd xyz\0 A@B a`b warmed up. \xc3\xa9t\xc3\xa9 XYZ!";
        let haystack: Vec<u8> = text.iter().cycle().take(4 * AVX2_BLOCK_BYTES).copied().collect();
        for block_start in 0..=haystack.len() - AVX2_BLOCK_BYTES {
            let block_end = block_start + BLOCK_POSITIONS;
            // SAFETY: the CPU supports AVX2, and the block's bytes are in `haystack`.
            let with_avx2 = unsafe { trie.block_hits_avx2::<true>(&haystack, block_start) };
            assert_eq!(with_avx2, trie.block_hits::<true>(&haystack, block_start, block_end), "block at {block_start}");
            assert_ne!(with_avx2, (0, 0), "block at {block_start} has hits");
        }
    }
}
