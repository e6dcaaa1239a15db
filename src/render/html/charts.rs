//! The report's charts, as inline SVG laid out here: one mark (`rect`) per value, its value in a
//! `<title>` (shown on hover, read by screen readers) and in `data-*` attributes (for tests and
//! copy-paste), each linking to the lines of the concordance it counts. Widths are in a 640-unit
//! `viewBox`, scaled to the page, so a phone shows the whole chart without scrolling sideways.

use maud::{Markup, html};

use super::assets::{FALL, NEUTRAL, PALETTE, RISE};

/// Width of every chart's coordinate system.
const WIDTH: f64 = 640.0;
/// Where the plotting area starts (labels are left of it) and ends.
const PLOT_X: f64 = 200.0;
const PLOT_END: f64 = 630.0;

/// A coordinate, with one decimal (enough at this scale; keeps the file small).
fn n(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A colour of the palette for category `i`.
pub fn category_colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// `text`, cut to `max` characters with "…" (the full text is in the mark's title).
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// One document's bars in the headline chart.
pub struct ShareGroup {
    pub label: String,
    pub title: String,
    /// One bar per category.
    pub bars: Vec<ShareBar>,
}

pub struct ShareBar {
    pub category: String,
    pub colour_index: usize,
    pub share: Option<f64>,
    pub interval: Option<(f64, f64)>,
    pub hits: u64,
    /// All the lexicon's hits in the document.
    pub all: u64,
    pub title: String,
    pub document: String,
    pub href: String,
}

/// Horizontal bars: each category's share of the hits, per document, with its 95% interval.
pub fn share_chart(groups: &[ShareGroup], categories: &[(String, usize)]) -> Markup {
    const BAR: f64 = 10.0;
    const GAP: f64 = 3.0;
    const GROUP_GAP: f64 = 10.0;
    let per_group = |g: &ShareGroup| g.bars.len() as f64 * (BAR + GAP) - GAP + GROUP_GAP;
    let legend_h = 22.0;
    let axis_h = 26.0;
    let top = legend_h + axis_h;
    let height = top + groups.iter().map(per_group).sum::<f64>() + 8.0;
    let x = |pct: f64| PLOT_X + (PLOT_END - 60.0 - PLOT_X) * pct / 100.0;
    let offsets: Vec<f64> = groups
        .iter()
        .scan(top, |y, g| {
            let here = *y;
            *y += per_group(g);
            Some(here)
        })
        .collect();
    html! {
        svg viewBox=(format!("0 0 {} {}", n(WIDTH), n(height))) role="img"
            aria-label="Bar chart: each category's share of the lexicon's hits, per document, with 95% confidence intervals" {
            // Legend.
            @for (i, (name, colour)) in categories.iter().enumerate() {
                rect x=(n(PLOT_X + i as f64 * 150.0)) y="4" width="12" height="12" fill=(category_colour(*colour)) {}
                text x=(n(PLOT_X + 16.0 + i as f64 * 150.0)) y="14" font-size="12" { (shorten(name, 20)) }
            }
            // Axis: 0, 25, 50, 75, 100%.
            @for t in [0.0, 25.0, 50.0, 75.0, 100.0] {
                line x1=(n(x(t))) x2=(n(x(t))) y1=(n(top - 4.0)) y2=(n(height - 6.0)) stroke="#ddd" {}
                text x=(n(x(t))) y=(n(top - 8.0)) font-size="11" text-anchor="middle" { (t) "%" }
            }
            @for (g, &y) in groups.iter().zip(&offsets) {
                @let h = per_group(g) - GROUP_GAP;
                text x=(n(PLOT_X - 6.0)) y=(n(y + h / 2.0 + 4.0)) font-size="11" text-anchor="end" {
                    title { (g.title) } (g.label)
                }
                @for (k, bar) in g.bars.iter().enumerate() {
                    @let by = y + k as f64 * (BAR + GAP);
                    @match bar.share {
                        Some(share) => {
                            a href=(bar.href) {
                                rect.mark x=(n(PLOT_X)) y=(n(by)) width=(n((x(share) - PLOT_X).max(0.5))) height=(n(BAR))
                                    fill=(category_colour(bar.colour_index))
                                    data-chart="share" data-document=(bar.document) data-category=(bar.category)
                                    data-value=(format!("{share:.1}")) {
                                    title { (bar.title) }
                                }
                            }
                            @if let Some((lo, hi)) = bar.interval {
                                @let cy = by + BAR / 2.0;
                                line x1=(n(x(lo))) x2=(n(x(hi))) y1=(n(cy)) y2=(n(cy)) stroke="#000" stroke-width="1.2" {}
                                line x1=(n(x(lo))) x2=(n(x(lo))) y1=(n(cy - 3.0)) y2=(n(cy + 3.0)) stroke="#000" stroke-width="1.2" {}
                                line x1=(n(x(hi))) x2=(n(x(hi))) y1=(n(cy - 3.0)) y2=(n(cy + 3.0)) stroke="#000" stroke-width="1.2" {}
                            }
                            text x=(n(PLOT_END - 54.0)) y=(n(by + BAR - 1.0)) font-size="11" { (format!("{share:.0}%")) }
                        }
                        None => {
                            text x=(n(PLOT_X + 4.0)) y=(n(by + BAR - 1.0)) font-size="11" fill="#666" { "no hits" }
                        }
                    }
                }
            }
        }
    }
}

/// One cell of the heat map.
pub struct HeatCell {
    pub count: u64,
    pub rate: f64,
    pub title: String,
    pub href: String,
    pub term: String,
    pub document: String,
}

/// Documents (rows) × terms (columns), shaded by rate per 10,000 words (square-root scale, so
/// small rates stay visible).
pub fn heat_map(rows: &[(String, String)], columns: &[String], cells: &[Vec<HeatCell>]) -> Markup {
    let label_w = PLOT_X;
    let cols = columns.len().max(1) as f64;
    let cell = ((PLOT_END - label_w) / cols).min(28.0);
    let header = 118.0;
    let height = header + rows.len() as f64 * cell + 40.0;
    let max = cells
        .iter()
        .flatten()
        .map(|c| c.rate)
        .fold(0.0f64, f64::max);
    let opacity = |rate: f64| {
        if max > 0.0 {
            0.12 + 0.88 * (rate / max).sqrt()
        } else {
            0.0
        }
    };
    let legend_y = header + rows.len() as f64 * cell + 14.0;
    html! {
        svg viewBox=(format!("0 0 {} {}", n(WIDTH), n(height))) role="img"
            aria-label="Heat map: rate per 10,000 words of each term in each document" {
            @for (j, term) in columns.iter().enumerate() {
                @let cx = label_w + (j as f64 + 0.5) * cell + 4.0;
                text x=(n(cx)) y=(n(header - 6.0)) font-size="11" transform=(format!("rotate(-60 {} {})", n(cx), n(header - 6.0))) {
                    (shorten(term, 22))
                }
            }
            @for (i, (label, title)) in rows.iter().enumerate() {
                @let y = header + i as f64 * cell;
                text x=(n(label_w - 6.0)) y=(n(y + cell * 0.5 + 4.0)) font-size="11" text-anchor="end" {
                    title { (title) } (label)
                }
                @for (j, c) in cells[i].iter().enumerate() {
                    a href=(c.href) {
                        rect.mark x=(n(label_w + j as f64 * cell + 0.5)) y=(n(y + 0.5)) width=(n(cell - 1.0)) height=(n(cell - 1.0))
                            fill=(if c.count == 0 { "#ffffff" } else { PALETTE[0] })
                            fill-opacity=(if c.count == 0 { "1".to_string() } else { format!("{:.2}", opacity(c.rate)) })
                            stroke="#e0e0e0" stroke-width="0.5"
                            data-chart="heat" data-document=(c.document) data-term=(c.term)
                            data-count=(c.count) data-value=(format!("{:.2}", c.rate)) {
                            title { (c.title) }
                        }
                    }
                }
            }
            // Legend: white = no hits, then light to dark.
            rect x=(n(label_w)) y=(n(legend_y)) width="14" height="14" fill="#ffffff" stroke="#bbb" {}
            text x=(n(label_w + 18.0)) y=(n(legend_y + 11.0)) font-size="11" { "no hits" }
            @for (k, frac) in [0.1f64, 0.4, 1.0].iter().enumerate() {
                @let lx = label_w + 90.0 + k as f64 * 120.0;
                rect x=(n(lx)) y=(n(legend_y)) width="14" height="14" fill=(PALETTE[0]) fill-opacity=(format!("{:.2}", 0.12 + 0.88 * frac.sqrt())) {}
                text x=(n(lx + 18.0)) y=(n(legend_y + 11.0)) font-size="11" { (format!("{:.1}", max * frac)) " per 10k" }
            }
        }
    }
}

/// One page with hits in the dispersion plot.
pub struct PageMark {
    pub page: u32,
    pub hits: u64,
    pub title: String,
    pub href: String,
}

/// One document's row of the dispersion plot.
pub struct DispersionRow {
    pub label: String,
    pub document: String,
    pub title: String,
    /// Pages of the document, `None` for formats without pages.
    pub pages: Option<u32>,
    pub marks: Vec<PageMark>,
}

/// Where a term's hits fall: one row per document from its first page (left) to its last
/// (right), one mark per page with hits, taller for more hits (AntConc's plot, quanteda's xray).
pub fn dispersion_plot(term: &str, colour: usize, rows: &[DispersionRow]) -> Markup {
    // Few documents get taller rows, so the marks' heights can be told apart.
    let row_h: f64 = if rows.len() <= 12 { 24.0 } else { 16.0 };
    let plot_end = PLOT_END - 36.0;
    let top = 18.0;
    let height = top + rows.len() as f64 * row_h + 22.0;
    let most = rows
        .iter()
        .flat_map(|r| &r.marks)
        .map(|m| m.hits)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let span = plot_end - PLOT_X;
    html! {
        svg viewBox=(format!("0 0 {} {}", n(WIDTH), n(height))) role="img"
            aria-label=(format!("Dispersion plot: the pages of each document where {term} occurs")) {
            text x=(n(PLOT_X)) y="12" font-size="11" fill="#555" { "first page" }
            text x=(n(plot_end)) y="12" font-size="11" fill="#555" text-anchor="end" { "last page" }
            @for (i, row) in rows.iter().enumerate() {
                @let base = top + (i as f64 + 1.0) * row_h - 3.0;
                text x=(n(PLOT_X - 6.0)) y=(n(base)) font-size="11" text-anchor="end" {
                    title { (row.title) } (row.label)
                }
                @match row.pages {
                    Some(pages) if pages > 0 => {
                        line x1=(n(PLOT_X)) x2=(n(plot_end)) y1=(n(base + 0.5)) y2=(n(base + 0.5)) stroke="#bbb" {}
                        text x=(n(plot_end + 4.0)) y=(n(base)) font-size="10" fill="#555" { (pages) " pp." }
                        @let w = span / pages as f64;
                        @for m in &row.marks {
                            @let h = 3.0 + (row_h - 7.0) * (m.hits as f64 / most);
                            a href=(m.href) {
                                rect.mark x=(n(PLOT_X + w * (m.page.saturating_sub(1)) as f64)) y=(n(base - h)) width=(n((w * 0.8).max(1.5))) height=(n(h))
                                    fill=(category_colour(colour))
                                    data-chart="dispersion" data-document=(row.document) data-term=(term)
                                    data-page=(m.page) data-value=(m.hits) {
                                    title { (m.title) }
                                }
                            }
                        }
                    }
                    _ => {
                        text x=(n(PLOT_X)) y=(n(base)) font-size="11" fill="#666" { "no page numbers in this format" }
                    }
                }
            }
            text x=(n(PLOT_X)) y=(n(height - 6.0)) font-size="11" fill="#555" {
                "Each mark is a page with hits; the tallest means " (most as u64) (if most as u64 == 1 { " hit" } else { " hits" }) " on one page."
            }
        }
    }
}

/// One term's bar in the keyness chart.
pub struct KeynessBar {
    pub term: String,
    pub log_ratio: f64,
    pub log_likelihood: f64,
    pub significance: String,
    pub title: String,
    pub href: String,
}

/// Log Ratio per term, centred on 0 (no change): right = more frequent in NEW, left = less;
/// coloured when the change is significant (p < 0.05), grey when it may be chance.
pub fn keyness_chart(bars: &[KeynessBar]) -> Markup {
    const ROW: f64 = 18.0;
    let top = 40.0;
    let height = top + bars.len() as f64 * ROW + 40.0;
    let limit = bars
        .iter()
        .map(|b| b.log_ratio.abs())
        .fold(1.0f64, f64::max)
        .ceil();
    let mid = PLOT_X + (PLOT_END - 70.0 - PLOT_X) / 2.0;
    let half = (PLOT_END - 70.0 - PLOT_X) / 2.0;
    let x = |lr: f64| mid + half * lr / limit;
    let ticks: Vec<f64> = {
        let step = if limit > 4.0 { 2.0 } else { 1.0 };
        let mut t = -limit;
        let mut v = Vec::new();
        while t <= limit + 1e-9 {
            v.push(t);
            t += step;
        }
        v
    };
    html! {
        svg viewBox=(format!("0 0 {} {}", n(WIDTH), n(height))) role="img"
            aria-label="Bar chart: Log Ratio of each term, NEW compared with OLD" {
            text x=(n(mid - 6.0)) y="12" font-size="11" text-anchor="end" fill=(FALL) { "← less frequent in NEW" }
            text x=(n(mid + 6.0)) y="12" font-size="11" fill=(RISE) { "more frequent in NEW →" }
            @for t in &ticks {
                line x1=(n(x(*t))) x2=(n(x(*t))) y1=(n(top - 6.0)) y2=(n(height - 24.0)) stroke=(if *t == 0.0 { "#555" } else { "#e4e4e4" }) {}
                text x=(n(x(*t))) y=(n(top - 10.0)) font-size="11" text-anchor="middle" {
                    (if *t > 0.0 { format!("+{t}") } else { format!("{t}") })
                }
            }
            @for (i, b) in bars.iter().enumerate() {
                @let y = top + i as f64 * ROW;
                @let significant = !b.significance.is_empty();
                @let colour = if !significant { NEUTRAL } else if b.log_ratio > 0.0 { RISE } else { FALL };
                @let (x0, x1) = if b.log_ratio >= 0.0 { (mid, x(b.log_ratio)) } else { (x(b.log_ratio), mid) };
                text x=(n(PLOT_X - 6.0)) y=(n(y + 12.0)) font-size="11" text-anchor="end" { (shorten(&b.term, 30)) }
                a href=(b.href) {
                    rect.mark x=(n(x0)) y=(n(y + 2.0)) width=(n((x1 - x0).max(1.0))) height=(n(ROW - 5.0)) fill=(colour)
                        data-chart="keyness" data-term=(b.term)
                        data-value=(format!("{:.2}", b.log_ratio)) data-g2=(format!("{:.2}", b.log_likelihood)) {
                        title { (b.title) }
                    }
                }
                text x=(n(PLOT_END - 62.0)) y=(n(y + 12.0)) font-size="11" {
                    (format!("{:+.2}", b.log_ratio)) " " (b.significance)
                }
            }
            text x=(n(PLOT_X)) y=(n(height - 20.0)) font-size="11" fill="#555" {
                "Log Ratio: +1 = twice as frequent in NEW, −1 = half as frequent."
            }
            text x=(n(PLOT_X)) y=(n(height - 6.0)) font-size="11" fill="#555" {
                "Coloured = a significant change (p < 0.05); grey = may be chance."
            }
        }
    }
}
