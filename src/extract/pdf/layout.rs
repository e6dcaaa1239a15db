//! Page layout: glyphs as drawn (in any order, at any angle) → lines → paragraph blocks in
//! reading order.
//!
//! A PDF is free to draw its glyphs in any order: two columns line by line interleaved, letters
//! shuffled, a table heading turned on its side. So the text is laid out from positions, not
//! from the order of the content stream, in the way poppler's `pdftotext` does:
//! 1. glyphs are grouped by the angle of their baseline, and each group is laid out in its own
//!    frame (rotated so the baseline runs left to right), so rotated and vertical runs read
//!    along their own baseline;
//! 2. glyphs drawn one after another along one baseline form *runs* (a cheap first grouping
//!    that keeps a word processor's words together);
//! 3. runs are cut into columns and bands recursively at whitespace gaps (an XY-cut: a gutter
//!    is a vertical strip free of text through consecutive bands of lines);
//! 4. in each leaf, runs whose heights overlap form a line (so a raised superscript stays in its
//!    line); a line's glyphs are sorted by position and split into words at gaps relative to
//!    the font size above the line's usual letter gap (so letter-spaced text stays one word),
//!    then put into logical order by the Unicode bidirectional algorithm, so Arabic and Hebrew
//!    read as written;
//! 5. lines become paragraph blocks at vertical gaps, size changes, numbers and bullets.

use std::cmp::Ordering;

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use crate::extract::sections::paragraph_number;

/// Gap between glyphs, as a fraction of the font size, above which a space is inserted.
const WORD_GAP: f64 = 0.15;
/// Advance assumed for a glyph whose font reports a zero width, in font sizes.
const ZERO_WIDTH_GUESS: f64 = 0.75;
/// A baseline shift above this fraction of the font size starts a new line.
const LINE_SHIFT: f64 = 0.5;
/// Vertical distance between baselines, in font sizes, above which a new block starts.
const BLOCK_GAP: f64 = 1.6;
/// Glyph extent above and below the baseline, in font sizes (for line and band overlap).
const ASCENT: f64 = 0.7;
const DESCENT: f64 = 0.2;
/// Largest gap, in font sizes, inside one run (wider gaps may be column gutters).
const RUN_GAP: f64 = 0.6;
/// Narrowest gutter between columns, and narrowest column, in body font sizes.
const GUTTER: f64 = 0.8;
const MIN_COLUMN: f64 = 4.0;
/// A gutter is cut before the region's widest horizontal gap when it is this much wider; the
/// rows of a table (gaps nearly as wide as its gutters) are read row by row, cell by cell
/// (see [`rows_first`] for the exceptions both ways).
const VERTICAL_FIRST: f64 = 1.5;
/// A gap between glyphs wider than this many font sizes means the line is not a heading
/// standing alone (a table row, a label beside a value).
const ALONE_GAP: f64 = 2.5;
/// A box that text flows around (see [`floating_box`]) spans this many bands of lines, and
/// this many lines on each side of its gutter, at least.
const MIN_BANDS: usize = 3;
const MIN_BOX_LINES: usize = 3;
/// Baseline angles closer than this (degrees) are one orientation.
const ANGLE_STEP: f64 = 2.0;

/// One glyph as drawn, in page space (PDF user space, y up).
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    y: f64,
    /// Unit vector along the baseline.
    dir: (f64, f64),
    /// Advance along the baseline (the glyph's width, without character spacing).
    advance: f64,
    /// Height of the font on the page.
    size: f64,
    text: String,
    space: bool,
    /// Set in a bold font (see `fonts`).
    bold: bool,
}

/// Collects the glyphs of one page from `pdf-extract`, then lays them out.
#[derive(Default)]
pub struct PageLayout {
    top: f64,
    height: f64,
    glyphs: Vec<Glyph>,
    /// Whether each string the page shows is bold, in drawing order (`fonts::bold_strings`).
    pub bold_strings: Vec<bool>,
    /// Strings shown so far (`begin_word` calls).
    shown: usize,
}

impl OutputDev for PageLayout {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.top = media_box.ury;
        self.height = (media_box.ury - media_box.lly).abs();
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        if char.is_empty() {
            return Ok(());
        }
        // The text rendering matrix maps glyph space to the page: its first row is the
        // baseline direction (scaled by the horizontal scaling), its second the vertical.
        let baseline = trm.m11.hypot(trm.m12);
        let vertical = trm.m21.hypot(trm.m22);
        let font_size = font_size.abs();
        if !(baseline > 1e-9 && baseline.is_finite() && font_size.is_finite()) {
            return Ok(());
        }
        let size = (font_size * vertical).max(0.1);
        // Some fonts (seen in Chrome's print-to-PDF) report no width for some glyphs; assume a
        // wide glyph then, or every such glyph would be followed by a false word break.
        let width = if width > 0.0 { width } else { ZERO_WIDTH_GUESS };
        // The advance leaves out character and word spacing, as poppler's does: ghostscript
        // writes some word spaces as character spacing on the letter before them.
        let advance = width * font_size * baseline;
        if !(trm.m31.is_finite() && trm.m32.is_finite() && advance.is_finite()) {
            return Ok(());
        }
        self.glyphs.push(Glyph {
            x: trm.m31,
            y: trm.m32,
            dir: (trm.m11 / baseline, trm.m12 / baseline),
            advance,
            size,
            space: char.chars().all(char::is_whitespace),
            text: char.to_string(),
            bold: self
                .shown
                .checked_sub(1)
                .and_then(|i| self.bold_strings.get(i))
                .copied()
                .unwrap_or(false),
        });
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.shown += 1;
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A paragraph block with what its layout says about it.
pub struct LaidOutBlock {
    pub text: String,
    /// Largest font size in the block.
    pub size: f64,
    /// Every letter of the block is set in a bold font.
    pub bold: bool,
    /// The block's lines stand alone: no other text on their baselines, no wide gaps inside
    /// (not a table row or a column beside another).
    pub alone: bool,
    pub chars: usize,
    /// Top of the block as a fraction of the page height (0 = top).
    pub top: f64,
}

/// A glyph in the frame of its orientation: x along the baseline, y downwards.
#[derive(Debug, Clone, Copy)]
struct Placed {
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    glyph: usize,
    space: bool,
}

/// Glyphs drawn one after another along one baseline.
#[derive(Debug, Clone)]
struct Run {
    glyphs: std::ops::Range<usize>,
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
}

impl Run {
    fn top(&self) -> f64 {
        self.y - ASCENT * self.size
    }
    fn bottom(&self) -> f64 {
        self.y + DESCENT * self.size
    }
}

/// A line of text with its geometry.
#[derive(Debug)]
struct Line {
    text: String,
    /// Baseline in its frame, downwards.
    y: f64,
    size: f64,
    /// Top of the line on the page, as a fraction of the page height.
    top: f64,
    /// Orientation group, so blocks never span two orientations.
    group: usize,
    /// Every letter of the line is bold (digits and punctuation aside).
    bold: bool,
    /// The widest gap between two glyphs of the line, in font sizes (a table row has wide ones).
    widest_gap: f64,
    /// Left and right ends of the line along its baseline.
    x0: f64,
    x1: f64,
}

impl PageLayout {
    /// After the page is drawn: the bold flags are kept only when the strings drawn are the
    /// strings `fonts` found (else no text of the page is taken for bold).
    pub fn check_bold(&mut self) {
        if self.shown != self.bold_strings.len() {
            for glyph in &mut self.glyphs {
                glyph.bold = false;
            }
        }
    }

    /// Characters that are letters or digits: a page with none has no text layer.
    pub fn word_glyphs(&self) -> usize {
        self.glyphs
            .iter()
            .filter(|g| g.text.chars().any(char::is_alphanumeric))
            .count()
    }

    /// The page's paragraph blocks in reading order, lines kept apart by `\n` for the
    /// hyphenation repair.
    pub fn blocks(&self) -> Vec<LaidOutBlock> {
        let lines = self.lines();
        let mut blocks = Vec::new();
        let mut current: Option<LaidOutBlock> = None;
        let mut previous: Option<&Line> = None;
        for line in &lines {
            let starts_block = match previous {
                None => true,
                Some(prev) => {
                    let gap = line.y - prev.y;
                    let size = prev.size.max(line.size);
                    prev.group != line.group
                        || gap > BLOCK_GAP * size
                        || gap < -LINE_SHIFT * size // moved up: a new column or a sidebar
                        || (line.size - prev.size).abs() > 0.15 * size // heading ↔ body
                        || paragraph_number(&line.text).is_some()
                        || starts_with_bullet(&line.text)
                }
            };
            if starts_block {
                blocks.extend(current.take());
            }
            let block = current.get_or_insert_with(|| LaidOutBlock {
                text: String::new(),
                bold: true,
                alone: true,
                size: line.size,
                chars: 0,
                top: line.top,
            });
            if !block.text.is_empty() {
                block.text.push('\n');
            }
            block.text.push_str(&line.text);
            block.size = block.size.max(line.size);
            block.bold &= line.bold;
            block.alone &= line.widest_gap < ALONE_GAP
                && !lines.iter().any(|other| {
                    !std::ptr::eq(other, line)
                        && other.group == line.group
                        && (other.y - line.y).abs() < LINE_SHIFT * line.size
                        && (other.x1 < line.x0 || other.x0 > line.x1)
                });
            block.chars += line.text.chars().count();
            previous = Some(line);
        }
        blocks.extend(current);
        blocks
    }

    /// All lines of the page, orientation group by orientation group (in the order each is
    /// first drawn), each group in reading order.
    fn lines(&self) -> Vec<Line> {
        let mut groups: Vec<(i64, Vec<usize>)> = Vec::new();
        for (i, glyph) in self.glyphs.iter().enumerate() {
            let angle = glyph.dir.1.atan2(glyph.dir.0).to_degrees();
            let key = (angle / ANGLE_STEP).round() as i64;
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(i),
                None => groups.push((key, vec![i])),
            }
        }
        let mut lines = Vec::new();
        for (group, (_, members)) in groups.iter().enumerate() {
            self.lay_out_group(group, members, &mut lines);
        }
        lines
    }

    fn lay_out_group(&self, group: usize, members: &[usize], lines: &mut Vec<Line>) {
        let (cos, sin) = self.glyphs[members[0]].dir;
        let placed: Vec<Placed> = members
            .iter()
            .map(|&i| {
                let g = &self.glyphs[i];
                let x0 = g.x * cos + g.y * sin;
                Placed {
                    x0,
                    x1: x0 + g.advance,
                    y: -(g.y * cos - g.x * sin),
                    size: g.size,
                    glyph: i,
                    space: g.space,
                }
            })
            .collect();
        let runs = runs(&placed);
        if runs.is_empty() {
            return;
        }
        let body = median(runs.iter().map(|r| r.size).collect());
        let mut leaves = Vec::new();
        xy_cut(&runs, (0..runs.len()).collect(), body, &mut leaves, 0);
        for leaf in leaves {
            for line_runs in lines_of(&runs, leaf) {
                if let Some(line) = self.line_text(&placed, &runs, &line_runs, group) {
                    lines.push(line);
                }
            }
        }
    }

    /// The text of one line from its runs: glyphs sorted along the baseline, overprinted
    /// duplicates dropped, spaces at gaps, then logical (bidi) order.
    fn line_text(
        &self,
        placed: &[Placed],
        runs: &[Run],
        line_runs: &[usize],
        group: usize,
    ) -> Option<Line> {
        let mut glyphs: Vec<Placed> = line_runs
            .iter()
            .flat_map(|&r| placed[runs[r].glyphs.clone()].iter().copied())
            .collect();
        glyphs.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let size = line_runs
            .iter()
            .map(|&r| runs[r].size)
            .fold(0.0_f64, f64::max);
        let word_gap = word_gap(&glyphs, size);
        let mut text = String::new();
        let mut last: Option<Placed> = None;
        let mut spaced = false;
        let mut kept: Vec<Placed> = Vec::with_capacity(4);
        let mut bold = true;
        let mut widest_gap = 0.0_f64;
        let (x0, x1) = (
            glyphs.first().map_or(0.0, |g| g.x0),
            glyphs.iter().map(|g| g.x1).fold(f64::MIN, f64::max),
        );
        for g in glyphs {
            if g.space {
                spaced = true;
                continue;
            }
            let glyph_text = &self.glyphs[g.glyph].text;
            // Fake bold draws every glyph twice, a fraction of a point apart.
            let overprint = kept.iter().rev().take(3).any(|k| {
                (k.x0 - g.x0).abs() < 0.2 * g.size
                    && (k.y - g.y).abs() < 0.2 * g.size
                    && self.glyphs[k.glyph].text == *glyph_text
            });
            if overprint {
                continue;
            }
            if let Some(prev) = last {
                let s = prev.size.max(g.size);
                widest_gap = widest_gap.max((g.x0 - prev.x1) / s);
                // A superscript footnote mark ("framework1") is a word of its own.
                let raised = (g.y - prev.y).abs() > 0.2 * s || (g.size - prev.size).abs() > 0.2 * s;
                let gap = g.x0 - prev.x1 > word_gap;
                if spaced || gap || raised {
                    text.push(' ');
                }
            }
            text.push_str(glyph_text);
            // Letters only: a list's number ("1.") is often set in the regular weight.
            bold &= self.glyphs[g.glyph].bold || !glyph_text.chars().any(char::is_alphabetic);
            spaced = false;
            kept.push(g);
            if kept.len() > 3 {
                kept.remove(0);
            }
            // A glyph drawn back over the previous one (a combining accent) keeps the edge.
            last = Some(match last {
                Some(prev) if prev.x1 > g.x1 => Placed { x0: g.x0, ..prev },
                _ => g,
            });
        }
        let text = logical_order(text.trim());
        if text.is_empty() {
            return None;
        }
        let first = &self.glyphs[placed[runs[line_runs[0]].glyphs.start].glyph];
        let top = if self.height > 0.0 {
            ((self.top - first.y - ASCENT * first.size) / self.height).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Some(Line {
            text,
            y: line_runs
                .iter()
                .max_by(|&&a, &&b| runs[a].size.total_cmp(&runs[b].size))
                .map_or(0.0, |&r| runs[r].y),
            size,
            top,
            group,
            bold,
            widest_gap,
            x0,
            x1,
        })
    }
}

/// Glyphs in drawing order → runs along one baseline. Spaces belong to the run they are drawn
/// in but do not widen it, so a trailing space never bridges a column gutter.
fn runs(placed: &[Placed]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut start = 0;
    let mut current: Option<Run> = None;
    let mut pen = f64::NAN;
    for (i, g) in placed.iter().enumerate() {
        if let Some(run) = current.as_mut() {
            let size = run.size.max(g.size);
            let continues = (g.y - run.y).abs() <= 0.1 * size
                && g.x0 >= pen - 0.3 * size
                && g.x0 <= pen + RUN_GAP * size;
            if continues {
                pen = g.x1;
                if !g.space {
                    if run.x1 < run.x0 {
                        run.x0 = g.x0;
                    }
                    run.x0 = run.x0.min(g.x0);
                    run.x1 = run.x1.max(g.x1);
                    run.size = size;
                }
                continue;
            }
            let mut done = current.take().expect("run");
            done.glyphs = start..i;
            if done.x1 >= done.x0 {
                runs.push(done);
            }
        }
        start = i;
        pen = g.x1;
        current = Some(if g.space {
            // An empty extent until a visible glyph arrives.
            Run {
                glyphs: i..i,
                x0: f64::INFINITY,
                x1: f64::NEG_INFINITY,
                y: g.y,
                size: g.size,
            }
        } else {
            Run {
                glyphs: i..i,
                x0: g.x0,
                x1: g.x1,
                y: g.y,
                size: g.size,
            }
        });
    }
    if let Some(mut done) = current {
        done.glyphs = start..placed.len();
        if done.x1 >= done.x0 {
            runs.push(done);
        }
    }
    runs
}

/// Recursive XY-cut. A region is cut where whitespace runs right through it: at the widest
/// vertical gutter with a real column on each side (text on both sides, each at least
/// `MIN_COLUMN` body sizes wide, so bullets and paragraph numbers are no column), left part
/// first, or else at its widest horizontal gaps, top part first — whichever gap is wider, so a
/// page's header is cut off before its columns are found, and the line gaps that two columns
/// share never cut across a gutter. A region with no gutter whose top or bottom part has one
/// (a box that text flows around) is cut there first ([`floating_box`]). A region with
/// neither gutter nor gap is a leaf.
fn xy_cut(runs: &[Run], mut ids: Vec<usize>, body: f64, leaves: &mut Vec<Vec<usize>>, depth: u32) {
    if ids.len() <= 1 || depth > 400 {
        leaves.push(ids);
        return;
    }
    let gutter = gutter(runs, &mut ids, body);
    let (by_top, gaps) = horizontal_gaps(runs, &ids);
    let widest = gaps.iter().map(|g| g.1).fold(0.0, f64::max);
    let floating = match gutter {
        None => floating_box(runs, &by_top, &gaps, body),
        Some(_) => None,
    };
    match (gutter, floating) {
        (Some((lo, hi)), _) if !rows_first(runs, &by_top, &gaps, (lo, hi), body) => {
            let (l, r): (Vec<usize>, Vec<usize>) =
                ids.into_iter().partition(|&id| runs[id].x0 < hi);
            xy_cut(runs, l, body, leaves, depth + 1);
            xy_cut(runs, r, body, leaves, depth + 1);
        }
        (None, Some(at)) => {
            xy_cut(runs, by_top[..at].to_vec(), body, leaves, depth + 1);
            xy_cut(runs, by_top[at..].to_vec(), body, leaves, depth + 1);
        }
        _ if !gaps.is_empty() => {
            // Every gap nearly as wide as the widest: equal line gaps go in one step.
            let mut start = 0;
            for &(at, width) in &gaps {
                if width >= 0.9 * widest {
                    xy_cut(runs, by_top[start..at].to_vec(), body, leaves, depth + 1);
                    start = at;
                }
            }
            xy_cut(runs, by_top[start..].to_vec(), body, leaves, depth + 1);
        }
        _ => leaves.push(ids),
    }
}

/// The region's widest vertical gutter `(lo, hi)` between real columns (see [`xy_cut`]), if
/// any. Sorts `ids` by left edge.
fn gutter(runs: &[Run], ids: &mut [usize], body: f64) -> Option<(f64, f64)> {
    ids.sort_by(|&a, &b| runs[a].x0.total_cmp(&runs[b].x0));
    let left = runs[*ids.first()?].x0;
    let right = ids
        .iter()
        .map(|&r| runs[r].x1)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut candidates: Vec<(f64, f64)> = Vec::new();
    let mut edge = f64::NEG_INFINITY;
    for &id in ids.iter() {
        let run = &runs[id];
        if edge > f64::NEG_INFINITY
            && run.x0 - edge >= GUTTER * body
            && edge - left >= MIN_COLUMN * body
        {
            candidates.push((edge, run.x0));
        }
        edge = edge.max(run.x1);
    }
    // A narrow column on the right is real only when it is one line far off (a page number
    // in the margin): the page numbers of a table of contents stay with their titles.
    candidates
        .into_iter()
        .filter(|&(lo, hi)| {
            if right - hi >= MIN_COLUMN * body {
                return true;
            }
            let (top, bottom) = ids
                .iter()
                .filter(|&&id| runs[id].x0 >= hi)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(t, b), &id| {
                    (t.min(runs[id].top()), b.max(runs[id].bottom()))
                });
            hi - lo >= MIN_COLUMN * body && bottom - top <= 2.0 * body
        })
        .filter(|&(lo, hi)| hi - lo >= 1.5 * body || !splits_one_line(runs, ids, hi, body))
        .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
}

/// The region's runs from the top down, and its horizontal gaps (gaps in the y-projection):
/// for each, the index in that order of the first run below it, and its height.
fn horizontal_gaps(runs: &[Run], ids: &[usize]) -> (Vec<usize>, Vec<(usize, f64)>) {
    let mut by_top = ids.to_vec();
    by_top.sort_by(|&a, &b| runs[a].top().total_cmp(&runs[b].top()));
    let mut gaps: Vec<(usize, f64)> = Vec::new();
    let mut bottom = f64::NEG_INFINITY;
    for (i, &id) in by_top.iter().enumerate() {
        let run = &runs[id];
        if i > 0 && run.top() > bottom {
            gaps.push((i, run.top() - bottom));
        }
        bottom = bottom.max(run.bottom());
    }
    (by_top, gaps)
}

/// Where to cut across a region that has no gutter, so that a column and a box beside it
/// (Wikipedia's infobox, a sidebar) read one after the other: a line under the box that runs
/// across the page (text flowing round it) leaves the region no gutter, and cutting it into
/// bands at its line gaps read column and box band by band, interleaved. So the longest top
/// (or bottom) part of at least `MIN_BANDS` bands that has a gutter it would read column by
/// column (not a table's rows, see [`rows_first`]) is cut off whole. Returns the index in
/// `by_top` to cut at.
fn floating_box(runs: &[Run], by_top: &[usize], gaps: &[(usize, f64)], body: f64) -> Option<usize> {
    /// Parts tried from each end, so a page of many lines stays cheap.
    const TRIES: usize = 48;
    if gaps.len() < MIN_BANDS {
        return None;
    }
    let reads_columns = |part: &[usize]| {
        let mut part = part.to_vec();
        gutter(runs, &mut part, body).is_some_and(|g| {
            let (top, gaps) = horizontal_gaps(runs, &part);
            out_of_step(runs, &part, g.1, body) && !rows_first(runs, &top, &gaps, g, body)
        })
    };
    // A top part ending at gap k holds k + 1 bands; a bottom part starting there, the rest.
    let top = gaps[MIN_BANDS - 1..]
        .iter()
        .rev()
        .take(TRIES)
        .map(|g| g.0)
        .find(|&at| reads_columns(&by_top[..at]));
    let bottom = gaps[..gaps.len() + 1 - MIN_BANDS]
        .iter()
        .take(TRIES)
        .map(|g| g.0)
        .find(|&at| reads_columns(&by_top[at..]));
    match (top, bottom) {
        (Some(t), Some(b)) => Some(if t >= by_top.len() - b { t } else { b }),
        (t, b) => t.or(b),
    }
}

/// True when the lines on the two sides of a gutter at `hi` are out of step: each side has
/// `MIN_BOX_LINES` lines or more (a page number in the margin is no box), and fewer than half
/// the baselines of the side with fewer lines are level with one on the other side. The cells
/// of a table's rows share baselines; a column and a box beside it, set with their own line
/// spacing, meet only by chance.
fn out_of_step(runs: &[Run], ids: &[usize], hi: f64, body: f64) -> bool {
    let baselines = |right: bool| {
        let mut ys: Vec<f64> = ids
            .iter()
            .filter(|&&id| (runs[id].x0 >= hi) == right)
            .map(|&id| runs[id].y)
            .collect();
        ys.sort_by(f64::total_cmp);
        ys.dedup_by(|a, b| (*a - *b).abs() < 0.15 * body);
        ys
    };
    let (left, right) = (baselines(false), baselines(true));
    let (fewer, other) = if left.len() <= right.len() {
        (left, right)
    } else {
        (right, left)
    };
    let level = fewer
        .iter()
        .filter(|&&y| other.iter().any(|&o| (o - y).abs() < 0.15 * body))
        .count();
    fewer.len() >= MIN_BOX_LINES && 2 * level < fewer.len()
}

/// True when a gutter at `hi` only splits one line: one side is a single wide line whose
/// baseline the other, taller side also has text on. That is a wide gap inside a line (a font
/// whose widths pdf-extract under-reports drifts its glyphs apart), not a column.
fn splits_one_line(runs: &[Run], ids: &[usize], hi: f64, body: f64) -> bool {
    let extent = |right: bool| {
        ids.iter()
            .filter(move |&&id| (runs[id].x0 >= hi) == right)
            .fold(
                (
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    0.0_f64,
                ),
                |(t, b, l, r, s), &id| {
                    let run = &runs[id];
                    (
                        t.min(run.top()),
                        b.max(run.bottom()),
                        l.min(run.x0),
                        r.max(run.x1),
                        s.max(run.size),
                    )
                },
            )
    };
    [false, true].into_iter().any(|right| {
        let (top, bottom, left, far, size) = extent(right);
        let (other_top, other_bottom, ..) = extent(!right);
        let one_line = bottom - top <= 1.3 * size;
        let wide = far - left >= MIN_COLUMN * body;
        let taller = other_bottom - other_top > 1.5 * (bottom - top);
        let shares_baseline = ids
            .iter()
            .filter(|&&id| (runs[id].x0 >= hi) != right)
            .any(|&id| runs[id].y > top && runs[id].y < bottom);
        one_line && wide && taller && shares_baseline
    })
}

/// True when the region is cut at its widest horizontal gaps before its gutter `lo..hi`, so a
/// table reads row by row, cell by cell, as pdftotext reads it:
/// - when the gap is nearly as wide as the gutter (rows of a table), unless the two sides are
///   a sidebar beside a column: set in different sizes and out of step (the lines above the
///   gap or those below it not level with each other);
/// - when the gap ends a short row (a few lines: a table's heading row, a row of short cells)
///   with text in one size on both sides of the gutter above and below it, both sides
///   starting again at the same height, and the gap clearly wider than the usual gap between lines and than
///   0.6 body sizes (baselines 1.5 sizes apart: where pdftotext, too, starts a new block).
fn rows_first(
    runs: &[Run],
    by_top: &[usize],
    gaps: &[(usize, f64)],
    (lo, hi): (f64, f64),
    body: f64,
) -> bool {
    let widest = gaps.iter().map(|g| g.1).fold(0.0, f64::max);
    // The first gap the horizontal cut would make.
    let Some(&(at, _)) = gaps.iter().find(|g| g.1 >= 0.9 * widest) else {
        return false;
    };
    let (above, below) = by_top.split_at(at);
    let side = |part: &[usize], right: bool| -> Vec<usize> {
        part.iter()
            .copied()
            .filter(|&id| (runs[id].x0 >= hi) == right)
            .collect()
    };
    let first_top = |right: bool| {
        side(below, right)
            .into_iter()
            .map(|id| runs[id].top())
            .fold(f64::INFINITY, f64::min)
    };
    let last_bottom = |right: bool| {
        side(above, right)
            .into_iter()
            .map(|id| runs[id].bottom())
            .fold(f64::NEG_INFINITY, f64::max)
    };
    // Cells of one row start on one baseline; running text beside a sidebar only by chance.
    let level_below = (first_top(false) - first_top(true)).abs() <= 0.1 * body;
    let level_above = (last_bottom(false) - last_bottom(true)).abs() <= 0.1 * body;
    let size = |right: bool| {
        median(
            side(by_top, right)
                .into_iter()
                .map(|id| runs[id].size)
                .collect(),
        )
    };
    let sizes_differ = (size(false) - size(true)).abs() > 0.05 * body;
    let both_above = !side(above, false).is_empty() && !side(above, true).is_empty();
    if hi - lo < VERTICAL_FIRST * widest {
        let sidebar = sizes_differ && !(level_below && level_above);
        return !sidebar;
    }
    let mut widths: Vec<f64> = gaps.iter().map(|g| g.1).collect();
    widths.sort_by(f64::total_cmp);
    let usual = widths[(widths.len() - 1) / 2];
    let height = last_bottom(false).max(last_bottom(true)) - runs[above[0]].top();
    both_above
        && level_below
        && !sizes_differ
        && gaps.len() >= 2
        && widest >= 1.3 * usual
        && widest >= 0.6 * body
        && height <= 6.0 * body
}

/// The runs of one leaf → lines, top to bottom. A run joins one of the last lines when their
/// heights overlap by half the smaller one (a superscript overlaps its line, the next line does
/// not) and it overlaps none of that line's runs along the baseline (two lines set close
/// together, or a large page number beside a two-line footer, never merge into one).
fn lines_of(runs: &[Run], mut leaf: Vec<usize>) -> Vec<Vec<usize>> {
    struct Acc {
        members: Vec<usize>,
        /// The line's main run (the one with the most glyphs).
        main: usize,
    }
    leaf.sort_by(|&a, &b| runs[a].y.total_cmp(&runs[b].y).then(a.cmp(&b)));
    let mut lines: Vec<Acc> = Vec::new();
    for id in leaf {
        let run = &runs[id];
        let fits = |line: &Acc| {
            let main = &runs[line.main];
            let overlap = main.bottom().min(run.bottom()) - main.top().max(run.top());
            let smaller = (main.bottom() - main.top()).min(run.bottom() - run.top());
            // Off the baseline and smaller: a superscript or subscript joins the line of the
            // larger text; a line of text never joins a larger mark with fewer glyphs (a big
            // page number beside a two-line footer).
            let (small, large) = if run.size < main.size {
                (run, main)
            } else {
                (main, run)
            };
            let offset = (run.y - main.y).abs() > 0.2 * large.size;
            let raised_text =
                offset && small.size < 0.85 * large.size && small.glyphs.len() > large.glyphs.len();
            overlap >= 0.5 * smaller
                && !raised_text
                && line.members.iter().all(|&m| {
                    let other = &runs[m];
                    let shared = other.x1.min(run.x1) - other.x0.max(run.x0);
                    let narrower = (other.x1 - other.x0).min(run.x1 - run.x0);
                    // Overprinted text (fake bold) shares the baseline: that is one line.
                    shared <= 0.3 * narrower.max(0.0)
                        || (other.y - run.y).abs() < 0.1 * other.size.max(run.size)
                })
        };
        let found = lines.len().saturating_sub(2)..lines.len();
        match found.rev().find(|&i| fits(&lines[i])) {
            Some(i) => {
                let line = &mut lines[i];
                line.members.push(id);
                if run.glyphs.len() > runs[line.main].glyphs.len() {
                    line.main = id;
                }
            }
            None => lines.push(Acc {
                members: vec![id],
                main: id,
            }),
        }
    }
    lines.into_iter().map(|line| line.members).collect()
}

/// Gap above which a line's glyphs are separate words: a fraction of the font size above the
/// line's usual gap between letters (its lower quartile), so a line set with wide letter
/// spacing keeps its words whole while a word space stands out from tight letters.
fn word_gap(glyphs: &[Placed], size: f64) -> f64 {
    let mut gaps = Vec::with_capacity(glyphs.len());
    let mut previous: Option<&Placed> = None;
    for g in glyphs {
        if g.space {
            previous = None;
            continue;
        }
        if let Some(p) = previous {
            gaps.push(g.x0 - p.x1);
        }
        previous = Some(g);
    }
    if gaps.len() < 4 {
        return WORD_GAP * size;
    }
    let quarter = gaps.len() / 4;
    let (_, letters, _) = gaps.select_nth_unstable_by(quarter, f64::total_cmp);
    letters.clamp(0.0, 0.5 * size) + WORD_GAP * size
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    let (_, m, _) =
        values.select_nth_unstable_by(mid, |a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    *m
}

/// A line in visual order (left to right, as laid out) → logical order. Only lines with
/// right-to-left letters pay for the bidi algorithm.
fn logical_order(visual: &str) -> String {
    use unicode_bidi::{BidiClass, ParagraphBidiInfo, bidi_class};
    let rtl = visual
        .chars()
        .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL));
    if !rtl {
        return visual.to_string();
    }
    let info = ParagraphBidiInfo::new(visual, None);
    info.reorder_line(0..visual.len()).into_owned()
}

fn starts_with_bullet(text: &str) -> bool {
    text.starts_with(['•', '●', '▪', '◦', '‣', '■', '□', '\u{f0b7}', '·', 'o'])
        && text.chars().nth(1).is_some_and(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page from (text, x, y, size, angle in degrees) words, each glyph 0.5 em wide.
    fn page(words: &[(&str, f64, f64, f64, f64)]) -> PageLayout {
        let mut layout = PageLayout {
            top: 800.0,
            height: 800.0,
            ..PageLayout::default()
        };
        for &(word, x, y, size, angle) in words {
            let (sin, cos) = angle.to_radians().sin_cos();
            for (i, c) in word.chars().enumerate() {
                let along = i as f64 * 0.5 * size;
                layout.glyphs.push(Glyph {
                    x: x + along * cos,
                    y: y + along * sin,
                    dir: (cos, sin),
                    advance: 0.5 * size,
                    size,
                    text: c.to_string(),
                    space: c == ' ',
                    // Words written in capitals are set bold here.
                    bold: word.chars().all(|c| !c.is_lowercase()),
                });
            }
        }
        layout
    }

    #[test]
    fn bold_lines_that_stand_alone() {
        let layout = page(&[
            ("FINDINGS", 50.0, 700.0, 10.0, 0.0),
            ("Body text under it", 50.0, 680.0, 10.0, 0.0),
            ("OFSTED", 50.0, 600.0, 10.0, 0.0),
            ("CQC", 300.0, 600.0, 10.0, 0.0),
        ]);
        let blocks = layout.blocks();
        let find = |t: &str| blocks.iter().find(|b| b.text == t).expect(t);
        assert!(find("FINDINGS").bold && find("FINDINGS").alone);
        assert!(!find("Body text under it").bold);
        // Two bold cells on one baseline (a table's header row) do not stand alone.
        let ofsted = blocks
            .iter()
            .find(|b| b.text.starts_with("OFSTED"))
            .unwrap();
        assert!(ofsted.bold && !ofsted.alone, "{}", ofsted.text);
    }

    fn text(layout: &PageLayout) -> Vec<String> {
        layout.blocks().into_iter().map(|b| b.text).collect()
    }

    #[test]
    fn interleaved_columns_read_column_by_column() {
        let mut words = vec![];
        for line in 0..4 {
            let y = 700.0 - 14.0 * line as f64;
            words.push(("left column text", 72.0, y, 12.0, 0.0));
            words.push(("right column text", 300.0, y, 12.0, 0.0));
        }
        let blocks = text(&page(&words));
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        assert!(
            blocks[0].split('\n').all(|l| l == "left column text"),
            "{blocks:?}"
        );
        assert!(
            blocks[1].split('\n').all(|l| l == "right column text"),
            "{blocks:?}"
        );
    }

    #[test]
    fn a_tables_heading_row_is_read_before_its_cells() {
        // Heading row, then a row whose cells have 3 and 6 lines, as in the priority-action
        // tables of Ofsted reports: pdftotext reads heading, heading, cell, cell.
        let mut words = vec![
            ("Responsible body", 72.0, 700.0, 12.0, 0.0),
            ("Areas for priority action", 250.0, 700.0, 12.0, 0.0),
        ];
        for line in 0..6 {
            let y = 679.0 - 14.5 * f64::from(line);
            if line < 3 {
                words.push(("Oldham council", 72.0, y, 12.0, 0.0));
            }
            words.push(("Leaders should act", 250.0, y, 12.0, 0.0));
        }
        let all = text(&page(&words)).join("\n");
        let at = |s: &str| all.find(s).unwrap_or_else(|| panic!("{s} in {all:?}"));
        assert!(at("Responsible") < at("Areas"), "{all:?}");
        assert!(at("Areas") < at("Oldham"), "{all:?}");
        assert!(all.rfind("Oldham").unwrap() < at("Leaders"), "{all:?}");
    }

    #[test]
    fn a_sidebar_beside_a_column_is_read_after_it() {
        // A column of 12 pt text with a paragraph gap, and a 10 pt sidebar beside it whose
        // lines fall out of step with the column's: the column reads whole, then the sidebar.
        let mut words = vec![];
        for line in 0..8 {
            let gap = if line >= 4 { 14.0 } else { 0.0 };
            let y = 700.0 - 14.0 * f64::from(line) - gap;
            words.push(("main column text here", 72.0, y, 12.0, 0.0));
        }
        for line in 0..5 {
            let y = 697.0 - 16.0 * f64::from(line);
            words.push(("sidebar text box", 250.0, y, 10.0, 0.0));
        }
        let all = text(&page(&words)).join("\n");
        assert!(
            all.rfind("main column").unwrap() < all.find("sidebar").unwrap(),
            "{all:?}"
        );
    }

    #[test]
    fn a_box_beside_a_column_is_read_after_the_column_beside_it() {
        // Wikipedia's infobox: a 12 pt column and a box beside it with its own line spacing,
        // then a line under the box that runs across the page, so the page has no gutter.
        let lines = |text: &'static str, x: f64, top: f64, step: f64, n: u32| {
            (0..n).map(move |i| (text, x, top - step * f64::from(i), 12.0, 0.0))
        };
        let mut words: Vec<_> = lines("column text here", 50.0, 700.0, 14.0, 10)
            .chain(lines("infobox entry", 300.0, 697.0, 17.0, 6))
            .collect();
        words.push((
            "spanning line across the page under the box",
            50.0,
            560.0,
            12.0,
            0.0,
        ));
        words.push(("column text after", 50.0, 546.0, 12.0, 0.0));
        let all = text(&page(&words)).join("\n");
        // Last column line before the box, the box before the line under it, which reads on.
        let order = [
            all.rfind("column text here"),
            all.find("infobox"),
            all.rfind("infobox"),
            all.find("spanning"),
            all.find("column text after"),
        ];
        assert!(
            order.iter().all(Option::is_some) && order.windows(2).all(|w| w[0] < w[1]),
            "{all:?}"
        );
    }

    #[test]
    fn rotated_words_read_along_their_baseline() {
        for angle in [90.0, -90.0, 45.0, 180.0] {
            let blocks = text(&page(&[("Services to enable", 300.0, 300.0, 12.0, angle)]));
            assert_eq!(blocks, ["Services to enable"], "angle {angle}");
        }
    }

    #[test]
    fn hebrew_drawn_left_to_right_reads_right_to_left() {
        // Visual order of שלום (shin lamed vav final-mem) is final-mem first.
        let blocks = text(&page(&[("םולש", 72.0, 700.0, 12.0, 0.0)]));
        assert_eq!(blocks, ["שלום"]);
    }
}
