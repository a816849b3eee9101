//! Units of the planner: byte sizes and parameter counts as people write them
//! (`24GB`, `24GiB`, `80g`, `3b`, `7e9`, `350m`), and their parsing.
//!
//! Sizes follow the SI and IEC prefixes: `GB` is 10^9 bytes and `GiB` is 2^30 bytes.
//! A bare letter (`80g`) is binary, as in Docker's and the JVM's memory flags. A bare
//! number is taken as decimal gigabytes, the unit the planner reports in.

/// Bytes in a decimal gigabyte.
pub const BYTES_PER_GB: f64 = 1e9;

/// Bytes in a binary gibibyte.
pub const BYTES_PER_GIB: f64 = 1_073_741_824.0;

/// A size or count that cannot be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnitError {
    #[error(
        "invalid size \"{text}\": {reason}; write a number with GB, GiB, MB, MiB or g (for example 24GB or 80GiB)"
    )]
    InvalidSize { text: String, reason: String },
    #[error(
        "invalid count \"{text}\": {reason}; write a number with an optional k, m, b or t suffix (for example 3b, 350m or 7e9)"
    )]
    InvalidCount { text: String, reason: String },
}

/// Parses a memory size into bytes: `24GB`, `24 GiB`, `80g`, `512MiB`, or a bare number
/// of decimal gigabytes.
pub fn parse_size(text: &str) -> Result<f64, UnitError> {
    let invalid = |reason: &str| UnitError::InvalidSize {
        text: text.into(),
        reason: reason.into(),
    };
    let (number, suffix) =
        split_number(text).ok_or_else(|| invalid("it does not start with a number"))?;
    let bytes_per_unit = match suffix.to_ascii_lowercase().as_str() {
        "" | "gb" => BYTES_PER_GB,
        "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "tb" => 1e12,
        "k" | "kib" => 1024.0,
        "m" | "mib" => 1024.0 * 1024.0,
        "g" | "gib" => BYTES_PER_GIB,
        "t" | "tib" => BYTES_PER_GIB * 1024.0,
        _ => return Err(invalid(&format!("unknown unit \"{suffix}\""))),
    };
    let bytes = number * bytes_per_unit;
    if bytes > 0.0 && bytes.is_finite() {
        Ok(bytes)
    } else {
        Err(invalid("it must be positive"))
    }
}

/// Parses a count such as a number of parameters: `3b`, `1.5B`, `350m`, `7e9`,
/// `109,482,240` or `125k`.
pub fn parse_count(text: &str) -> Result<f64, UnitError> {
    let invalid = |reason: &str| UnitError::InvalidCount {
        text: text.into(),
        reason: reason.into(),
    };
    let cleaned: String = text.chars().filter(|c| *c != ',' && *c != '_').collect();
    let (number, suffix) =
        split_number(&cleaned).ok_or_else(|| invalid("it does not start with a number"))?;
    let scale = match suffix.to_ascii_lowercase().as_str() {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "b" | "g" => 1e9,
        "t" => 1e12,
        _ => return Err(invalid(&format!("unknown suffix \"{suffix}\""))),
    };
    let count = number * scale;
    if count > 0.0 && count.is_finite() {
        Ok(count)
    } else {
        Err(invalid("it must be positive"))
    }
}

/// Splits `text` into its leading decimal number (with an optional exponent) and the
/// trimmed unit after it.
fn split_number(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
        end += 1;
    }
    // An exponent counts only when digits follow it, so that "7e9" is a number but
    // the "e" of a unit never is.
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut exponent_end = end + 1;
        if exponent_end < bytes.len()
            && (bytes[exponent_end] == b'+' || bytes[exponent_end] == b'-')
        {
            exponent_end += 1;
        }
        let digits_start = exponent_end;
        while exponent_end < bytes.len() && bytes[exponent_end].is_ascii_digit() {
            exponent_end += 1;
        }
        if exponent_end > digits_start {
            end = exponent_end;
        }
    }
    let number = text[..end].parse::<f64>().ok()?;
    Some((number, text[end..].trim()))
}

/// Formats bytes as decimal gigabytes with two decimals, the planner's reporting unit.
pub fn format_gb(bytes: f64) -> String {
    format!("{:.2} GB", bytes / BYTES_PER_GB)
}

/// Formats a count with a k, M or B suffix and up to three significant decimals.
pub fn format_count(count: f64) -> String {
    let (scaled, suffix) = if count >= 1e9 {
        (count / 1e9, "B")
    } else if count >= 1e6 {
        (count / 1e6, "M")
    } else if count >= 1e3 {
        (count / 1e3, "k")
    } else {
        (count, "")
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_si_and_iec_units() {
        assert_eq!(parse_size("24GB").unwrap(), 24e9);
        assert_eq!(parse_size("24 GiB").unwrap(), 24.0 * BYTES_PER_GIB);
        assert_eq!(parse_size("80g").unwrap(), 80.0 * BYTES_PER_GIB);
        assert_eq!(parse_size("512MiB").unwrap(), 512.0 * 1024.0 * 1024.0);
        assert_eq!(parse_size("1.5e3MB").unwrap(), 1.5e9);
        assert_eq!(parse_size("24").unwrap(), 24e9);
    }

    #[test]
    fn size_errors_name_the_text() {
        let error = parse_size("24XB").unwrap_err();
        assert!(error.to_string().contains("\"24XB\""), "{error}");
        assert!(error.to_string().contains("unknown unit \"XB\""), "{error}");
        assert!(parse_size("GB").is_err());
        assert!(parse_size("0GB").is_err());
        assert!(parse_size("-4GB").is_err());
    }

    #[test]
    fn counts_with_suffixes() {
        assert_eq!(parse_count("3b").unwrap(), 3e9);
        assert_eq!(parse_count("1.5B").unwrap(), 1.5e9);
        assert_eq!(parse_count("350m").unwrap(), 350e6);
        assert_eq!(parse_count("7e9").unwrap(), 7e9);
        assert_eq!(parse_count("109,482,240").unwrap(), 109_482_240.0);
        assert_eq!(parse_count("125k").unwrap(), 125e3);
    }

    #[test]
    fn count_errors_name_the_text() {
        let error = parse_count("3x").unwrap_err();
        assert!(error.to_string().contains("\"3x\""), "{error}");
        assert!(parse_count("bert").is_err());
        assert!(parse_count("0").is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_gb(48e9), "48.00 GB");
        assert_eq!(format_count(6_738_415_616.0), "6.74B");
        assert_eq!(format_count(109_482_240.0), "109.48M");
        assert_eq!(format_count(3e9), "3B");
    }
}
