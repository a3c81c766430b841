//! CSV output of `scan`: one row per message or ticket. Cells that a spreadsheet would read as
//! a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) are prefixed with
//! `'` (OWASP's CSV-injection advice), and control characters from the message are escaped.

/// The header row.
pub const HEADER: &[&str] = &[
    "file",
    "offset",
    "record",
    "ticket_id",
    "level",
    "sender_trust",
    "request_risk",
    "from",
    "subject",
    "codes",
    "headline",
    "error",
];

/// Makes a cell safe for spreadsheets and terminals.
pub fn cell(value: &str) -> String {
    let escaped = super::escape(value);
    match escaped.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{escaped}"),
        _ => escaped,
    }
}

fn record(values: &[&str]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(values).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

/// The header line.
pub fn header() -> Vec<u8> {
    record(HEADER)
}

/// One row (in `HEADER` order), every cell made safe.
pub fn row(values: &[String]) -> Vec<u8> {
    let safe: Vec<String> = values.iter().map(|v| cell(v)).collect();
    record(&safe.iter().map(String::as_str).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(cell("+1 555"), "'+1 555");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("plain text"), "plain text");
        assert_eq!(cell("a\x1b[31m"), "a\\e[31m");
    }
}
