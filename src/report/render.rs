//! Writing a [`Report`] out. Every format renders the same sections, so the figures agree
//! across formats; none adds anything that changes between runs. Markdown, HTML and the
//! XLSX's first sheet are laid out as an official document: the issuing office's header
//! with the national motto, place and date, the sections, recipients and signature, and a
//! footer with what a machine checks (position, head, the command to verify). Markdown and
//! HTML show numbers and dates as the report's language writes them (3.200; 14,3 %;
//! 31/12/2017); CSV keeps plain digits and ISO dates for programs, XLSX typed cells. Recorded text (names,
//! units, posts) is never markup or a formula: Markdown and HTML escape it, CSV goes
//! through [`CsvWriter`], XLSX writes it as string cells (through [`write_table`]).

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::{Cell, Office, Report, ReportError, Section};
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

/// What lets anyone rebuild and check the report, as (label, value) lines.
fn provenance(report: &Report) -> Vec<(String, String)> {
    let m = &report.meta;
    let lang = m.lang;
    let mut lines = vec![
        (
            lang.pick(
                "Dựng lại từ sổ ghi đến vị trí",
                "Rebuilt from the log up to position",
            ),
            m.position.to_string(),
        ),
        (lang.pick("Đầu chuỗi băm", "Head"), m.head.clone()),
        (
            lang.pick("Lệnh kiểm tra", "Command to check it"),
            format!("cadre verify --expect-head {}", m.head),
        ),
        (
            lang.pick("Chỉ tiêu tính đến ngày", "Targets measured on"),
            lang.date(m.compliance_as_of),
        ),
    ];
    if let Some(known) = &m.as_known_at {
        lines.push((
            lang.pick("Theo sổ ghi tại thời điểm", "As known at"),
            known.clone(),
        ));
    }
    if let Some(policy) = &m.policy {
        lines.push((lang.pick("Nghị quyết", "Policy"), policy.clone()));
    }
    lines
        .into_iter()
        .map(|(label, value)| (label.to_string(), value))
        .collect()
}

/// A cell as the report's language writes it, for a reader (Markdown, HTML).
fn shown(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Count(n) => lang.count(*n),
        Cell::Percent(p) => lang.percent(*p),
        Cell::Date(d) => lang.date(*d),
    }
}

/// The national motto, two lines.
fn motto(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Vi => [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
        ],
        Lang::En => [
            "SOCIALIST REPUBLIC OF VIET NAM",
            "Independence - Freedom - Happiness",
        ],
    }
}

/// "Điện Biên, ngày 05 tháng 02 năm 2018": a day below 10 and the months January and
/// February take a leading zero, as official documents write them.
fn date_line(office: &Office, date: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Vi => {
            let month = if date.month() < 3 {
                format!("{:02}", date.month())
            } else {
                date.month().to_string()
            };
            format!(
                "{}, ngày {:02} tháng {month} năm {}",
                office.place,
                date.day(),
                date.year()
            )
        }
        Lang::En => format!("{}, {}", office.place, date.format("%-d %B %Y")),
    }
}

/// The header's lines: the issuer's column (superior, issuer, number) and the motto's
/// column (motto, date line).
fn header_lines(report: &Report) -> ([String; 3], [String; 3]) {
    let office = &report.office;
    let lang = report.meta.lang;
    let [state, motto] = motto(lang);
    (
        [
            office.superior_body.clone(),
            office.issuing_body.clone(),
            format!("{} {}", lang.pick("Số:", "No."), office.number),
        ],
        [
            state.to_string(),
            motto.to_string(),
            date_line(office, office.dated(report.meta.year), lang),
        ],
    )
}

/// The signature block's lines: on whose behalf, the title, the name (maybe empty).
fn signer_lines(office: &Office) -> Vec<&str> {
    [
        office.signer_authority.as_str(),
        &office.signer_title,
        &office.signer_name,
    ]
    .into_iter()
    .filter(|line| !line.is_empty())
    .collect()
}

fn recipients_label(lang: Lang) -> &'static str {
    lang.pick("Nơi nhận:", "Recipients:")
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
    let lang = report.meta.lang;
    let (issuer, motto) = header_lines(report);
    let mut out = String::new();
    for lines in [&issuer, &motto] {
        let shown: Vec<String> = lines.iter().map(|l| md_escape(l)).collect();
        let _ = write!(out, "{}\n\n", shown.join("  \n"));
    }
    let _ = writeln!(out, "# {}", md_escape(&report.meta.title));
    for section in &report.sections {
        let _ = write!(out, "\n## {}\n\n", md_escape(&section.title));
        let header: Vec<String> = section.columns.iter().map(|c| md_escape(c)).collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", " --- |".repeat(section.columns.len()));
        for row in &section.rows {
            let cells: Vec<String> = row.iter().map(|c| md_escape(&shown(c, lang))).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    let _ = write!(out, "\n**{}**\n\n", recipients_label(lang));
    for recipient in &report.office.recipients {
        let _ = writeln!(out, "- {}", md_escape(recipient));
    }
    let signer: Vec<String> = signer_lines(&report.office)
        .into_iter()
        .map(md_escape)
        .collect();
    let _ = write!(out, "\n**{}**\n\n---\n\n", signer.join("  \n"));
    for (label, value) in provenance(report) {
        let _ = writeln!(out, "- {}: {}", md_escape(&label), md_code(&value));
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
fn bar_chart(section: &Section, value_column: usize, lang: Lang) -> String {
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
    let width = label_width + bar_width + 60;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(&section.title)
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let y = i as u64 * row_height + 4;
        let width = n * bar_width / max;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{}\" y=\"{y}\" width=\"{width}\" height=\"{}\" fill=\"#3b6ea5\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            label_width - 6,
            y + 15,
            escape(label),
            label_width,
            row_height - 6,
            label_width + width + 4,
            y + 15,
            lang.count(*n),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Printed on A4 with the margins of an official document (Decree 30/2020: 2 cm top and
/// bottom, 3 cm left, 1.5 cm right); tables fill the width and wrap their text, a row never
/// splits across pages and a table's header repeats on every page it spans.
const STYLE: &str = "@page{size:A4;margin:2cm 1.5cm 2cm 3cm}\
body{font-family:'Times New Roman',serif;font-size:13pt;margin:2em;color:#111}\
h1{font-size:14pt;text-align:center}h2{font-size:13pt;margin-top:1.4em;break-after:avoid}\
table{border-collapse:collapse;margin:.5em 0;width:100%}thead{display:table-header-group}\
tr{break-inside:avoid}th,td{border:1px solid #888;padding:.15em .4em;font-size:10.5pt;overflow-wrap:anywhere}\
th{background:#eee}td.n{text-align:right;white-space:nowrap}svg{max-width:100%;height:auto}\
table.doc td{border:0;font-size:12pt;text-align:center;vertical-align:top}\
table.doc td:first-child{width:42%}.motto{white-space:nowrap}.number{white-space:pre}\
.date{font-style:italic}.recipients{text-align:left}.recipients p{margin:0;font-size:11pt}\
footer{margin-top:2em;border-top:1px solid #888;font-size:9pt}footer dd{font-family:monospace}\
dt{font-weight:bold}dd{margin:0 0 .3em 1em}\
@media print{body{margin:0}}";

fn html(report: &Report) -> String {
    let lang = report.meta.lang;
    let (issuer, motto) = header_lines(report);
    let [superior, body, number] = issuer.map(|l| escape(&l));
    let [state, motto, date] = motto.map(|l| escape(&l));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><table class=\"doc\"><tr><td>{superior}<br><b>{body}</b><br><span class=\"number\">{number}</span></td>\
         <td class=\"motto\"><b>{state}</b><br><b>{motto}</b></td></tr>\
         <tr><td></td><td class=\"date\">{date}</td></tr></table></header>\n<h1>{title}</h1>\n",
        code = lang.pick("vi", "en"),
        title = escape(&report.meta.title)
    );
    for section in &report.sections {
        let _ = writeln!(
            out,
            "<h2 id=\"{}\">{}</h2>",
            section.id,
            escape(&section.title)
        );
        if matches!(section.id, "participations_by_track" | "appraisals") {
            out.push_str(&bar_chart(section, 1, lang));
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
                let _ = write!(out, "<td{class}>{}</td>", escape(&shown(cell, lang)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str(&html_signature(report));
    out.push_str("<footer>\n<dl>\n");
    for (label, value) in provenance(report) {
        let _ = writeln!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(&label),
            escape(&value)
        );
    }
    out.push_str("</dl>\n</footer>\n</body>\n</html>\n");
    out
}

/// Recipients on the left, the signer on the right, with room for the signature and seal.
fn html_signature(report: &Report) -> String {
    let office = &report.office;
    let mut out = format!(
        "<table class=\"doc\"><tr><td class=\"recipients\"><p><b><i>{}</i></b></p>",
        escape(recipients_label(report.meta.lang))
    );
    for recipient in &office.recipients {
        let _ = write!(out, "<p>- {}</p>", escape(recipient));
    }
    let capacity: Vec<String> = [&office.signer_authority, &office.signer_title]
        .into_iter()
        .filter(|line| !line.is_empty())
        .map(|line| escape(line))
        .collect();
    let _ = writeln!(
        out,
        "</td><td><b>{}</b><br><br><br><br><br><b>{}</b></td></tr></table>",
        capacity.join("<br>"),
        escape(&office.signer_name)
    );
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
    let (issuer, motto) = header_lines(report);
    for (row, (left, right)) in issuer.iter().zip(&motto).enumerate() {
        about.write_string(row as u32, 0, left)?;
        about.write_string_with_format(row as u32, 1, right, &bold)?;
    }
    about.write_string_with_format(4, 0, &report.meta.title, &bold)?;
    let mut row = 6;
    for (label, value) in provenance(report) {
        about.write_string(row, 0, &label)?;
        about.write_string(row, 1, &value)?;
        row += 1;
    }
    about.write_string_with_format(row + 1, 0, recipients_label(lang), &bold)?;
    for (i, recipient) in report.office.recipients.iter().enumerate() {
        about.write_string(row + 2 + i as u32, 0, format!("- {recipient}"))?;
    }
    for (i, line) in signer_lines(&report.office).into_iter().enumerate() {
        about.write_string_with_format(row + 2 + i as u32, 1, line, &bold)?;
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
