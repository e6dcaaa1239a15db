//! legislation.gov.uk Crown Legislation Markup Language (CLML, the `/data.xml` of an Act) →
//! blocks that keep the Act's structure.
//!
//! What becomes what:
//! - Every `Text`, `Title`, `Number`, list item, table row and similar element is one block;
//!   headings (Part, Chapter and Schedule numbers and titles, cross-headings, section titles)
//!   are blocks of their own. Inline markup (`Emphasis`, `Term`, `Addition`, citations...) stays
//!   inside its block.
//! - `Block::part` is the enclosing Part, `"Part 3"`, from `Part/Number`; a Part inside a
//!   Schedule is `"Sch. 2 Part 1"` so it cannot be mistaken for a Part of the Act's body.
//! - `Block::section` is `"s.19"` from the number (`Pnumber`) of a `P1` in the body. In a
//!   Schedule the `P1` numbers are paragraph numbers: the section is `"Sch. 2 para 3"`, and the
//!   Schedule's own headings carry `"Sch. 2"`. A section title (`P1group/Title`) and the
//!   cross-heading above it are given the number of the section they head. The section number
//!   itself is metadata, not text; subsection and paragraph numbers ("(1)", "(a)") open the
//!   text of their block, as printed.
//! - Left out: the metadata (`ukm:Metadata`, `dc:*`), editorial annotations (`Commentaries`,
//!   `CommentaryRef`) unless `include_commentaries`, and quoted amendment text inserted into
//!   other Acts (`BlockAmendment`) unless `include_amendments`. Included commentaries come at the
//!   end (where CLML keeps them), each carrying the Part/section that first refers to it.
//!   Included amendment text keeps the section of the amending provision, and its own numbers
//!   are kept as text (they are the other Act's numbers).
//! - Legislation has no pages: `page` is always `None`.
//!
//! Hostile input: the parser streams events and the structure lives in an explicit stack, so
//! deep nesting costs heap, not call stack. Entities are never expanded: a `DOCTYPE` is
//! skipped, the five predefined entities and character references are decoded, and any other
//! entity reference (billion laughs, external `SYSTEM` entities) is refused with an error.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::document::{Block, Document, Format};
use crate::extract::{ExtractError, ExtractOptions};

pub fn extract(name: &str, bytes: &[u8], opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let text = decode_xml(bytes)?;
    let mut reader = Reader::from_str(&text);
    let mut state = State::new(opts);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| xml_error(&text, reader.error_position(), &e))?;
        match event {
            Event::Start(start) => state.start(&start),
            Event::Empty(start) => state.empty(&start),
            Event::End(_) => state.end(),
            Event::Text(t) => state.text(&t.xml10_content()),
            Event::CData(t) => state.text(&t.xml10_content()),
            Event::GeneralRef(r) if state.skip_depth == 0 => {
                let c = resolve_reference(&r)
                    .map_err(|why| position_error(&text, reader.buffer_position(), &why))?;
                state.text(c.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions; a DOCTYPE (and any ENTITY in it)
            // is ignored: entities declared there are refused where they are used.
            _ => {}
        }
    }
    if let Some(open) = state.stack.last() {
        return Err(ExtractError::BadXml(format!(
            "the file ends inside <{}>: it is incomplete (a truncated download?)",
            open.name
        )));
    }
    if !state.seen_element {
        return Err(ExtractError::BadXml("no XML elements found".to_string()));
    }
    state.flush();
    let mut doc = Document::new(name, Format::Clml);
    doc.blocks = state.blocks;
    Ok(doc)
}

/// What an element means to the extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Body,
    Schedules,
    Schedule,
    Part,
    Chapter,
    /// A group headed by a title that belongs to the section that follows it.
    HeadedGroup,
    P1,
    /// P2 to P7: subsections, paragraphs, sub-paragraphs.
    SubP,
    Number,
    Pnumber,
    AppendText,
    Commentary,
    Row,
    Cell,
    /// Markup inside running text: no block boundary.
    Inline,
    /// Anything else is a block boundary.
    Boundary,
}

fn kind_of(local: &str) -> Kind {
    match local {
        "Body" => Kind::Body,
        "Schedules" => Kind::Schedules,
        "Schedule" => Kind::Schedule,
        "Part" => Kind::Part,
        "Chapter" => Kind::Chapter,
        "P1group" | "Pblock" | "PsubBlock" => Kind::HeadedGroup,
        "P1" => Kind::P1,
        "P2" | "P3" | "P4" | "P5" | "P6" | "P7" => Kind::SubP,
        "Number" => Kind::Number,
        "Pnumber" => Kind::Pnumber,
        "AppendText" => Kind::AppendText,
        "Commentary" => Kind::Commentary,
        "tr" => Kind::Row,
        "td" | "th" => Kind::Cell,
        "Emphasis" | "Strong" | "Italic" | "Underline" | "SmallCaps" | "Superior" | "Inferior"
        | "Uppercase" | "Expanded" | "Strike" | "Term" | "Citation" | "CitationSubRef"
        | "CitationListRef" | "Addition" | "Substitution" | "Repeal" | "InlineAmendment"
        | "Acronym" | "Abbreviation" | "Span" | "Character" | "FootnoteRef" | "MarginNoteRef"
        | "InternalLink" | "ExternalLink" | "a" | "span" | "em" | "strong" | "b" | "i" | "u"
        | "sup" | "sub" | "abbr" => Kind::Inline,
        _ => Kind::Boundary,
    }
}

struct Frame {
    name: String,
    kind: Kind,
    /// The Part and section in force when a Part, Schedule or Commentary opened, restored when
    /// it closes.
    saved: Option<(Option<String>, Option<String>)>,
}

/// A `Pnumber` being read.
struct PnumberCapture {
    text: String,
    /// Whether this is the number of a section (or schedule paragraph) of the Act itself.
    is_section: bool,
    punc_before: String,
    punc_after: String,
}

struct State {
    include_commentaries: bool,
    include_amendments: bool,
    stack: Vec<Frame>,
    /// Depth inside an element that is left out (metadata, commentaries, amendments).
    skip_depth: usize,
    amendment_depth: usize,
    commentary_depth: usize,
    row_depth: usize,
    seen_element: bool,
    current: String,
    /// White space seen since the last character of `current`, written only before more text.
    pending_space: bool,
    /// Subsection numbers ("(1)", "(a) ") waiting for the text they open.
    pending_prefix: String,
    pnumber: Option<PnumberCapture>,
    part: Option<String>,
    section: Option<String>,
    schedule: Option<String>,
    /// First block of headings still waiting for the number of the section they head.
    backfill_from: Option<usize>,
    /// Commentary id → index of the first block at or after the first reference to it.
    commentary_refs: HashMap<String, usize>,
    /// The heading level of the title being closed, for the block it becomes.
    title_level: Option<u8>,
    blocks: Vec<Block>,
}

impl State {
    fn new(opts: &ExtractOptions) -> State {
        State {
            include_commentaries: opts.include_commentaries,
            include_amendments: opts.include_amendments,
            stack: Vec::new(),
            skip_depth: 0,
            amendment_depth: 0,
            commentary_depth: 0,
            row_depth: 0,
            seen_element: false,
            current: String::new(),
            pending_space: false,
            pending_prefix: String::new(),
            pnumber: None,
            part: None,
            section: None,
            schedule: None,
            backfill_from: None,
            commentary_refs: HashMap::new(),
            title_level: None,
            blocks: Vec::new(),
        }
    }

    /// Structure of the Act itself is tracked only outside quoted amendments and commentaries.
    fn tracking_structure(&self) -> bool {
        self.amendment_depth == 0 && self.commentary_depth == 0
    }

    fn is_left_out(&self, local: &str) -> bool {
        match local {
            "Metadata" | "CommentaryRef" => true,
            "Commentaries" => !self.include_commentaries,
            "BlockAmendment" => !self.include_amendments,
            _ => false,
        }
    }

    #[allow(
        clippy::too_many_lines,
        reason = "one match over the element kinds of CLML; split, the parser state would be passed around piecemeal"
    )]
    fn start(&mut self, start: &BytesStart) {
        self.seen_element = true;
        let local = start.local_name();
        let local = local.as_ref();
        if self.skip_depth > 0 || self.is_left_out(local) {
            if self.skip_depth == 0 && local == "CommentaryRef" {
                self.note_commentary_ref(start, "Ref");
            }
            self.skip_depth += 1;
            // Pushed so the end tag pops it; nothing else looks at skipped frames.
            self.stack.push(Frame {
                name: String::new(),
                kind: Kind::Inline,
                saved: None,
            });
            return;
        }
        let kind = kind_of(local);
        let mut saved = None;
        if local == "BlockAmendment" {
            self.amendment_depth += 1;
        }
        if local == "Commentaries" {
            self.commentary_depth += 1;
        }
        if matches!(local, "Addition" | "Substitution" | "Repeal") {
            self.note_commentary_ref(start, "CommentaryRef");
        }
        match kind {
            Kind::Inline => {}
            Kind::Cell => self.pending_space = true,
            Kind::Pnumber => {
                self.flush();
                let parent = self.stack.last().map(|f| f.kind);
                let is_section = parent == Some(Kind::P1) && self.tracking_structure();
                // The printed form: "(1)", "(a)"; a P1 number quoted in an amendment is bare.
                let (before, after) = if parent == Some(Kind::P1) {
                    ("", "")
                } else {
                    ("(", ")")
                };
                self.pnumber = Some(PnumberCapture {
                    text: String::new(),
                    is_section,
                    punc_before: attribute(start, "PuncBefore").unwrap_or_else(|| before.into()),
                    punc_after: attribute(start, "PuncAfter").unwrap_or_else(|| after.into()),
                });
            }
            Kind::Commentary => {
                self.flush();
                saved = Some((self.part.take(), self.section.take()));
                let place = attribute(start, "id")
                    .and_then(|id| self.commentary_refs.get(&id).copied())
                    .and_then(|i| self.blocks.get(i).or(self.blocks.last()));
                if let Some(block) = place {
                    self.part = block.part.clone();
                    self.section = block.section.clone();
                }
            }
            _ => self.boundary(),
        }
        if self.tracking_structure() {
            match kind {
                Kind::Body | Kind::Schedules => {
                    self.part = None;
                    self.section = None;
                    self.schedule = None;
                    self.backfill_from = None;
                }
                Kind::Schedule => {
                    saved = Some((self.part.take(), self.section.take()));
                    self.schedule = None;
                    self.backfill_from = None;
                }
                Kind::Part | Kind::Chapter => {
                    if kind == Kind::Part {
                        saved = Some((self.part.clone(), self.section.clone()));
                    }
                    self.section = self.schedule.clone();
                    self.backfill_from = None;
                }
                Kind::HeadedGroup if self.backfill_from.is_none() => {
                    self.backfill_from = Some(self.blocks.len());
                }
                _ => {}
            }
        }
        if kind == Kind::Row {
            self.row_depth += 1;
        }
        self.stack.push(Frame {
            name: start.name().as_ref().to_string(),
            kind,
            saved,
        });
    }

    fn empty(&mut self, start: &BytesStart) {
        self.seen_element = true;
        if self.skip_depth > 0 {
            return;
        }
        let local = start.local_name();
        match local.as_ref() {
            "CommentaryRef" => self.note_commentary_ref(start, "Ref"),
            local if self.is_left_out(local) => {}
            local => match kind_of(local) {
                Kind::Inline | Kind::Pnumber | Kind::Number => {}
                Kind::Cell => self.pending_space = true,
                _ => self.boundary(),
            },
        }
    }

    fn end(&mut self) {
        let Some(frame) = self.stack.pop() else {
            return; // unmatched end tags are reported by the parser
        };
        if self.skip_depth > 0 {
            self.skip_depth -= 1;
            return;
        }
        match frame.name.rsplit(':').next() {
            Some("BlockAmendment") => self.amendment_depth = self.amendment_depth.saturating_sub(1),
            Some("Commentaries") => self.commentary_depth = self.commentary_depth.saturating_sub(1),
            _ => {}
        }
        if frame.name.rsplit(':').next() == Some("Title") && self.tracking_structure() {
            self.title_level = self.stack.last().and_then(heading_level);
        }
        match frame.kind {
            Kind::Inline | Kind::Cell => {}
            Kind::Pnumber => self.end_pnumber(),
            Kind::Number => {
                if self.tracking_structure() {
                    self.note_number();
                }
                self.flush();
            }
            Kind::AppendText => {
                // Closing punctuation after quoted text (";"), part of the preceding block.
                let tail = std::mem::take(&mut self.current);
                self.pending_space = false;
                match self.blocks.last_mut() {
                    Some(last) if self.pending_prefix.is_empty() => last.text.push_str(&tail),
                    _ => {
                        self.current = tail;
                        self.flush();
                    }
                }
            }
            Kind::Row => {
                self.row_depth = self.row_depth.saturating_sub(1);
                self.boundary();
            }
            _ => self.boundary(),
        }
        self.title_level = None;
        if frame.kind == Kind::Schedule && self.tracking_structure() {
            self.schedule = None;
            self.backfill_from = None;
        }
        if let Some((part, section)) = frame.saved {
            self.part = part;
            if frame.kind != Kind::Part {
                self.section = section;
            }
        }
    }

    fn text(&mut self, text: &str) {
        if self.skip_depth > 0 {
            return;
        }
        if let Some(capture) = &mut self.pnumber {
            capture.text.push_str(text);
            return;
        }
        for c in text.chars() {
            if c.is_whitespace() {
                self.pending_space = true;
            } else {
                if self.pending_space && !self.current.is_empty() {
                    self.current.push(' ');
                }
                self.pending_space = false;
                self.current.push(c);
            }
        }
    }

    /// A block boundary; inside a table row the cells of the row stay one block.
    fn boundary(&mut self) {
        if self.row_depth > 0 {
            self.pending_space = true;
        } else {
            self.flush();
        }
    }

    fn flush(&mut self) {
        self.pending_space = false;
        if self.current.is_empty() {
            return;
        }
        let mut text = std::mem::take(&mut self.pending_prefix);
        text.push_str(&self.current);
        self.current.clear();
        self.blocks.push(Block {
            page: None,
            part: self.part.clone(),
            section: self.section.clone(),
            heading_level: self.title_level.take(),
            text,
            ..Block::default()
        });
    }

    fn end_pnumber(&mut self) {
        let Some(capture) = self.pnumber.take() else {
            return;
        };
        let number = capture
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if number.is_empty() {
            return;
        }
        if capture.is_section {
            // Sections printed together carry the others in the punctuation: "7" + ", 8.".
            let mut number = number;
            if capture.punc_after.chars().any(|c| c.is_ascii_digit()) {
                number.push_str(capture.punc_after.trim_end_matches(['.', ']', ')', ' ']));
            }
            self.section = Some(match &self.schedule {
                Some(schedule) => format!("{schedule} para {number}"),
                None => format!("s.{number}"),
            });
            if let Some(from) = self.backfill_from.take() {
                for block in self.blocks.iter_mut().skip(from) {
                    block.section = self.section.clone();
                }
            }
        } else {
            self.pending_prefix.push_str(&capture.punc_before);
            self.pending_prefix.push_str(&number);
            self.pending_prefix.push_str(&capture.punc_after);
            self.pending_prefix.push(' ');
        }
    }

    /// `Part/Number` names the Part; `Schedule/Number` the Schedule.
    fn note_number(&mut self) {
        let number = self.current.trim().to_string();
        match self.stack.last().map(|f| f.kind) {
            Some(Kind::Part) => {
                let label = part_label(&number);
                self.part = Some(match &self.schedule {
                    Some(schedule) => format!("{schedule} {label}"),
                    None => label,
                });
            }
            Some(Kind::Schedule) => {
                let label = schedule_label(&number);
                self.schedule = Some(label.clone());
                self.section = Some(label);
            }
            _ => {}
        }
    }

    fn note_commentary_ref(&mut self, start: &BytesStart, attr: &str) {
        if self.commentary_depth > 0 {
            return;
        }
        if let Some(id) = attribute(start, attr) {
            let next_block = self.blocks.len();
            self.commentary_refs.entry(id).or_insert(next_block);
        }
    }
}

/// The heading level of a `Title` in `parent`: a Schedule's or Part's title 1, a Chapter's 2,
/// a cross-heading (`Pblock`) 3, a `PsubBlock`'s 4, a section title (`P1group`) 5.
fn heading_level(parent: &Frame) -> Option<u8> {
    match (parent.kind, parent.name.rsplit(':').next()) {
        (Kind::Schedule | Kind::Part, _) => Some(1),
        (Kind::Chapter, _) => Some(2),
        (_, Some("Pblock")) => Some(3),
        (_, Some("PsubBlock")) => Some(4),
        (_, Some("P1group")) => Some(5),
        _ => None,
    }
}

/// "Part 3", "PART 3" → "Part 3".
fn part_label(number: &str) -> String {
    let mut words = number.split_whitespace();
    match (words.next(), words.next()) {
        (Some(first), Some(n)) if first.eq_ignore_ascii_case("part") => format!("Part {n}"),
        _ => number.to_string(),
    }
}

/// "SCHEDULE 2" → "Sch. 2"; a lone "SCHEDULE" → "Sch.".
fn schedule_label(number: &str) -> String {
    let mut words = number.split_whitespace();
    match (words.next(), words.next()) {
        (Some(first), Some(n)) if first.eq_ignore_ascii_case("schedule") => format!("Sch. {n}"),
        (Some(first), None) if first.eq_ignore_ascii_case("schedule") => "Sch.".to_string(),
        _ => number.to_string(),
    }
}

fn attribute(start: &BytesStart, name: &str) -> Option<String> {
    start
        .try_get_attribute(name)
        .ok()
        .flatten()
        .map(|a| a.value.into_owned())
}

/// The character an entity or character reference stands for. Only the five entities XML
/// predefines are known; anything else would have to come from a DOCTYPE, which is never used.
pub(crate) fn resolve_reference(reference: &BytesRef) -> Result<char, String> {
    match &**reference {
        "amp" => return Ok('&'),
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "quot" => return Ok('"'),
        "apos" => return Ok('\''),
        _ => {}
    }
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(format!(
            "the entity &{}; is not standard XML (it would be defined in the file's DOCTYPE); \
             termtally never expands such entities",
            &**reference
        )),
        Err(_) => Err(format!(
            "&{}; is not a valid character reference",
            &**reference
        )),
    }
}

/// The XML as text: UTF-8 (BOM stripped), UTF-16 with a BOM, or the encoding its declaration
/// names.
pub(crate) fn decode_xml(bytes: &[u8]) -> Result<Cow<'_, str>, ExtractError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(ExtractError::BadXml(format!(
                "the file is not valid {} text",
                encoding.name()
            )));
        }
        return Ok(text);
    }
    // A declaration readable as ASCII is not in UTF-16, whatever it says: the file was UTF-16
    // with a byte-order mark and has been turned into UTF-8 (see `extract::encoding`).
    let declared = declared_encoding(bytes).filter(|&e| {
        ![
            encoding_rs::UTF_8,
            encoding_rs::UTF_16LE,
            encoding_rs::UTF_16BE,
        ]
        .contains(&e)
    });
    if let Some(encoding) = declared {
        let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
        if had_errors {
            return Err(ExtractError::BadXml(format!(
                "the file is not valid {} text, the encoding its XML declaration names",
                encoding.name()
            )));
        }
        return Ok(text);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(e) => Err(ExtractError::BadXml(format!(
            "not UTF-8 text (invalid bytes at byte {})",
            e.valid_up_to()
        ))),
    }
}

/// The `encoding="..."` of an XML declaration at the very start of the file.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let decl_end = head.iter().position(|&b| b == b'>')?;
    let decl = std::str::from_utf8(&head[..decl_end]).ok()?;
    let rest = &decl[decl.find("encoding")? + "encoding".len()..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let label = rest[1..].split(quote).next()?;
    encoding_rs::Encoding::for_label(label.trim().as_bytes())
}

/// A parser error as "line 12, column 5: <what>".
pub(crate) fn xml_error(text: &str, position: u64, error: &quick_xml::Error) -> ExtractError {
    position_error(text, position, &error.to_string())
}

pub(crate) fn position_error(text: &str, position: u64, what: &str) -> ExtractError {
    let (line, column) = line_and_column(text, position);
    ExtractError::BadXml(format!("line {line}, column {column}: {what}"))
}

fn line_and_column(text: &str, position: u64) -> (usize, usize) {
    let mut end = usize::try_from(position)
        .unwrap_or(usize::MAX)
        .min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(xml: &str, opts: &ExtractOptions) -> Vec<Block> {
        extract("t.xml", xml.as_bytes(), opts)
            .expect("extracts")
            .blocks
    }

    const ACT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Legislation xmlns="http://www.legislation.gov.uk/namespaces/legislation" xmlns:ukm="http://www.legislation.gov.uk/namespaces/metadata" xmlns:dc="http://purl.org/dc/elements/1.1/">
<ukm:Metadata><dc:title>Metadata Title Words</dc:title></ukm:Metadata>
<Primary><Body>
<Part><Number><Strong>PART 2</Strong></Number><Title>Licensing</Title>
<Pblock><Title>Cross heading</Title>
<P1group><Title>Meaning of <Term>things</Term></Title>
<P1><Pnumber PuncAfter=""><CommentaryRef Ref="c1"/>7</Pnumber><P1para>
<P2><Pnumber>1</Pnumber><P2para><Text>The authority must—</Text>
<P3><Pnumber>a</Pnumber><P3para><Text>act &amp; <Addition CommentaryRef="c2">report</Addition>,</Text></P3para></P3>
</P2para></P2>
<P2><Pnumber>2</Pnumber><P2para><Text>For section 3 substitute—</Text>
<BlockAmendment><P1group><Title>Quoted heading</Title><P1><Pnumber>3</Pnumber><P1para><Text>Quoted words</Text></P1para></P1></P1group></BlockAmendment><AppendText>;</AppendText>
</P2para></P2>
</P1para></P1></P1group></Pblock></Part>
</Body>
<Schedules><Title>SCHEDULES</Title><Schedule><Number>SCHEDULE 4</Number><TitleBlock><Title>Forms</Title></TitleBlock>
<ScheduleBody><Part><Number>Part 1</Number><P1><Pnumber>3</Pnumber><P1para><Text>Schedule words</Text></P1para></P1></Part></ScheduleBody></Schedule></Schedules>
</Primary>
<Commentaries><Commentary id="c2" Type="F"><Para><Text>Word inserted by editorial note</Text></Para></Commentary></Commentaries>
</Legislation>"#;

    #[test]
    fn keeps_parts_sections_and_headings() {
        let b = blocks(ACT, &ExtractOptions::default());
        let find = |t: &str| {
            b.iter()
                .find(|b| b.text == t)
                .unwrap_or_else(|| panic!("no block {t:?} in {b:#?}"))
        };
        assert_eq!(find("PART 2").part.as_deref(), Some("Part 2"));
        assert_eq!(find("Licensing").section, None);
        assert_eq!(find("Cross heading").section.as_deref(), Some("s.7"));
        assert_eq!(find("Meaning of things").section.as_deref(), Some("s.7"));
        let sub = find("(1) The authority must—");
        assert_eq!(
            (sub.part.as_deref(), sub.section.as_deref()),
            (Some("Part 2"), Some("s.7"))
        );
        find("(a) act & report,");
        find("(2) For section 3 substitute—;");
        assert_eq!(find("SCHEDULE 4").section.as_deref(), Some("Sch. 4"));
        let para = find("Schedule words");
        assert_eq!(para.section.as_deref(), Some("Sch. 4 para 3"));
        assert_eq!(para.part.as_deref(), Some("Sch. 4 Part 1"));
        let all: String = b.iter().map(|b| b.text.as_str()).collect();
        for absent in ["Metadata Title", "Quoted", "editorial note"] {
            assert!(!all.contains(absent), "{absent:?} should be left out");
        }
        assert!(b.iter().all(|b| b.page.is_none()));
    }

    #[test]
    fn includes_amendments_and_commentaries_on_request() {
        let opts = ExtractOptions {
            include_commentaries: true,
            include_amendments: true,
            ..ExtractOptions::default()
        };
        let b = blocks(ACT, &opts);
        let quoted = b
            .iter()
            .find(|b| b.text == "3 Quoted words;")
            .unwrap_or_else(|| panic!("{b:#?}"));
        assert_eq!(
            quoted.section.as_deref(),
            Some("s.7"),
            "amending section, not the quoted one"
        );
        let note = b
            .iter()
            .find(|b| b.text == "Word inserted by editorial note")
            .expect("commentary");
        assert_eq!(note.section.as_deref(), Some("s.7"));
        // The quoted Act's section 3 must not become this Act's section.
        assert!(!b.iter().any(|b| b.section.as_deref() == Some("s.3")));
    }

    #[test]
    fn reports_position_of_malformed_xml() {
        let err = extract(
            "t.xml",
            b"<Legislation>\n<Text>a</P>\n</Legislation>",
            &Default::default(),
        )
        .expect_err("malformed");
        let msg = err.to_string();
        assert!(msg.starts_with("malformed XML: line 2"), "{msg}");
    }
}
