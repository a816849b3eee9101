//! Plain-text tables for the human output of `skilleval plan`: aligned columns, no
//! borders, no colour, so that the output reads the same in a terminal, a CI log and a
//! snapshot.

/// A table of text cells; numeric columns are right-aligned.
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    right_aligned: Vec<bool>,
}

impl Table {
    /// Starts a table with `header`; columns listed in `right_aligned` are numeric.
    pub(crate) fn new(header: &[&str], right_aligned: &[usize]) -> Self {
        Table {
            header: header.iter().map(|cell| cell.to_string()).collect(),
            rows: Vec::new(),
            right_aligned: (0..header.len())
                .map(|column| right_aligned.contains(&column))
                .collect(),
        }
    }

    /// Appends a row.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Renders the table, each line indented by two spaces.
    pub(crate) fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|column| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|row| row.get(column).map_or(0, |cell| cell.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        std::iter::once(&self.header)
            .chain(&self.rows)
            .map(|row| format!("  {}\n", self.render_row(row, &widths).trim_end()))
            .collect()
    }

    /// Renders one row with its cells padded to `widths`.
    fn render_row(&self, row: &[String], widths: &[usize]) -> String {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(column, width)| {
                let cell = row.get(column).map_or("", String::as_str);
                if self.right_aligned[column] {
                    format!("{cell:>width$}")
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect();
        cells.join("  ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align() {
        let mut table = Table::new(&["component", "memory"], &[1]);
        table.row(vec!["weights".into(), "6.00 GB".into()]);
        table.row(vec!["optimizer states".into(), "24.00 GB".into()]);
        let expected = "  component           memory\n  weights            6.00 GB\n  optimizer states  24.00 GB\n";
        assert_eq!(table.render(), expected);
    }
}
