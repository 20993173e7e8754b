//! A byte buffer that lives on the stack and moves to the heap only when it outgrows its
//! array: a request's path and its canonical request are written on every call, in a few
//! hundred bytes, and need no allocation of their own.

/// Up to `N` bytes inline, then on the heap.
pub(crate) struct StackBuf<const N: usize> {
    array: [u8; N],
    /// The logical length, wherever the bytes are. Once it passes `N` they are in `heap`
    /// (and stay there: a later push never fits the array again).
    len: usize,
    heap: Vec<u8>,
}

impl<const N: usize> StackBuf<N> {
    pub(crate) fn new() -> Self {
        StackBuf {
            array: [0; N],
            len: 0,
            heap: Vec::new(),
        }
    }

    /// Appends `bytes`.
    #[inline]
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        match self.array.get_mut(self.len..end) {
            Some(free) => {
                free.copy_from_slice(bytes);
                self.len = end;
            }
            None => self.push_heap(bytes),
        }
    }

    /// Appends `bytes` of a length known at compile time (copied without a call to
    /// `memcpy`).
    #[inline]
    pub(crate) fn push_array<const M: usize>(&mut self, bytes: &[u8; M]) {
        let end = self.len + M;
        match self.array.get_mut(self.len..end) {
            Some(free) => {
                free.copy_from_slice(bytes);
                self.len = end;
            }
            None => self.push_heap(bytes),
        }
    }

    /// Appends `text`.
    #[inline]
    pub(crate) fn push_str(&mut self, text: &str) {
        self.push(text.as_bytes());
    }

    /// Appends one byte.
    #[inline]
    pub(crate) fn push_byte(&mut self, byte: u8) {
        match self.array.get_mut(self.len) {
            Some(free) => {
                *free = byte;
                self.len += 1;
            }
            None => self.push_heap(&[byte]),
        }
    }

    #[cold]
    fn push_heap(&mut self, bytes: &[u8]) {
        if self.heap.is_empty() {
            self.heap.reserve(2 * N + bytes.len());
            self.heap.extend_from_slice(&self.array[..self.len]);
        }
        self.heap.extend_from_slice(bytes);
        self.len = self.heap.len();
    }

    /// The bytes written.
    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.array[..self.len]
        } else {
            &self.heap
        }
    }

    /// The bytes as a `String` of exactly their length. Written from text only, they are
    /// UTF-8: the lossy conversion after a failed check (which cannot happen) only keeps
    /// this free of a panic.
    pub(crate) fn to_string_exact(&self) -> String {
        let bytes = self.as_bytes();
        match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The last byte written.
    pub(crate) fn last(&self) -> Option<u8> {
        self.as_bytes().last().copied()
    }
}

impl<const N: usize> crate::path::PathText for StackBuf<N> {
    fn push_str(&mut self, text: &str) {
        StackBuf::push_str(self, text);
    }
}

#[cfg(test)]
mod tests {
    use super::StackBuf;

    #[test]
    fn keeps_every_byte_across_the_move_to_the_heap() {
        let mut buf = StackBuf::<8>::new();
        let mut expected = Vec::new();
        for i in 0..40u8 {
            if i % 3 == 0 {
                buf.push_byte(i);
                expected.push(i);
            } else {
                let piece = [i; 3];
                buf.push(&piece);
                expected.extend_from_slice(&piece);
            }
            assert_eq!(buf.as_bytes(), &expected[..]);
            assert_eq!(buf.len(), expected.len());
            assert_eq!(buf.last(), expected.last().copied());
            assert_eq!(buf.to_string_exact().as_bytes(), &expected[..]);
        }
        // Exactly full stays inline; one more byte moves it.
        let mut full = StackBuf::<4>::new();
        full.push_str("abcd");
        assert_eq!(full.as_bytes(), b"abcd");
        full.push(b"");
        full.push_byte(b'e');
        assert_eq!(full.as_bytes(), b"abcde");
        // Arrays too, inline and across the move.
        let mut arrays = StackBuf::<6>::new();
        arrays.push_array(b"abcd");
        arrays.push_array(b"ef");
        assert_eq!(arrays.as_bytes(), b"abcdef");
        arrays.push_array(b"gh");
        assert_eq!(arrays.as_bytes(), b"abcdefgh");
    }
}
