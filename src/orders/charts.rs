//! Server-rendered bar charts for the merchant's dashboard: the geometry is computed here, the
//! SVG is written by a template, and every chart also has a data table for screen readers.

/// One bar, with its place in the SVG's coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Label under the bar (a week, a day).
    pub label: String,
    /// The value written out (`12`, `1 234,50 €`, `80 %`).
    pub value_text: String,
    /// Left edge.
    pub x: i64,
    /// Top edge.
    pub y: i64,
    /// Width.
    pub width: i64,
    /// Height.
    pub height: i64,
    /// Horizontal centre, for the labels.
    pub centre: i64,
}

/// A bar chart ready for the template.
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    /// Its heading (also the SVG's accessible name).
    pub title: String,
    /// SVG width.
    pub width: i64,
    /// SVG height.
    pub height: i64,
    /// Y of the baseline.
    pub baseline: i64,
    /// The bars.
    pub bars: Vec<Bar>,
}

/// Height of the plotting area.
const PLOT_HEIGHT: i64 = 120;
/// Room above the bars for the value labels.
const TOP: i64 = 18;
/// Room under the baseline for the bar labels.
const BOTTOM: i64 = 22;
/// Width given to each bar, gap included.
const STEP: i64 = 52;

/// Lays out `values` (label, value, value written out) as bars scaled to the largest value.
pub fn bar_chart(title: String, values: &[(String, i64, String)]) -> BarChart {
    let max = values.iter().map(|(_, v, _)| *v).max().unwrap_or(0).max(1);
    let baseline = TOP + PLOT_HEIGHT;
    let bars = values
        .iter()
        .enumerate()
        .map(|(index, (label, value, text))| {
            let height = (value.max(&0) * PLOT_HEIGHT) / max;
            let x = i64::try_from(index).unwrap_or(0) * STEP + 6;
            Bar {
                label: label.clone(),
                value_text: text.clone(),
                x,
                y: baseline - height,
                width: STEP - 12,
                height,
                centre: x + (STEP - 12) / 2,
            }
        })
        .collect::<Vec<_>>();
    let width = (i64::try_from(values.len()).unwrap_or(0) * STEP).max(STEP);
    BarChart { title, width, height: baseline + BOTTOM, baseline, bars }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(label: &str, v: i64) -> (String, i64, String) {
        (label.to_owned(), v, v.to_string())
    }

    #[test]
    fn bars_are_scaled_to_the_largest_value() {
        let chart = bar_chart("Commandes".to_owned(), &[value("S1", 10), value("S2", 5), value("S3", 0)]);
        assert_eq!(chart.bars.len(), 3);
        assert_eq!(chart.bars[0].height, PLOT_HEIGHT);
        assert_eq!(chart.bars[1].height, PLOT_HEIGHT / 2);
        assert_eq!(chart.bars[2].height, 0);
        assert_eq!(chart.bars[2].y, chart.baseline);
        assert!(chart.bars[1].x > chart.bars[0].x + chart.bars[0].width);
        assert_eq!(chart.width, 3 * STEP);
    }

    #[test]
    fn an_empty_chart_has_no_bars_and_no_division_by_zero() {
        let chart = bar_chart("Vide".to_owned(), &[value("S1", 0)]);
        assert_eq!(chart.bars[0].height, 0);
        assert!(bar_chart("Rien".to_owned(), &[]).bars.is_empty());
    }
}
