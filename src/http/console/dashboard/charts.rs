//! Horizontal bar charts as inline SVG: a row per label (the label above one bar per
//! series), each bar with its figure at its end, and a legend naming the series when
//! there are several. Sized by `viewBox` only, so a chart shrinks to any screen; the page
//! prints the same figures in a table beside each chart, which is what assistive
//! technology reads (the chart is one image with a `<title>`). Every element is closed
//! (`<rect …></rect>`): the HTML parser does not read `<rect …>` in inline SVG as empty.

use maud::{Markup, html};

/// The drawing's width in `viewBox` units, and the room kept past the longest bar for
/// its figure.
const WIDTH: f64 = 400.0;
const FIGURE_ROOM: f64 = 70.0;
const LABEL_HEIGHT: f64 = 16.0;
const BAR_HEIGHT: f64 = 13.0;
const BAR_GAP: f64 = 3.0;
const ROW_GAP: f64 = 7.0;
const LEGEND_HEIGHT: f64 = 24.0;
/// The series' fills in turn (this year dark, last year light), and the track behind a
/// percentage's bar (the 100 % it is out of).
const FILLS: [&str; 2] = ["#0b5cad", "#8fb0d6"];
const TRACK: &str = "#e6eaef";

/// What a chart draws, already in the visitor's words and number format.
pub(super) struct Chart {
    /// The id of its `<title>`, unique on the page.
    pub id: String,
    pub title: String,
    /// The series' names, for the legend (none is drawn for a single series).
    pub series: Vec<String>,
    pub rows: Vec<Row>,
    pub scale: Scale,
}

pub(super) struct Row {
    pub label: String,
    /// One per series, in the series' order.
    pub bars: Vec<Bar>,
}

pub(super) struct Bar {
    pub value: f64,
    /// The figure printed at the bar's end (`lang.count`, `lang.percent`).
    pub text: String,
}

/// What the longest possible bar stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Scale {
    /// The largest value of the chart.
    Largest,
    /// 100: bars are percentages, drawn over a track of the whole.
    Percent,
}

impl Chart {
    /// The SVG, or `None` when there is no row to draw (the page then says so in words).
    pub fn svg(&self) -> Option<Markup> {
        if self.rows.is_empty() {
            return None;
        }
        let full = self.full();
        let top = self.legend_height();
        let height = top + self.rows.len() as f64 * self.row_height();
        Some(html! {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (WIDTH) " " (round(height)) }
                role="img" aria-labelledby=(self.id) {
                title id=(self.id) { (self.title) }
                @if self.series.len() > 1 {
                    @for (i, name) in self.series.iter().enumerate() {
                        @let x = i as f64 * 120.0;
                        rect x=(x) y="4" width="14" height="14" fill=(fill(i)) {}
                        text x=(x + 20.0) y="16" font-size="13" { (name) }
                    }
                }
                @for (r, row) in self.rows.iter().enumerate() {
                    @let y = top + r as f64 * self.row_height();
                    text x="0" y=(round(y + 12.0)) font-size="13" { (row.label) }
                    @for (b, bar) in row.bars.iter().enumerate() {
                        @let bar_y = round(y + LABEL_HEIGHT + b as f64 * (BAR_HEIGHT + BAR_GAP));
                        @let length = length(bar.value, full);
                        @if self.scale == Scale::Percent {
                            rect x="0" y=(bar_y) width=(WIDTH - FIGURE_ROOM) height=(BAR_HEIGHT) fill=(TRACK) {}
                        }
                        rect x="0" y=(bar_y) width=(length) height=(BAR_HEIGHT) fill=(fill(b)) {}
                        text x=(round(self.figure_x(length))) y=(round(bar_y + 10.5)) font-size="12" { (bar.text) }
                    }
                }
            }
        })
    }

    /// The value the longest bar stands for.
    fn full(&self) -> f64 {
        match self.scale {
            Scale::Percent => 100.0,
            Scale::Largest => self
                .rows
                .iter()
                .flat_map(|row| &row.bars)
                .map(|bar| bar.value)
                .fold(0.0, f64::max),
        }
    }

    fn legend_height(&self) -> f64 {
        if self.series.len() > 1 {
            LEGEND_HEIGHT
        } else {
            0.0
        }
    }

    fn row_height(&self) -> f64 {
        let bars = self.series.len().max(1) as f64;
        LABEL_HEIGHT + bars * BAR_HEIGHT + (bars - 1.0) * BAR_GAP + ROW_GAP
    }

    /// Where a bar's figure starts: past the bar, or past the track of a percentage.
    fn figure_x(&self, length: f64) -> f64 {
        match self.scale {
            Scale::Percent => WIDTH - FIGURE_ROOM + 6.0,
            Scale::Largest => length + 6.0,
        }
    }
}

/// A bar's length for `value` out of `full`: none for nothing (or when everything is
/// nothing), at least a sliver for any positive value, never past the drawing.
fn length(value: f64, full: f64) -> f64 {
    if !(value > 0.0 && full > 0.0) {
        return 0.0;
    }
    let drawn = WIDTH - FIGURE_ROOM;
    round((value / full * drawn).clamp(1.0, drawn))
}

fn fill(series: usize) -> &'static str {
    FILLS[series % FILLS.len()]
}

/// One decimal: enough for a drawing, and short attributes.
fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(scale: Scale, rows: &[(&str, &[f64])]) -> Chart {
        let series = rows.first().map_or(0, |(_, values)| values.len());
        Chart {
            id: "c".into(),
            title: "Số lượt".into(),
            series: (0..series).map(|i| (2016 - i).to_string()).collect(),
            rows: rows
                .iter()
                .map(|(label, values)| Row {
                    label: label.to_string(),
                    bars: values
                        .iter()
                        .map(|v| Bar {
                            value: *v,
                            text: v.to_string(),
                        })
                        .collect(),
                })
                .collect(),
            scale,
        }
    }

    /// The `width` of every bar drawn, in order (tracks left out).
    fn widths(svg: &str) -> Vec<f64> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| !r.contains(TRACK) && !r.contains("y=\"4\""))
            .map(|r| {
                let w = r.split("width=\"").nth(1).unwrap();
                w[..w.find('"').unwrap()].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn the_largest_value_draws_the_longest_bar_and_the_others_in_proportion() {
        let svg = chart(
            Scale::Largest,
            &[("a", &[300.0, 150.0]), ("b", &[0.0, 75.0])],
        )
        .svg()
        .unwrap()
        .into_string();
        let drawn = WIDTH - FIGURE_ROOM;
        assert_eq!(widths(&svg), vec![drawn, drawn / 2.0, 0.0, drawn / 4.0]);
    }

    #[test]
    fn percentages_are_out_of_a_hundred_over_a_track() {
        let svg = chart(Scale::Percent, &[("a", &[50.0]), ("b", &[100.0])])
            .svg()
            .unwrap()
            .into_string();
        let drawn = WIDTH - FIGURE_ROOM;
        assert_eq!(widths(&svg), vec![drawn / 2.0, drawn]);
        assert_eq!(svg.matches(TRACK).count(), 2);
        assert!(
            !svg.contains("y=\"4\""),
            "one series draws no legend: {svg}"
        );
    }

    #[test]
    fn nothing_draws_no_bar_and_no_row_draws_no_chart() {
        let svg = chart(Scale::Largest, &[("a", &[0.0, 0.0])])
            .svg()
            .unwrap()
            .into_string();
        assert_eq!(widths(&svg), vec![0.0, 0.0]);
        assert!(chart(Scale::Largest, &[]).svg().is_none());
    }

    #[test]
    fn a_tiny_value_still_shows_and_none_runs_past_the_drawing() {
        assert_eq!(length(1.0, 1_000_000.0), 1.0);
        assert_eq!(length(250.0, 100.0), WIDTH - FIGURE_ROOM);
        assert_eq!(length(f64::NAN, 100.0), 0.0);
    }

    #[test]
    fn the_chart_is_an_image_named_by_its_title_scaled_by_its_view_box() {
        let svg = chart(Scale::Largest, &[("a & b", &[3.0, 2.0])])
            .svg()
            .unwrap()
            .into_string();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 "));
        assert!(svg.contains("role=\"img\" aria-labelledby=\"c\"><title id=\"c\">Số lượt</title>"));
        assert!(svg.contains(">a &amp; b</text>"), "{svg}");
        assert!(
            svg.contains(">2016</text>") && svg.contains(">2015</text>"),
            "{svg}"
        );
        assert!(
            !svg.contains("width=\"100%\"") && !svg.contains("style="),
            "{svg}"
        );
        assert_eq!(
            svg.matches("<rect ").count(),
            svg.matches("></rect>").count(),
            "{svg}"
        );
    }
}
