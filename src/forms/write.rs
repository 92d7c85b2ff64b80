//! A form written out: XLSX (title rows with the form's code, the reporting unit and the
//! period; group and column headings; the row of column numbers; the figures; notes and
//! the log position in a footer; A4 landscape, one page wide) and printable HTML with the
//! same table (`@page { size: A4 landscape }`, numbers as the language writes them).
//! A figure the ledger does not record is "—", never 0.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as Style, FormatAlign, FormatBorder};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::{Form, Value, tr};
use crate::report::escape;
use crate::spreadsheet::sheet_name;

/// What a figure not recorded reads as.
const NOT_RECORDED: &str = "—";

/// Groups of consecutive columns under one heading: (heading, first index, how many).
fn groups(form: &Form) -> Vec<(Option<&str>, usize, usize)> {
    let mut out: Vec<(Option<&str>, usize, usize)> = Vec::new();
    for (i, column) in form.columns.iter().enumerate() {
        let group = column.group.as_deref();
        match out.last_mut() {
            Some((g, _, n)) if group.is_some() && *g == group => *n += 1,
            _ => out.push((group, i, 1)),
        }
    }
    out
}

/// The lines above the table.
fn titles(form: &Form) -> [String; 4] {
    [
        form.code.to_string(),
        form.title.clone(),
        tr(
            form.lang,
            "Đơn vị báo cáo: ………………",
            "Reporting unit: ………………",
        ),
        form.period.clone(),
    ]
}

/// The lines below the table: the notes, then where the figures come from.
fn footer(form: &Form) -> Vec<String> {
    let mut lines = form.notes.clone();
    lines.push(match form.lang {
        crate::domain::vocab::Lang::Vi => format!(
            "Số liệu lấy từ sổ ghi đến vị trí {0}; kiểm tra: cadre verify --expect-head {0}",
            form.head
        ),
        crate::domain::vocab::Lang::En => format!(
            "Figures from the ledger up to {0}; check with: cadre verify --expect-head {0}",
            form.head
        ),
    });
    lines
}

pub(super) fn xlsx(form: &Form) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    // A fixed creation time keeps the file byte-identical between runs.
    workbook.set_properties(
        &DocProperties::new()
            .set_title(&form.title)
            .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(form.code))?;
    sheet.set_landscape();
    sheet.set_paper_size(9); // A4
    sheet.set_print_fit_to_pages(1, 0);
    table(sheet, form)?;
    workbook.save_to_buffer()
}

fn table(sheet: &mut Worksheet, form: &Form) -> Result<(), XlsxError> {
    let bold = Style::new().set_bold();
    let head = Style::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin);
    let cell = Style::new().set_border(FormatBorder::Thin);
    let total = cell.clone().set_bold();
    let centred = cell.clone().set_align(FormatAlign::Center);
    for (row, line) in titles(form).iter().enumerate() {
        sheet.write_string_with_format(row as u32, 0, line, &bold)?;
    }
    let (group_row, label_row, number_row) = (5u32, 6u32, 7u32);
    for (group, first, n) in groups(form) {
        let first = first as u16;
        match group {
            Some(g) if n > 1 => {
                sheet.merge_range(group_row, first, group_row, first + n as u16 - 1, g, &head)?;
            }
            Some(g) => {
                sheet.write_string_with_format(group_row, first, g, &head)?;
            }
            // A column without a group heading spans both heading rows.
            None => {
                let label = &form.columns[first as usize].label;
                sheet.merge_range(group_row, first, label_row, first, label, &head)?;
            }
        }
    }
    for (i, column) in form.columns.iter().enumerate() {
        if column.group.is_some() {
            sheet.write_string_with_format(label_row, i as u16, &column.label, &head)?;
        }
        sheet.write_number_with_format(number_row, i as u16, (i + 1) as f64, &head)?;
        sheet.set_column_width(i as u16, if i == 1 { 36 } else { 9 })?;
    }
    sheet.set_row_height(label_row, 60)?;
    for (r, row) in form.rows.iter().enumerate() {
        let at = number_row + 1 + r as u32;
        let style = if row.total { &total } else { &cell };
        sheet.write_string_with_format(at, 0, &row.number, style)?;
        sheet.write_string_with_format(at, 1, &row.label, style)?;
        for (c, value) in row.values.iter().enumerate() {
            let c = c as u16 + 2;
            match value {
                Value::Count(n) => sheet.write_number_with_format(at, c, *n as f64, style)?,
                Value::NotRecorded => {
                    sheet.write_string_with_format(at, c, NOT_RECORDED, &centred)?
                }
            };
        }
    }
    let below = number_row + form.rows.len() as u32 + 2;
    for (i, line) in footer(form).iter().enumerate() {
        sheet.write_string(below + i as u32, 0, line)?;
    }
    sheet.set_freeze_panes(number_row + 1, 2)?;
    sheet.set_repeat_rows(group_row, number_row)?;
    Ok(())
}

pub(super) fn html(form: &Form) -> String {
    let lang = form.lang;
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} – {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        lang.pick("vi", "en"),
        escape(form.code),
        escape(&form.title),
    );
    let [code, title, unit, period] = titles(form);
    out.push_str(&format!(
        "<p class=\"code\">{}</p>\n<h1>{}</h1>\n<p class=\"unit\">{}</p>\n<p class=\"period\">{}</p>\n",
        escape(&code),
        escape(&title),
        escape(&unit),
        escape(&period)
    ));
    // Past twenty columns, the smaller print that keeps the form on the page's width.
    let class = if form.columns.len() > 20 {
        " class=\"wide\""
    } else {
        ""
    };
    out.push_str(&format!("<table{class}>\n<thead>\n<tr>"));
    for (group, first, n) in groups(form) {
        match group {
            Some(g) => out.push_str(&format!("<th colspan=\"{n}\">{}</th>", escape(g))),
            None => out.push_str(&format!(
                "<th rowspan=\"2\">{}</th>",
                escape(&form.columns[first].label)
            )),
        }
    }
    out.push_str("</tr>\n<tr>");
    for column in form.columns.iter().filter(|c| c.group.is_some()) {
        out.push_str(&format!("<th>{}</th>", escape(&column.label)));
    }
    out.push_str("</tr>\n<tr class=\"numbers\">");
    for number in 1..=form.columns.len() {
        out.push_str(&format!("<th>{number}</th>"));
    }
    out.push_str("</tr>\n</thead>\n<tbody>\n");
    for row in &form.rows {
        out.push_str(if row.total {
            "<tr class=\"total\">"
        } else {
            "<tr>"
        });
        out.push_str(&format!(
            "<td>{}</td><td class=\"label\">{}</td>",
            escape(&row.number),
            escape(&row.label)
        ));
        for value in &row.values {
            match value {
                Value::Count(n) => {
                    out.push_str(&format!("<td class=\"n\">{}</td>", lang.count(*n)))
                }
                Value::NotRecorded => out.push_str(&format!(
                    "<td class=\"nr\" title=\"{}\">{NOT_RECORDED}</td>",
                    lang.pick("không ghi nhận", "not recorded")
                )),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n<footer>\n");
    for line in footer(form) {
        out.push_str(&format!("<p>{}</p>\n", escape(&line)));
    }
    out.push_str("</footer>\n</body>\n</html>\n");
    out
}

const STYLE: &str = "@page { size: A4 landscape; margin: 10mm; }
body { font-family: \"Times New Roman\", serif; font-size: 10pt; }
p.code { font-weight: bold; margin: 0; }
h1 { font-size: 13pt; text-align: center; text-transform: uppercase; margin: 4pt 0; }
p.unit, p.period { text-align: center; margin: 2pt 0; }
table { border-collapse: collapse; width: 100%; margin-top: 6pt; table-layout: fixed; }
th, td { border: 1px solid #000; padding: 1pt 2pt; overflow-wrap: anywhere; }
/* A wide form (BM01/BM02: 39 columns) still fits the page's width. */
table.wide { font-size: 6.5pt; }
table.wide th:nth-child(2), table.wide td:nth-child(2) { width: 9%; }
tr { break-inside: avoid; }
th { font-weight: bold; text-align: center; vertical-align: middle; }
thead { display: table-header-group; }
tr.numbers th { font-weight: normal; font-style: italic; }
tr.total td { font-weight: bold; }
td.n { text-align: right; white-space: nowrap; overflow-wrap: normal; }
td.nr { text-align: center; }
footer { margin-top: 6pt; font-size: 9pt; }
";
