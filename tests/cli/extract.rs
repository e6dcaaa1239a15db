//! Extraction of legislation XML (CLML), HTML, DOCX and plain text through the library API:
//! structure and section numbers, what is left out, encodings, and hostile input (entity
//! bombs, deep nesting, zip bombs, path tricks, truncation) with bounded time.

use std::time::{Duration, Instant};

use termtally::document::{Block, Document, Format};
use termtally::extract::{self, ExtractError, ExtractOptions, Input};

use crate::util::make::{deflate_bomb, raw_zip, zip_deflated};
use crate::util::{self, jsonl_records};

const HOUSING_ACT: &str = "housing-act-2004-ukpga-2004-34-revised.xml";
const SALE_OF_OFFICES_ACT: &str = "ukpga-geo3-49-126-revised.xml";

fn extract_as(
    format: Format,
    bytes: &[u8],
    opts: &ExtractOptions,
) -> Result<Document, ExtractError> {
    extract::extract_bytes("test", bytes, format, opts)
}

fn all_text(doc: &Document) -> String {
    doc.blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn block_containing<'a>(doc: &'a Document, needle: &str) -> &'a Block {
    doc.blocks
        .iter()
        .find(|b| b.text.contains(needle))
        .unwrap_or_else(|| panic!("no block contains {needle:?}"))
}

/// Words as letter runs: insensitive to how punctuation and numbers are split, so it can be
/// compared with an independent count.
fn letter_words(doc: &Document) -> usize {
    doc.blocks
        .iter()
        .map(|b| {
            b.text
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .count()
        })
        .sum()
}

fn commentaries() -> ExtractOptions {
    ExtractOptions {
        include_commentaries: true,
        ..ExtractOptions::default()
    }
}

fn assert_quick(started: Instant, limit_secs: u64, what: &str) {
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(limit_secs),
        "{what} took {took:?}, over {limit_secs} s"
    );
}

// ---------------------------------------------------------------- CLML: real documents

#[test]
fn clml_real_files_extract_with_structure() {
    for name in [HOUSING_ACT, SALE_OF_OFFICES_ACT] {
        let Some(path) = util::corpus_file(name) else {
            return;
        };
        let doc = extract::extract(&Input::Path(path), &ExtractOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(doc.format, Format::Clml, "{name}");
        assert!(doc.blocks.len() > 20, "{name}: {} blocks", doc.blocks.len());
        assert!(
            doc.blocks.iter().all(|b| b.page.is_none()),
            "{name}: legislation has no pages"
        );
        assert!(
            doc.blocks.iter().all(|b| !b.text.trim().is_empty()),
            "{name}: empty block"
        );
        assert!(
            doc.blocks
                .iter()
                .any(|b| b.section.as_deref() == Some("s.1")),
            "{name}: no section 1"
        );
    }
}

#[test]
fn clml_housing_act_parts_sections_and_schedules() {
    let Some(path) = util::corpus_file(HOUSING_ACT) else {
        return;
    };
    let started = Instant::now();
    let doc = extract::extract(&Input::Path(path), &ExtractOptions::default()).expect("extracts");
    assert_quick(started, 20, "extracting the Housing Act");
    eprintln!(
        "Housing Act 2004: {} blocks, {} letter-words, {:?} (debug build)",
        doc.blocks.len(),
        letter_words(&doc),
        started.elapsed()
    );

    assert!(
        doc.blocks
            .iter()
            .any(|b| b.part.as_deref() == Some("Part 1") && b.section.as_deref() == Some("s.1")),
        "no block in Part 1, s.1"
    );
    // In the XML this sentence is subsection (2) of <P1 id="section-19"> inside Part 1
    // (checked with python's xml.etree, walking up from the element).
    let s19 = block_containing(&doc, "ceasing to be a “person of the relevant category”");
    assert_eq!(s19.part.as_deref(), Some("Part 1"));
    assert_eq!(s19.section.as_deref(), Some("s.19"));
    assert!(
        s19.text.starts_with("(2) In subsection (1)"),
        "{}",
        s19.text
    );
    // The heading of section 19 is its own block, carrying the section number.
    let heading = block_containing(
        &doc,
        "Change in person liable to comply with improvement notice",
    );
    assert_eq!(heading.section.as_deref(), Some("s.19"));
    assert_eq!(
        heading.text,
        "Change in person liable to comply with improvement notice"
    );
    // <P1 id="schedule-1-paragraph-1">: paragraph 1 of Schedule 1, in the Schedule's Part 1.
    let sch = block_containing(
        &doc,
        "This paragraph applies where the specified premises in the case of an improvement notice",
    );
    assert_eq!(sch.section.as_deref(), Some("Sch. 1 para 1"));
    assert_eq!(sch.part.as_deref(), Some("Sch. 1 Part 1"));
    // Part numbers run through the body.
    for part in ["Part 1", "Part 2", "Part 3", "Part 4", "Part 6", "Part 7"] {
        assert!(
            doc.blocks.iter().any(|b| b.part.as_deref() == Some(part)),
            "no block in {part}"
        );
    }
}

#[test]
fn clml_leaves_out_metadata_commentaries_and_amendments_by_default() {
    let Some(path) = util::corpus_file(HOUSING_ACT) else {
        return;
    };
    let input = Input::Path(path);
    let plain = extract::extract(&input, &ExtractOptions::default()).expect("extracts");
    let text = all_text(&plain);
    // dc:publisher, only in ukm:Metadata.
    assert!(
        !text.contains("Statute Law Database"),
        "metadata leaked into the text"
    );
    // From <Commentary id="c2050708">, the annotation on section 1.
    let note = "S. 1 wholly in force at 16.6.2006";
    assert!(
        !text.contains("wholly in force at 16.6.2006"),
        "commentary leaked"
    );
    // The title of a section quoted in a BlockAmendment inside section 179.
    let quoted = "Extension of trial period by 6 months";
    assert!(!text.contains(quoted), "amendment text leaked");

    let with_notes = extract::extract(&input, &commentaries()).expect("extracts");
    let note_block = block_containing(&with_notes, note);
    assert_eq!(
        note_block.section.as_deref(),
        Some("s.1"),
        "a note cites what it annotates"
    );
    assert!(with_notes.blocks.len() > plain.blocks.len());

    let with_amendments = extract::extract(
        &input,
        &ExtractOptions {
            include_amendments: true,
            ..ExtractOptions::default()
        },
    )
    .expect("extracts");
    let amendment = block_containing(&with_amendments, quoted);
    assert_eq!(amendment.section.as_deref(), Some("s.179"));
    assert!(!all_text(&with_amendments).contains(note));
}

/// Independent count, python3 + xml.etree (run from ../shared/corpora):
///
/// ```python
/// import re, xml.etree.ElementTree as ET
/// def words(path, commentaries=False):
///     out = []
///     def collect(e, parent_is_p1):
///         t = e.tag.split('}')[-1]
///         skip = t == 'Metadata' or (t == 'Commentaries' and not commentaries) \
///             or t == 'BlockAmendment' or (t == 'Pnumber' and parent_is_p1)
///         if not skip:
///             if e.text: out.append(e.text)
///             for ch in e: collect(ch, t == 'P1')
///         if e.tail: out.append(e.tail)
///     collect(ET.parse(path).getroot(), False)
///     return len(re.findall(r"[A-Za-z]+", " ".join(out)))
/// ```
///
/// Housing Act: 103931 words, 128913 with Commentaries; Sale of Offices Act: 167 and 179.
/// (Section numbers are left out there because termtally keeps them as metadata, not text.)
#[test]
fn clml_word_counts_match_an_independent_count() {
    let cases = [
        (HOUSING_ACT, 103_931usize, 128_913usize),
        (SALE_OF_OFFICES_ACT, 167, 179),
    ];
    for (name, expected, expected_with_notes) in cases {
        let Some(path) = util::corpus_file(name) else {
            return;
        };
        let input = Input::Path(path);
        for (opts, expected) in [
            (ExtractOptions::default(), expected),
            (commentaries(), expected_with_notes),
        ] {
            let got = letter_words(&extract::extract(&input, &opts).expect("extracts"));
            // 0.5%: text nodes that touch without a space are one word here, two there.
            let tolerance = expected / 200 + 1;
            assert!(
                got.abs_diff(expected) <= tolerance,
                "{name}: {got} words, independent count {expected} (± {tolerance})"
            );
        }
    }
}

#[test]
fn clml_sale_of_offices_act_sections_and_entities() {
    let Some(path) = util::corpus_file(SALE_OF_OFFICES_ACT) else {
        return;
    };
    let doc = extract::extract(&Input::Path(path), &ExtractOptions::default()).expect("extracts");
    // `5 &amp; 6 Ed. 6` in the title of section 1.
    let title = block_containing(
        &doc,
        "Provisions of 5 & 6 Ed. 6. c. 16 extended to other offices.",
    );
    assert_eq!(title.section.as_deref(), Some("s.1"));
    assert_eq!(title.part, None, "the Act has no Parts");
    // <P1 id="section-78."> is printed "7, 8.": sections 7 and 8 repealed together.
    let mut sections: Vec<String> = (1..=15)
        .filter(|n| *n != 7 && *n != 8)
        .map(|n| format!("s.{n}"))
        .collect();
    sections.push("s.7, 8".to_string());
    for section in sections {
        assert!(
            doc.blocks
                .iter()
                .any(|b| b.section.as_deref() == Some(section.as_str())),
            "no {section}"
        );
    }
}

// ---------------------------------------------------------------- CLML: hostile input

const LEGISLATION_NS: &str = r#"xmlns="http://www.legislation.gov.uk/namespaces/legislation""#;

#[test]
fn clml_billion_laughs_is_refused_quickly() {
    let mut xml =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE Legislation [\n<!ENTITY lol \"lol\">\n");
    xml.push_str("<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..=9 {
        let prev = format!("&lol{};", i - 1).repeat(10);
        xml.push_str(&format!("<!ENTITY lol{i} \"{prev}\">\n"));
    }
    xml.push_str(&format!(
        "]>\n<Legislation {LEGISLATION_NS}><Primary><Body><P1group><Title>Heading</Title><P1><Pnumber>1</Pnumber><P1para><Text>&lol9;</Text></P1para></P1></P1group></Body></Primary></Legislation>"
    ));
    let started = Instant::now();
    let err = extract_as(Format::Clml, xml.as_bytes(), &ExtractOptions::default())
        .expect_err("entity refused");
    assert_quick(started, 5, "the billion laughs file");
    let msg = err.to_string();
    assert!(matches!(err, ExtractError::BadXml(_)), "{err:?}");
    assert!(
        msg.contains("&lol9;") && msg.contains("never expands"),
        "{msg}"
    );
    assert!(msg.contains("line "), "position given: {msg}");
}

#[test]
fn clml_external_entity_is_never_read() {
    let secret_dir = tempfile::tempdir().expect("temp dir");
    let secret = secret_dir.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-CONTENT").expect("write");
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Legislation [ <!ENTITY xxe SYSTEM \"file://{}\"> ]>\n\
         <Legislation {LEGISLATION_NS}><Primary><Body><P><Text>before &xxe; after</Text></P></Body></Primary></Legislation>",
        secret.display()
    );
    let result = extract_as(Format::Clml, xml.as_bytes(), &ExtractOptions::default());
    match result {
        Err(e) => assert!(!e.to_string().contains("TOP-SECRET"), "{e}"),
        Ok(doc) => panic!("external entity accepted: {:?}", all_text(&doc)),
    }
}

#[test]
fn clml_unused_doctype_entities_are_ignored() {
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Legislation [ <!ENTITY lol \"lol\"> <!ENTITY ext SYSTEM \"/etc/passwd\"> ]>\n\
         <Legislation {LEGISLATION_NS}><Primary><Body><P><Text>Plain &amp; simple &#8212; text</Text></P></Body></Primary></Legislation>"
    );
    let doc =
        extract_as(Format::Clml, xml.as_bytes(), &ExtractOptions::default()).expect("extracts");
    assert_eq!(all_text(&doc), "Plain & simple — text");
}

#[test]
fn clml_deep_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    let mut xml = format!("<Legislation {LEGISLATION_NS}><Primary><Body>");
    xml.push_str(&"<P>".repeat(depth));
    xml.push_str("<Text>deep words</Text>");
    xml.push_str(&"</P>".repeat(depth));
    xml.push_str("</Body></Primary></Legislation>");
    let started = Instant::now();
    // A thread with a small stack: recursion 100,000 deep could not fit in it.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || extract_as(Format::Clml, xml.as_bytes(), &ExtractOptions::default()))
        .expect("thread");
    let doc = handle.join().expect("no stack overflow").expect("extracts");
    assert_quick(started, 10, "100,000 nested elements");
    assert_eq!(all_text(&doc), "deep words");
}

#[test]
fn clml_malformed_and_truncated_xml_give_plain_errors() {
    let mismatched =
        format!("<Legislation {LEGISLATION_NS}>\n<Primary>\n<Text>words</P>\n</Legislation>");
    let err = extract_as(
        Format::Clml,
        mismatched.as_bytes(),
        &ExtractOptions::default(),
    )
    .expect_err("malformed");
    let msg = err.to_string();
    assert!(msg.starts_with("malformed XML: line 3, column"), "{msg}");

    if let Some(path) = util::corpus_file(HOUSING_ACT) {
        let bytes = std::fs::read(path).expect("read");
        let half = &bytes[..bytes.len() / 2];
        let err =
            extract_as(Format::Clml, half, &ExtractOptions::default()).expect_err("truncated");
        assert!(matches!(err, ExtractError::BadXml(_)), "{err:?}");
    }

    let unclosed = format!("<Legislation {LEGISLATION_NS}><Primary><Body><P><Text>cut off");
    let err = extract_as(
        Format::Clml,
        unclosed.as_bytes(),
        &ExtractOptions::default(),
    )
    .expect_err("unclosed");
    assert!(matches!(err, ExtractError::BadXml(_)), "{err:?}");

    let latin1 = b"<Legislation><Text>caf\xe9</Text></Legislation>";
    let err = extract_as(Format::Clml, latin1, &ExtractOptions::default()).expect_err("not UTF-8");
    assert!(err.to_string().contains("not UTF-8"), "{err}");
}

// ---------------------------------------------------------------- HTML

fn fixture(name: &str) -> Vec<u8> {
    let path = util::fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn html_govuk_page_gives_main_content_only() {
    let doc = extract::extract(
        &Input::Stdin(fixture("govuk-guidance.html")),
        &ExtractOptions::default(),
    )
    .expect("extracts");
    assert_eq!(doc.format, Format::Html, "sniffed from content");
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Joint working guidance",
            "1. Introduction",
            "1.1 Local authorities must work in partnership with health services.",
            "This continues paragraph 1.1 on multi-agency working.",
            "co-production with families",
            "joint commissioning",
            "1.2 The plan should be reviewed\nat least annually.",
            "Service",
            "Lead",
            "Health",
            "Integrated care board",
            "Quoted statutory duty.",
            "EHC plan",
            "Education, health and care plan.",
            "line one\nline two",
        ]
    );
    let text = all_text(&doc);
    for hidden in [
        "SCRIPT",
        "STYLE",
        "HEADER",
        "BREADCRUMB",
        "NAV-TEXT",
        "HIDDEN",
        "FORM",
        "NOSCRIPT",
        "SVG",
        "TEMPLATE",
        "ASIDE",
        "OUTSIDE-MAIN",
        "FOOTER",
        "Skip to main",
    ] {
        assert!(!text.contains(hidden), "{hidden} leaked");
    }
    let sections: Vec<Option<&str>> = doc.blocks.iter().map(|b| b.section.as_deref()).collect();
    assert_eq!(sections[0], None, "before any number");
    assert_eq!(sections[2], Some("1.1"));
    assert_eq!(sections[3], Some("1.1"), "carried forward");
    assert_eq!(sections[5], Some("1.1"), "carried forward into the list");
    assert_eq!(sections[6], Some("1.2"));
    assert_eq!(sections[14], Some("1.2"));
    assert!(doc.blocks.iter().all(|b| b.page.is_none()));
}

#[test]
fn html_without_main_reads_the_body() {
    let page = b"<html><head><title>T</title><script>var x;</script></head>\
        <body><nav>Menu</nav><div>Loose text<p>A paragraph</p>tail text</div></body></html>";
    let doc = extract_as(Format::Html, page, &ExtractOptions::default()).expect("extracts");
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(texts, ["Loose text", "A paragraph", "tail text"]);
}

#[test]
fn html_charsets_are_decoded() {
    // windows-1252 declared in <meta>: 0x92 is a right single quotation mark.
    let legacy = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body><p>children\x92s services</p></body></html>";
    let doc = extract_as(Format::Html, legacy, &ExtractOptions::default()).expect("extracts");
    assert_eq!(all_text(&doc), "children\u{2019}s services");

    // UTF-16LE with a byte-order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "<html><body><p>joint working</p></body></html>".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let doc = extract_as(Format::Html, &utf16, &ExtractOptions::default()).expect("extracts");
    assert_eq!(all_text(&doc), "joint working");

    // Undeclared, not UTF-8: an error, unless --encoding says what it is.
    let undeclared = b"<html><body><p>caf\xe9</p></body></html>";
    let err =
        extract_as(Format::Html, undeclared, &ExtractOptions::default()).expect_err("not UTF-8");
    assert!(err.to_string().contains("--encoding"), "{err}");
    let opts = ExtractOptions {
        encoding: Some(encoding_rs::WINDOWS_1252),
        ..ExtractOptions::default()
    };
    let doc = extract_as(Format::Html, undeclared, &opts).expect("extracts");
    assert_eq!(all_text(&doc), "café");
}

fn nested_html(depth: usize) -> String {
    format!(
        "<html><body>{}<p>deep words</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    )
}

#[test]
fn html_deep_nesting_is_bounded() {
    let started = Instant::now();
    let err = extract_as(
        Format::Html,
        nested_html(100_000).as_bytes(),
        &ExtractOptions::default(),
    )
    .expect_err("refused");
    assert_quick(started, 5, "100,000 nested divs");
    assert!(err.to_string().contains("nested 100000 deep"), "{err}");

    // Deep but plausible nesting still extracts, on a small stack.
    let page = nested_html(1_000);
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || extract_as(Format::Html, page.as_bytes(), &ExtractOptions::default()))
        .expect("thread");
    let doc = handle.join().expect("no stack overflow").expect("extracts");
    assert_eq!(all_text(&doc), "deep words");
}

#[test]
fn html_nesting_estimate_ignores_self_closing_and_raw_text() {
    use termtally::extract::html::nesting_depth;
    assert_eq!(nesting_depth("<div><p>a<p>b<br><img src=x></div>"), 1);
    assert_eq!(
        nesting_depth("<div><script>if (a<b) { '<div><div><div>' }</script></div>"),
        2
    );
    assert_eq!(
        nesting_depth("<!-- <div><div> --><div><span></span></div>"),
        2
    );
}

// ---------------------------------------------------------------- DOCX

const DOCUMENT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">
<w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Joint working</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">4.9 Local authorities </w:t></w:r><w:ins w:id="1" w:author="A"><w:r><w:t>must</w:t></w:r></w:ins><w:del w:id="2" w:author="A"><w:r><w:delText>may</w:delText></w:r></w:del><w:r><w:t xml:space="preserve"> co</w:t></w:r><w:r><w:noBreakHyphen/><w:t>operate.</w:t></w:r></w:p>
<w:p><w:r><w:t>Name</w:t></w:r><w:r><w:tab/><w:t>Role</w:t><w:br/><w:t>Next line</w:t></w:r></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Field result &amp; more</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>auto-numbered item</w:t></w:r></w:p>
<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>Text box words</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>Text box words</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>Host paragraph</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell one</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cell two</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:moveFrom w:id="5" w:author="A"><w:r><w:t>Moved away</w:t></w:r></w:moveFrom></w:p>
<w:p/>
<w:sectPr/>
</w:body>
</w:document>"#;

const FOOTNOTES_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r><w:r><w:t>SEPARATOR</w:t></w:r></w:p></w:footnote>
<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> See the Children and Families Act 2014.</w:t></w:r></w:p></w:footnote>
</w:footnotes>"#;

fn sample_docx() -> Vec<u8> {
    zip_deflated(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", DOCUMENT_XML.as_bytes()),
        ("word/footnotes.xml", FOOTNOTES_XML.as_bytes()),
    ])
}

#[test]
fn docx_paragraphs_runs_and_tracked_changes() {
    let doc = extract::extract(&Input::Stdin(sample_docx()), &ExtractOptions::default())
        .expect("extracts");
    assert_eq!(doc.format, Format::Docx, "sniffed from content");
    let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Joint working",
            "4.9 Local authorities must co-operate.",
            "Name\tRole\nNext line",
            "Field result & more",
            "auto-numbered item",
            "Text box words",
            "Host paragraph",
            "Cell one",
            "Cell two",
            "See the Children and Families Act 2014.",
        ]
    );
    let sections: Vec<Option<&str>> = doc.blocks.iter().map(|b| b.section.as_deref()).collect();
    assert_eq!(sections[0], None);
    assert_eq!(sections[1], Some("4.9"));
    assert_eq!(sections[8], Some("4.9"), "carried forward");
    assert_eq!(
        sections[9], None,
        "footnotes are outside the numbered paragraphs"
    );
    assert!(doc.blocks.iter().all(|b| b.page.is_none()));
}

#[test]
fn docx_not_a_word_file_truncated_or_malformed() {
    let odt_like = zip_deflated(&[("content.xml", b"<office:document/>")]);
    let err = extract_as(Format::Docx, &odt_like, &ExtractOptions::default()).expect_err("no body");
    assert!(
        err.to_string().contains("without word/document.xml"),
        "{err}"
    );

    let docx = sample_docx();
    for cut in [docx.len() / 2, docx.len() - 10, 30] {
        let err = extract_as(Format::Docx, &docx[..cut], &ExtractOptions::default())
            .expect_err("truncated");
        assert!(
            matches!(err, ExtractError::BadDocx(_)),
            "cut at {cut}: {err:?}"
        );
    }

    let broken = zip_deflated(&[(
        "word/document.xml",
        b"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\n<w:body><w:p></w:body></w:document>",
    )]);
    let err = extract_as(Format::Docx, &broken, &ExtractOptions::default()).expect_err("malformed");
    let msg = err.to_string();
    assert!(
        msg.contains("word/document.xml: malformed XML: line 2"),
        "{msg}"
    );

    let laughs = zip_deflated(&[(
        "word/document.xml",
        b"<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\
          <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>",
    )]);
    let err = extract_as(Format::Docx, &laughs, &ExtractOptions::default()).expect_err("entity");
    assert!(err.to_string().contains("never expands"), "{err}");
}

#[test]
fn docx_path_tricks_are_harmless() {
    let cwd = std::env::current_dir().expect("cwd");
    let evil_target = cwd.join("../evil");
    let existed = evil_target.exists();
    let docx = zip_deflated(&[
        ("../evil", b"written outside?"),
        ("/tmp/evil-absolute", b"written outside?"),
        ("word/document.xml", DOCUMENT_XML.as_bytes()),
    ]);
    let doc = extract_as(Format::Docx, &docx, &ExtractOptions::default()).expect("extracts");
    assert!(all_text(&doc).contains("Local authorities must"));
    assert_eq!(evil_target.exists(), existed, "nothing is written");

    // Only the exact part name counts: a body hidden behind a path trick is not read.
    let tricked = zip_deflated(&[("../word/document.xml", DOCUMENT_XML.as_bytes())]);
    let err = extract_as(Format::Docx, &tricked, &ExtractOptions::default()).expect_err("no body");
    assert!(matches!(err, ExtractError::WrongFormat { .. }), "{err:?}");
}

const GIB: usize = 1 << 30;

#[test]
fn docx_zip_bomb_declared_size_is_refused_without_unpacking() {
    // 1 GiB of spaces in about 6.5 MB.
    let repeats = (GIB - 1) / 258;
    let inflated_size = u32::try_from(1 + 258 * repeats).expect("fits");
    // The CRC is left 0: the reader gives up long before it would check it.
    let deflated = deflate_bomb(b' ', repeats);
    let bomb = raw_zip(&[("word/document.xml", 8, &deflated, 0, inflated_size)]);
    let started = Instant::now();
    let err =
        extract::extract(&Input::Stdin(bomb), &ExtractOptions::default()).expect_err("refused");
    assert_quick(started, 5, "the declared zip bomb");
    assert!(matches!(err, ExtractError::TooLarge(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("word/document.xml unpacks to 1023 MB"),
        "{err}"
    );
}

#[test]
fn docx_zip_bomb_with_lying_header_is_refused() {
    // Claims 100 bytes, inflates to 1 GiB: reading stops as soon as the entry outgrows its
    // header (the ZIP reader checks), and in any case at the part size limit (`take()`).
    let repeats = (GIB - 1) / 258;
    let deflated = deflate_bomb(b' ', repeats);
    let bomb = raw_zip(&[("word/document.xml", 8, &deflated, 0, 100)]);
    let started = Instant::now();
    let result = extract_as(Format::Docx, &bomb, &ExtractOptions::default());
    assert_quick(started, 5, "the lying zip bomb");
    match result {
        Err(ExtractError::TooLarge(_) | ExtractError::BadDocx(_)) => {}
        other => panic!("lying zip bomb not refused: {other:?}"),
    }
}

// ---------------------------------------------------------------- plain text

#[test]
fn text_paragraphs_pages_and_numbers() {
    let text = "Title line\r\n\r\n4.9 Local authorities must\r\nco-operate.\r\n\r\n  \r\nContinued text\n\u{c}5.1 Next page starts\n\nSecond para\u{c}";
    let doc =
        extract_as(Format::Text, text.as_bytes(), &ExtractOptions::default()).expect("extracts");
    let got: Vec<(Option<u32>, Option<&str>, &str)> = doc
        .blocks
        .iter()
        .map(|b| (b.page, b.section.as_deref(), b.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(1), None, "Title line"),
            (
                Some(1),
                Some("4.9"),
                "4.9 Local authorities must\nco-operate."
            ),
            (Some(1), Some("4.9"), "Continued text"),
            (Some(2), Some("5.1"), "5.1 Next page starts"),
            (Some(2), Some("5.1"), "Second para"),
        ]
    );
    assert_eq!(
        doc.page_count,
        Some(2),
        "a final form feed does not open a page"
    );

    let unpaged = extract_as(
        Format::Text,
        b"one\n\ntwo\rthree",
        &ExtractOptions::default(),
    )
    .expect("extracts");
    assert!(unpaged.blocks.iter().all(|b| b.page.is_none()));
    assert_eq!(unpaged.page_count, None);
    assert_eq!(all_text(&unpaged), "one\ntwo\nthree");
}

#[test]
fn text_byte_order_marks_and_encodings() {
    let doc = extract_as(
        Format::Text,
        b"\xEF\xBB\xBFjoint working",
        &ExtractOptions::default(),
    )
    .expect("extracts");
    assert_eq!(all_text(&doc), "joint working", "UTF-8 BOM stripped");

    for big_endian in [false, true] {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in "co-production\n\nlooked-after children’s".encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        let doc =
            extract::extract(&Input::Stdin(bytes), &ExtractOptions::default()).expect("extracts");
        assert_eq!(doc.format, Format::Text);
        let texts: Vec<&str> = doc.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            ["co-production", "looked-after children’s"],
            "big endian: {big_endian}"
        );
    }

    // "café" in windows-1252: the invalid byte is at offset 1234.
    let mut latin = "x".repeat(1231).into_bytes();
    latin.extend_from_slice(b"caf\xe9 society");
    let err = extract_as(Format::Text, &latin, &ExtractOptions::default()).expect_err("not UTF-8");
    assert_eq!(
        err.to_string(),
        "not UTF-8 text (invalid bytes at byte 1234): give --encoding, e.g. --encoding windows-1252"
    );
    let opts = ExtractOptions {
        encoding: Some(encoding_rs::WINDOWS_1252),
        ..ExtractOptions::default()
    };
    let doc = extract_as(Format::Text, &latin, &opts).expect("extracts");
    assert!(all_text(&doc).ends_with("café society"));
}

#[test]
fn text_huge_single_line_is_linear() {
    // 64 MiB on one line, no breaks: one block, produced in a few passes.
    let line = "word ".repeat((64 << 20) / 5);
    let started = Instant::now();
    let doc =
        extract_as(Format::Text, line.as_bytes(), &ExtractOptions::default()).expect("extracts");
    assert_quick(started, 10, "a 64 MiB single-line text");
    assert_eq!(doc.blocks.len(), 1);
    assert_eq!(doc.blocks[0].text.len(), line.trim_end().len());

    // Many tiny paragraphs are linear too (no rescanning of what was already split).
    let many = "a\n\n".repeat(200_000);
    let started = Instant::now();
    let doc =
        extract_as(Format::Text, many.as_bytes(), &ExtractOptions::default()).expect("extracts");
    assert_quick(started, 10, "200,000 paragraphs");
    assert_eq!(doc.blocks.len(), 200_000);
}

// ---------------------------------------------------------------- through the CLI

#[test]
fn cli_extract_housing_act_jsonl() {
    let Some(path) = util::corpus_file(HOUSING_ACT) else {
        return;
    };
    let output = util::termtally()
        .args(["extract", "--format", "jsonl"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let records = jsonl_records(&output.stdout);
    assert!(
        records
            .iter()
            .any(|r| r["part"] == "Part 1" && r["section"] == "s.1")
    );
    assert!(records.iter().all(|r| r["page"].is_null()));
    let s19 = records
        .iter()
        .find(|r| {
            r["text"]
                .as_str()
                .is_some_and(|t| t.contains("ceasing to be a"))
        })
        .expect("section 19 (2)");
    assert_eq!(s19["section"], "s.19");
    let note = "wholly in force at 16.6.2006";
    assert!(!String::from_utf8_lossy(&output.stdout).contains(note));

    let with_notes = util::termtally()
        .args(["extract", "--format", "jsonl", "--include-commentaries"])
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(with_notes.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&with_notes.stdout).contains(note));
}

#[test]
fn cli_extract_bad_inputs_fail_one_line_each_and_the_rest_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    };
    let good = write("good.txt", b"1.1 Joint working across agencies.\n");
    let malformed = write(
        "broken.xml",
        format!("<Legislation {LEGISLATION_NS}>\n<Text>words</P>\n</Legislation>").as_bytes(),
    );
    let latin1 = write("latin1.txt", b"caf\xe9 society\n");
    let docx = sample_docx();
    let truncated = write("cut.docx", &docx[..docx.len() / 2]);
    let laughs = write(
        "laughs.xml",
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE Legislation [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\
             <Legislation {LEGISLATION_NS}><Primary><Body><P><Text>&b;</Text></P></Body></Primary></Legislation>"
        )
        .as_bytes(),
    );
    let output = util::termtally()
        .args(["extract", "--format", "jsonl"])
        .args([&good, &malformed, &latin1, &truncated, &laughs])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "some failed, one succeeded: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for (path, reason) in [
        (&malformed, "malformed XML: line 2"),
        (
            &latin1,
            "not UTF-8 text (invalid bytes at byte 3): give --encoding",
        ),
        (&truncated, "damaged Word file"),
        (&laughs, "never expands"),
    ] {
        let prefix = format!("termtally: {}: ", path.display());
        let line = stderr
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no error line for {}: {stderr}", path.display()));
        assert!(line.contains(reason), "{line}");
    }
    let records = jsonl_records(&output.stdout);
    assert_eq!(records.len(), 1, "only the good document is output");
    assert_eq!(records[0]["section"], "1.1");

    // With --encoding the Latin-1 file reads.
    let output = util::termtally()
        .args(["extract", "--encoding", "windows-1252"])
        .arg(&latin1)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("café society"));

    // Nothing readable: exit 2.
    let output = util::termtally()
        .arg("extract")
        .args([&malformed, &laughs])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}
