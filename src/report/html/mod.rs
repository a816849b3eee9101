//! The HTML exporter: one self-contained page with no external assets. It holds an inline
//! SVG chart of pass rates per scenario and arm with their 95% intervals, the skill's
//! effect, the gates, the baseline comparison, and every answer with its checks and the
//! evidence marked in the text.
//!
//! Every piece of text from the run (answers, evidence, errors, ids, the agent's name) is
//! escaped before it reaches the page. As a second line of defence the page sets a
//! Content-Security-Policy that allows only its own inline style and the one script whose
//! SHA-256 hash it names, so an injected `<script>` or event handler would not run even
//! if escaping failed. The script only sets `data-report-script="ran"` on the root
//! element and wires the buttons that open and close every answer.

mod answers;
mod chart;
mod pressure;
mod sections;

pub use pressure::PressureHtmlExporter;

use std::io::Write;

use base64::Engine;

use super::{Exporter, ReportError, RunReport};

/// The page's only script. Its hash goes into the Content-Security-Policy, so any
/// change here changes the policy with it.
const SCRIPT: &str = r##"
document.documentElement.setAttribute("data-report-script", "ran");
for (const button of document.querySelectorAll("button[data-open]")) {
  button.addEventListener("click", () => {
    const open = button.getAttribute("data-open") === "all";
    for (const details of document.querySelectorAll("#answers details")) {
      details.open = open;
    }
  });
}
"##;

/// The page's style sheet.
pub(crate) const STYLE: &str = r#"
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; } h3 { margin-top: 1.6rem; }
table { border-collapse: collapse; margin: .6rem 0; } th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } code { font-size: .92em; background: #f6f8fa; padding: 0 .2em; border-radius: 3px; }
.holds, .pass, .helps { color: #1a7f37; } .fails, .fail, .hurts, .regression { color: #cf222e; } .not-evaluated, .errored, .inconclusive { color: #9a6700; }
.note { background: #fff8c5; border: 1px solid #d4a72c; padding: .4rem .7rem; border-radius: 4px; }
blockquote { margin: .4rem 0; padding: .2rem .8rem; border-left: 4px solid #d0d7de; color: #424a53; }
details { border: 1px solid #d0d7de; border-radius: 4px; margin: .4rem 0; padding: .3rem .6rem; }
details.fail { border-left: 4px solid #cf222e; } details.pass { border-left: 4px solid #1a7f37; } details.errored { border-left: 4px solid #9a6700; }
summary { cursor: pointer; } pre.answer { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .6rem; border-radius: 4px; }
mark { background: #fff0a8; } mark.blocked { background: #ffcecb; }
ul.checks { padding-left: 1.2rem; } ul.checks li.blocked { color: #cf222e; } .evidence { color: #424a53; }
svg text { font: 12px system-ui, sans-serif; fill: #1b1f24; }
"#;

/// Writes the HTML report.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        let mut page = String::new();
        push_head(report, &mut page);
        page.push_str("<body>\n");
        sections::push_header(report, &mut page);
        sections::push_baseline(report, &mut page);
        sections::push_pass_rates(report, &mut page);
        sections::push_effect(report, &mut page);
        sections::push_gates(report, &mut page);
        out.write_all(page.as_bytes())?;
        answers::write_answers(report, out)?;
        out.write_all(format!("<script>{SCRIPT}</script>\n</body>\n</html>\n").as_bytes())?;
        Ok(())
    }
}

/// Writes the document head: charset, Content-Security-Policy, title and style.
fn push_head(report: &RunReport, page: &mut String) {
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
        content_security_policy()
    ));
    page.push_str(&format!("<title>skilleval: {}</title>\n", escape_html(&report.run.suite)));
    page.push_str(&format!("<style>{STYLE}</style>\n</head>\n"));
}

/// Returns the policy: nothing may load, only the inline style applies, and only the
/// script with [`SCRIPT`]'s hash runs.
fn content_security_policy() -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, SCRIPT.as_bytes());
    let hash = base64::engine::general_purpose::STANDARD.encode(digest.as_ref());
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'"
    )
}

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    fn render() -> String {
        let mut out = Vec::new();
        HtmlExporter.write_report(&sample_report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn one_script_and_no_external_assets() {
        let page = render();
        assert_eq!(page.matches("<script").count(), 1);
        for external in ["src=", "href=\"http", "@import", "url("] {
            assert!(!page.contains(external), "{external}");
        }
    }

    #[test]
    fn policy_names_the_script_hash() {
        let page = render();
        let policy = content_security_policy();
        assert!(page.contains(&policy));
        assert!(policy.contains("script-src 'sha256-"));
        assert!(policy.starts_with("default-src 'none';"));
    }

    #[test]
    fn evidence_in_answers_is_escaped() {
        let page = render();
        assert!(page.contains("Use &lt;2x&gt; &amp; see."), "{page}");
        assert!(!page.contains("<2x>"));
    }
}
