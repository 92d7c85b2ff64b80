//! Writing a [`Report`] out. Every format renders the same sections, so the figures agree
//! across formats; none adds anything that changes between runs. Recorded text (names,
//! units, posts) is never markup or a formula: Markdown and HTML escape it, CSV goes
//! through [`CsvWriter`], XLSX writes it as string cells (through [`write_table`]).

use std::fmt::Write as _;

use super::{Cell, Report, ReportError, Section};
use crate::domain::vocab::Lang;
use crate::spreadsheet::{CsvWriter, sheet_name, write_table};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Md,
    Html,
    Xlsx,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Md => "md",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The report's bytes in `format`.
pub fn render(report: &Report, format: Format) -> Result<Vec<u8>, ReportError> {
    let failed = |detail: String| ReportError::Render {
        format: format.name(),
        detail,
    };
    match format {
        Format::Json => {
            let mut out = serde_json::to_vec_pretty(report).map_err(|e| failed(e.to_string()))?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Csv => csv(report).map_err(|e| failed(e.to_string())),
        Format::Md => Ok(markdown(report).into_bytes()),
        Format::Html => Ok(html(report).into_bytes()),
        Format::Xlsx => xlsx(report).map_err(|e| failed(e.to_string())),
    }
}

fn provenance(report: &Report) -> Vec<(String, String)> {
    let m = &report.meta;
    let vi = m.lang == Lang::Vi;
    let mut lines = vec![
        (
            if vi {
                "Dựng lại từ sổ ghi đến vị trí"
            } else {
                "Rebuilt from the log up to position"
            }
            .to_string(),
            m.position.to_string(),
        ),
        (
            if vi {
                "Đầu chuỗi băm (kiểm tra bằng cadre verify --expect-head)"
            } else {
                "Head (check with cadre verify --expect-head)"
            }
            .to_string(),
            m.head.clone(),
        ),
        (
            if vi {
                "Chỉ tiêu tính đến ngày"
            } else {
                "Targets measured on"
            }
            .to_string(),
            m.compliance_as_of.to_string(),
        ),
    ];
    if let Some(known) = &m.as_known_at {
        lines.push((
            if vi {
                "Theo sổ ghi tại thời điểm"
            } else {
                "As known at"
            }
            .to_string(),
            known.clone(),
        ));
    }
    if let Some(policy) = &m.policy {
        lines.push((
            if vi { "Nghị quyết" } else { "Policy" }.to_string(),
            policy.clone(),
        ));
    }
    lines
}

fn csv(report: &Report) -> Result<Vec<u8>, csv::Error> {
    let mut writer = CsvWriter::default();
    writer.row([&report.meta.title])?;
    for (label, value) in provenance(report) {
        writer.row([label, value])?;
    }
    for section in &report.sections {
        writer.row(Vec::<String>::new())?;
        writer.row([format!("# {}", section.title)])?;
        writer.row(&section.columns)?;
        for row in &section.rows {
            writer.row(row.iter().map(Cell::text))?;
        }
    }
    writer.finish()
}

/// Text as Markdown shows it, never as markup: each character that CommonMark or GitHub's
/// tables give a meaning (emphasis, code, links, HTML, entities, cell borders) is escaped
/// with a backslash, and a line break, which would end the table row, becomes a space.
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '&' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` as a Markdown code span, whose content is never markup: the fence is longer
/// than any run of backticks inside.
fn md_code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if longest == 0 { "" } else { " " };
    format!(
        "{fence}{pad}{}{pad}{fence}",
        text.replace(['\n', '\r'], " ")
    )
}

fn markdown(report: &Report) -> String {
    let mut out = format!("# {}\n\n", md_escape(&report.meta.title));
    for (label, value) in provenance(report) {
        let _ = writeln!(out, "- {}: {}", md_escape(&label), md_code(&value));
    }
    for section in &report.sections {
        let _ = write!(out, "\n## {}\n\n", md_escape(&section.title));
        let header: Vec<String> = section.columns.iter().map(|c| md_escape(c)).collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", " --- |".repeat(section.columns.len()));
        for row in &section.rows {
            let cells: Vec<String> = row.iter().map(|c| md_escape(&c.text())).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    out
}

/// Text as HTML shows it, in element content and in quoted attributes alike (the forms'
/// HTML too).
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A horizontal bar chart of a section's label column against one count column.
fn bar_chart(section: &Section, value_column: usize) -> String {
    let bars: Vec<(String, u64)> = section
        .rows
        .iter()
        .filter_map(|row| match (row.first(), row.get(value_column)) {
            (Some(label), Some(Cell::Count(n))) => Some((label.text(), *n)),
            _ => None,
        })
        .collect();
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (label_width, bar_width, row_height) = (260u64, 360u64, 24u64);
    let height = row_height * bars.len() as u64 + 8;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        label_width + bar_width + 60,
        escape(&section.title)
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = i as u64 * row_height + 4;
        let width = n * bar_width / max;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{}\" y=\"{y}\" width=\"{width}\" height=\"{}\" fill=\"#3b6ea5\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{n}</text>",
            label_width - 6,
            y + 15,
            escape(label),
            label_width,
            row_height - 6,
            label_width + width + 4,
            y + 15,
        );
    }
    svg.push_str("</svg>");
    svg
}

const STYLE: &str = "body{font-family:'Times New Roman',serif;margin:2em;color:#111}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;page-break-after:avoid}\
table{border-collapse:collapse;margin:.5em 0;page-break-inside:auto}\
th,td{border:1px solid #888;padding:.2em .5em;font-size:.9em}th{background:#eee}\
td.n{text-align:right}dl{font-size:.9em}dt{font-weight:bold}dd{margin:0 0 .3em 1em;font-family:monospace}\
@media print{body{margin:1cm}}";

fn html(report: &Report) -> String {
    let lang = match report.meta.lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<dl>\n",
        title = escape(&report.meta.title)
    );
    for (label, value) in provenance(report) {
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(&label),
            escape(&value)
        );
    }
    out.push_str("</dl>\n");
    for section in &report.sections {
        let _ = writeln!(
            out,
            "<h2 id=\"{}\">{}</h2>",
            section.id,
            escape(&section.title)
        );
        if matches!(section.id, "participations_by_track" | "appraisals") {
            out.push_str(&bar_chart(section, 1));
            out.push('\n');
        }
        out.push_str("<table>\n<thead><tr>");
        for column in &section.columns {
            let _ = write!(out, "<th>{}</th>", escape(column));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &section.rows {
            out.push_str("<tr>");
            for cell in row {
                let class = if matches!(cell, Cell::Count(_) | Cell::Percent(_)) {
                    " class=\"n\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", escape(&cell.text()));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// One sheet per section, named in the report's language, each table written by
/// [`write_table`] (text as string cells, never formulas).
fn xlsx(report: &Report) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as Style, Workbook};
    let mut workbook = Workbook::new();
    // A fixed creation time (the report's year end) keeps the file byte-identical.
    let created = ExcelDateTime::from_ymd(
        u16::try_from(report.meta.year.clamp(1900, 9999)).unwrap_or(1900),
        12,
        31,
    )?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&report.meta.title)
            .set_creation_datetime(&created),
    );
    let lang = report.meta.lang;
    let bold = Style::new().set_bold();
    let about = workbook.add_worksheet();
    about.set_name(sheet_label("report", lang))?;
    about.write_string_with_format(0, 0, &report.meta.title, &bold)?;
    for (row, (label, value)) in provenance(report).into_iter().enumerate() {
        about.write_string(row as u32 + 2, 0, &label)?;
        about.write_string(row as u32 + 2, 1, &value)?;
    }
    about.set_column_width(0, 60)?;
    about.set_column_width(1, 60)?;
    for section in &report.sections {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_label(section.id, lang))?;
        sheet.write_string_with_format(0, 0, &section.title, &bold)?;
        write_table(sheet, 2, &section.columns, &section.rows)?;
    }
    workbook.save_to_buffer()
}

/// A sheet's name in `lang`: short labels (Excel allows 31 characters) for the sections.
fn sheet_label(id: &str, lang: Lang) -> String {
    let (vi, en) = match id {
        "report" => ("Báo cáo", "Report"),
        "headcount" => ("Số lượng cán bộ", "Headcount"),
        "headcount_quality" => ("Trình độ cán bộ", "Staff levels"),
        "headcount_age" => ("Độ tuổi", "Ages"),
        "summary" => ("Tổng hợp", "Summary"),
        "participations_by_track" => ("Đào tạo theo lĩnh vực", "Training by track"),
        "participations_by_provider" => ("Đào tạo theo cơ sở", "Training by provider"),
        "participations_by_unit_level" => ("Đào tạo theo cấp", "Training by unit level"),
        "rotations" => ("Luân chuyển", "Rotations"),
        "rotation_list" => ("Danh sách luân chuyển", "Rotation list"),
        "appraisals" => ("Đánh giá, xếp loại", "Appraisals"),
        "appraisals_by_unit" => ("Xếp loại theo đơn vị", "Appraisals by unit"),
        "feedback" => ("Ý kiến nhân dân", "Public feedback"),
        "compliance" => ("Chỉ tiêu", "Targets"),
        "compliance_by_unit" => ("Chỉ tiêu theo đơn vị", "Targets by unit"),
        "shortfalls" => ("Chưa đạt chuẩn", "Shortfalls"),
        other => (other, other),
    };
    sheet_name(match lang {
        Lang::Vi => vi,
        Lang::En => en,
    })
}
