//! Number formatting shared by the human outputs of `skilleval plan`.

/// Formats a number with at most four significant digits and no trailing zeros:
/// `4`, `0.4`, `3.2`, `1.414`, `0.0002828`.
pub(crate) fn format_number(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(format_number(4.0), "4");
        assert_eq!(format_number(0.4), "0.4");
        assert_eq!(format_number(3.2000000000000006), "3.2");
        assert_eq!(format_number(2f64.sqrt()), "1.414");
        assert_eq!(format_number(2.828e-4), "0.0002828");
        assert_eq!(format_number(8192.0), "8192");
        assert_eq!(format_number(1_281_167.0), "1281167");
    }
}
