//! Line numbers of a CSV file's records, as a person sees them in a text editor or
//! Excel (blank lines counted).

/// Line numbers from the byte offsets of records (the csv crate's own line count does
/// not count the blank lines it skips). Records come in order, so each newline is
/// counted once.
pub(super) struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record read from `position` on.
    pub(super) fn at(&mut self, position: Option<&csv::Position>) -> usize {
        let byte = position
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(self.offset)
            .clamp(self.offset, self.text.len());
        let bytes = self.text.as_bytes();
        self.line += bytes[self.offset..byte]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        // The reported position is where reading resumed, before any blank lines.
        let mut start = byte;
        while let Some(b) = bytes.get(start).filter(|b| matches!(b, b'\n' | b'\r')) {
            self.line += usize::from(*b == b'\n');
            start += 1;
        }
        self.offset = start;
        self.line
    }
}
