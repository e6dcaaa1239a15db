//! PDF text from every producer, in reading order (issue 16). Each case is a PDF made here —
//! byte by byte, or by ghostscript and groff from text — whose true text is known by
//! construction. For each:
//! - `count` (JSON) beside a good document: exit 0, no panic text, every lexicon term's count
//!   equal to the true count, and the good document counted too;
//! - `extract`: the number of word tokens within 1% of the true text's, and adjacent-pair
//!   agreement with the true text (multiset Jaccard of (token, next token) pairs) >= 0.97, so
//!   reading order is checked, not only the bag of words.
//!
//! The true count of a term is the number of places where its form's word tokens occur in a
//! row in the true text; tokens are runs of letters and digits, lower-cased.

use crate::util::make::pdf_from_objects;
use crate::util::{corpus_file, termtally};

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

/// The lexicon of every case: multi-word terms, and Hebrew and Arabic ones for the RTL case.
const LEXICON: &str = r#"name = "Reading order"
source = "issue 16 tests"
[categories]
joint = "joint working"
[[terms]]
label = "Local authority"
category = "joint"
forms = ["local authority"]
[[terms]]
label = "Partnership"
category = "joint"
forms = ["partnership"]
[[terms]]
label = "Health services"
category = "joint"
forms = ["health services"]
[[terms]]
label = "Working together"
category = "joint"
forms = ["working together"]
[[terms]]
label = "Hebrew partnership"
category = "joint"
forms = ["שותפות"]
[[terms]]
label = "Arabic partnership"
category = "joint"
forms = ["شراكة"]
"#;

const LABELS: &[(&str, &str)] = &[
    ("Local authority", "local authority"),
    ("Partnership", "partnership"),
    ("Health services", "health services"),
    ("Working together", "working together"),
    ("Hebrew partnership", "שותפות"),
    ("Arabic partnership", "شراكة"),
];

/// Lines of policy prose, each at most 40 characters (so two columns of Courier 10 pt fit).
const PROSE: &[&str] = &[
    "The local authority must work in",
    "partnership with parents and carers.",
    "Health services and the local authority",
    "share information early, working",
    "together to agree a plan for the child.",
    "Partnership means working together",
    "with health services from the start.",
    "Every local authority should review",
    "the plan with parents each year.",
    "Good partnership depends on trust and",
    "on health services being involved.",
    "A local authority keeps records of",
];

fn tokens(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn true_count(text: &str, form: &str) -> u64 {
    let words = tokens(text);
    let form = tokens(form);
    words.windows(form.len()).filter(|w| *w == form).count() as u64
}

fn multiset_jaccard<T: std::hash::Hash + Eq>(a: Vec<T>, b: Vec<T>) -> f64 {
    let mut counts: HashMap<T, (u64, u64)> = HashMap::new();
    for x in a {
        counts.entry(x).or_default().0 += 1;
    }
    for x in b {
        counts.entry(x).or_default().1 += 1;
    }
    let (low, high) = counts
        .values()
        .fold((0, 0), |(l, h), &(x, y)| (l + x.min(y), h + x.max(y)));
    if high == 0 {
        1.0
    } else {
        low as f64 / high as f64
    }
}

fn pairs(tokens: &[String]) -> Vec<(String, String)> {
    tokens
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect()
}

/// Runs the checks of the module documentation on `pdf`, whose true text is `truth`.
fn assert_reads_truly(case: &str, pdf: &[u8], truth: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = format!("{case}.pdf");
    fs::write(dir.path().join(&name), pdf).expect("write");
    fs::write(
        dir.path().join("good.txt"),
        "Partnership working between agencies\n",
    )
    .expect("write");
    fs::write(dir.path().join("lexicon.toml"), LEXICON).expect("write");

    let out = termtally()
        .current_dir(dir.path())
        .args([
            "count",
            "-f",
            "json",
            // Default cleaning: 300 identical lines keep their page-edge lines (a line that recurs
            // on its own page is content, not a running header).
            "--lexicon",
            "lexicon.toml",
            &name,
            "good.txt",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{case}: {stderr}");
    assert_eq!(out.status.code(), Some(0), "{case}: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let count = |document: &str, term: &str| {
        report["rows"].as_array().and_then(|rows| {
            rows.iter().find_map(|row| {
                (row["kind"] == "term" && row["document"] == document && row["term"] == term)
                    .then(|| row["count"].as_u64())
                    .flatten()
            })
        })
    };
    for (label, form) in LABELS {
        assert_eq!(
            count(&name, label),
            Some(true_count(truth, form)),
            "{case}: count of {label:?}"
        );
    }
    assert_eq!(
        count("good.txt", "Partnership"),
        Some(1),
        "{case}: good document"
    );

    let out = termtally()
        .current_dir(dir.path())
        .args(["extract", &name])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{case}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // NFKC, as termtally's counting does (Arabic presentation forms become letters).
    let text: String = unicode_normalization::UnicodeNormalization::nfkc(
        String::from_utf8_lossy(&out.stdout).as_ref(),
    )
    .collect();
    let got = tokens(&text);
    let want = tokens(truth);
    let within = (got.len() as f64 - want.len() as f64).abs() / want.len() as f64;
    let pair_agreement = multiset_jaccard(pairs(&got), pairs(&want));
    eprintln!(
        "{case}: {} tokens (true {}), pair agreement {pair_agreement:.4}",
        got.len(),
        want.len()
    );
    assert!(
        within <= 0.01,
        "{case}: {} tokens, true {}:\n{}",
        got.len(),
        want.len(),
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        pair_agreement >= 0.97,
        "{case}: pair agreement {pair_agreement:.4}:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

// ---------------------------------------------------------------------------------------------
// PDFs byte by byte

fn stream(content: &[u8]) -> Vec<u8> {
    let mut object = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    object.extend_from_slice(content);
    object.extend_from_slice(b"\nendstream");
    object
}

/// A ToUnicode CMap sending the bytes of `pairs` to their characters.
fn to_unicode(pairs: &[(u8, char)]) -> Vec<u8> {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         /CMapName /Test def /CMapType 2 def\n\
         1 begincodespacerange <00> <FF> endcodespacerange\n",
    );
    cmap.push_str(&format!("{} beginbfchar\n", pairs.len()));
    for &(byte, c) in pairs {
        cmap.push_str(&format!("<{byte:02X}> <{:04X}>\n", c as u32));
    }
    cmap.push_str("endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n");
    stream(cmap.as_bytes())
}

/// Bytes `A`, `B`, ... standing for the characters of `alphabet`, for a font with a ToUnicode map.
fn code_for(alphabet: &[char], c: char) -> u8 {
    b'A' + alphabet
        .iter()
        .position(|&a| a == c)
        .expect("in the alphabet") as u8
}

const HEBREW: &[char] = &['ש', 'ו', 'ת', 'פ', 'ע', 'ם', 'ה', 'ר', 'י'];
/// Arabic as PDFs draw it: contextual presentation forms (termtally's NFKC makes them letters).
const ARABIC: &[char] = &['ﺷ', 'ﺮ', 'ﺍ', 'ﻛ', 'ﺔ', 'ﻓ', 'ﻲ', 'ﻟ', 'ﻌ', 'ﻤ', 'ﻞ'];

/// A one-page (A4) PDF drawing `content`; fonts: /F1 Courier, /F2 and /F3 Courier-metric fonts
/// whose bytes `A`.. map to [`HEBREW`] and [`ARABIC`].
fn page_pdf(content: &str) -> Vec<u8> {
    let hebrew: Vec<(u8, char)> = HEBREW.iter().map(|&c| (code_for(HEBREW, c), c)).collect();
    let arabic: Vec<(u8, char)> = ARABIC.iter().map(|&c| (code_for(ARABIC, c), c)).collect();
    pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R /F2 6 0 R /F3 8 0 R >> >> >>"
            .to_vec(),
        stream(content.as_bytes()),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /ToUnicode 7 0 R >>".to_vec(),
        to_unicode(&hebrew),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /ToUnicode 9 0 R >>".to_vec(),
        to_unicode(&arabic),
    ])
}

/// Courier's advance, in em.
const COURIER: f64 = 0.6;

fn prose() -> String {
    PROSE.join("\n")
}

#[test]
fn quote_operators_minimal_case() {
    let pdf = page_pdf("BT /F1 12 Tf 14 TL 72 700 Td (a b) Tj (c d) ' ET");
    // One paragraph of two lines: `extract` prints it as one line.
    let out = extract(&pdf);
    assert_eq!(out.trim(), "a b c d", "{out}");
}

#[test]
fn quote_and_double_quote_operators() {
    // Odd lines by ', even ones by " (which also sets word and character spacing).
    let mut content = String::from("BT /F1 10 Tf 13 TL 72 780 Td\n");
    for (i, line) in PROSE.iter().enumerate() {
        if i % 2 == 0 {
            content.push_str(&format!("({line}) '\n"));
        } else {
            content.push_str(&format!("1 0.5 ({line}) \"\n"));
        }
    }
    content.push_str("ET");
    assert_reads_truly("quote-operators", &page_pdf(&content), &prose());
}

#[test]
fn two_columns_drawn_line_by_line_interleaved() {
    let (left, right) = PROSE.split_at(PROSE.len() / 2);
    let mut content = String::from("BT /F1 10 Tf\n");
    for (i, (l, r)) in left.iter().zip(right).enumerate() {
        let y = 780 - 13 * i as i32;
        content.push_str(&format!(
            "1 0 0 1 50 {y} Tm ({l}) Tj 1 0 0 1 320 {y} Tm ({r}) Tj\n"
        ));
    }
    content.push_str("ET");
    assert_reads_truly("two-columns", &page_pdf(&content), &prose());
}

/// A fixed xorshift sequence, so a failure can be reproduced.
fn shuffle<T>(items: &mut [T]) {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

/// Every glyph of `lines` placed on its own with `Tm`, at `size` points, along a baseline at
/// `angle` degrees, lines `leading` apart, with `extra` points between glyphs.
fn placed_glyphs(
    lines: &[&str],
    size: f64,
    angle: f64,
    extra: f64,
    origin: (f64, f64),
) -> Vec<String> {
    let (sin, cos) = angle.to_radians().sin_cos();
    let mut glyphs = Vec::new();
    for (row, line) in lines.iter().enumerate() {
        let down = row as f64 * size * 1.3;
        for (col, c) in line.chars().enumerate() {
            if c == ' ' {
                continue;
            }
            let along = col as f64 * (COURIER * size + extra);
            let x = origin.0 + along * cos + down * sin;
            let y = origin.1 + along * sin - down * cos;
            let c = if matches!(c, '(' | ')' | '\\') {
                format!("\\{c}")
            } else {
                c.to_string()
            };
            glyphs.push(format!(
                "{cos:.5} {sin:.5} {:.5} {cos:.5} {x:.3} {y:.3} Tm ({c}) Tj",
                -sin
            ));
        }
    }
    glyphs
}

#[test]
fn glyphs_drawn_in_random_order() {
    let mut glyphs = placed_glyphs(PROSE, 10.0, 0.0, 0.0, (72.0, 780.0));
    shuffle(&mut glyphs);
    let content = format!("BT /F1 10 Tf\n{}\nET", glyphs.join("\n"));
    assert_reads_truly("random-order", &page_pdf(&content), &prose());
}

#[test]
fn wide_character_spacing() {
    // Half the lines with 3 pt of character spacing (Tc) at 12 pt, half letter-spaced by
    // placing each glyph 2.5 pt further on (as a browser's print-to-PDF does).
    let (first, second) = PROSE.split_at(PROSE.len() / 2);
    let mut content = String::from("BT /F1 12 Tf 3 Tc 16 TL 40 800 Td\n");
    for line in first {
        content.push_str(&format!("T* ({line}) Tj\n"));
    }
    content.push_str("0 Tc ET\nBT /F1 12 Tf\n");
    content.push_str(&placed_glyphs(second, 12.0, 0.0, 2.5, (40.0, 500.0)).join("\n"));
    content.push_str("\nET");
    assert_reads_truly("letter-spaced", &page_pdf(&content), &prose());
}

#[test]
fn superscripts_made_with_text_rise_stay_in_their_line() {
    // A footnote mark raised with Ts after "authority" and "services" on every other line.
    let mut content = String::from("BT /F1 11 Tf 14 TL 72 780 Td\n");
    let mut truth = String::new();
    for (i, line) in PROSE.iter().enumerate() {
        content.push_str("T* ");
        let mut rest = *line;
        for word in ["authority", "services"] {
            let found = rest.find(word).filter(|_| i % 2 == 0);
            if let Some(at) = found {
                let (head, tail) = rest.split_at(at + word.len());
                content.push_str(&format!("({head}) Tj /F1 7 Tf 5 Ts (1) Tj 0 Ts /F1 11 Tf "));
                truth.push_str(head);
                truth.push_str(" 1");
                rest = tail;
            }
        }
        content.push_str(&format!("({rest}) Tj\n"));
        truth.push_str(rest);
        truth.push('\n');
    }
    content.push_str("ET");
    let pdf = page_pdf(&content);
    assert_reads_truly("superscripts", &pdf, &truth);
    // The sentence is one paragraph: the raised mark splits no block.
    let text = extract(&pdf);
    assert!(
        text.contains("The local authority 1 must work in partnership with parents"),
        "{text}"
    );
}

#[test]
fn rotated_text_reads_along_its_baseline() {
    // A table heading at 30 degrees and another upside down, glyph by glyph, shuffled.
    let (first, second) = PROSE.split_at(PROSE.len() / 2);
    let mut glyphs = placed_glyphs(first, 10.0, 30.0, 0.0, (60.0, 400.0));
    glyphs.extend(placed_glyphs(second, 10.0, 180.0, 0.0, (500.0, 200.0)));
    shuffle(&mut glyphs);
    let content = format!("BT /F1 10 Tf\n{}\nET", glyphs.join("\n"));
    assert_reads_truly("rotated", &page_pdf(&content), &prose());
}

#[test]
fn vertical_text_reads_along_its_baseline() {
    // Lines turned 90 degrees (reading upwards) and -90 (downwards), as in table headings.
    let (first, second) = PROSE.split_at(PROSE.len() / 2);
    let mut glyphs = placed_glyphs(first, 10.0, 90.0, 0.0, (80.0, 300.0));
    glyphs.extend(placed_glyphs(second, 10.0, -90.0, 0.0, (500.0, 800.0)));
    let content = format!("BT /F1 10 Tf\n{}\nET", glyphs.join("\n"));
    assert_reads_truly("vertical", &page_pdf(&content), &prose());
}

#[test]
fn right_to_left_text_reads_in_logical_order() {
    // Hebrew and Arabic drawn left to right in visual order (the last letter leftmost), as
    // word processors write them; an English line between them.
    let hebrew = "שותפות עם הורים שותפות"; // partnership with parents partnership
    let arabic = "ﺷﺮﺍﻛﺔ ﻓﻲ ﺍﻟﻌﻤﻞ"; // partnership in work
    let visual = |text: &str, alphabet: &[char]| -> String {
        // Final forms of Hebrew letters have their own code; others map one to one.
        text.chars()
            .rev()
            .map(|c| {
                if c == ' ' {
                    ' '
                } else {
                    code_for(alphabet, c) as char
                }
            })
            .collect()
    };
    let content = format!(
        "BT /F2 12 Tf 1 0 0 1 300 700 Tm ({}) Tj ET\n\
         BT /F1 12 Tf 1 0 0 1 72 680 Tm (The local authority works in partnership.) Tj ET\n\
         BT /F3 12 Tf 1 0 0 1 300 660 Tm ({}) Tj ET",
        visual(hebrew, HEBREW),
        visual(arabic, ARABIC)
    );
    // NFKC turns the presentation forms into letters: the truth is in letters.
    let arabic_letters = "شراكة في العمل";
    let truth = format!("{hebrew}\nThe local authority works in partnership.\n{arabic_letters}");
    assert_reads_truly("right-to-left", &page_pdf(&content), &truth);
}

/// Helvetica's advances (per 1000 em) of `a`..`z`.
const HELVETICA_LOWER: [u32; 26] = [
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
    278, 556, 500, 722, 500, 500, 500,
];

/// A glyph's CID in a TrueType subset in the standard glyph order (as Skia writes them with
/// `/CIDToGIDMap /Identity`), and its advance.
fn helvetica_cid(c: char) -> (u32, u32) {
    match c {
        ' ' => (3, 278),
        '/' => (18, 278),
        '0'..='9' => (19 + c as u32 - '0' as u32, 556),
        'a'..='z' => (
            68 + c as u32 - 'a' as u32,
            HELVETICA_LOWER[c as usize - 'a' as usize],
        ),
        _ => panic!("no glyph for {c:?}"),
    }
}

/// Chrome's print to PDF (Skia) gives a CIDFont's widths as ranges (`19 28 556` for the
/// digits, `68 72 556` for a to e) with `/DW 500`, and draws a line in several strings, each
/// placed where the last one truly ended. pdf-extract read no range, so every digit and a–e
/// was 500 wide, the strings drifted short and their joins became word breaks: the
/// Wikipedia printout's "file/711988/" came out "file/71 1988/".
#[test]
fn cid_font_widths_given_as_ranges() {
    let lines = [
        [
            "accessed the database and the code file/71",
            "1988/rich picture deadline",
        ],
        [
            "embedded in the decade before 2023 ref 5318",
            "13 and 0616 added",
        ],
    ];
    let mut content = String::from("BT /F1 10 Tf\n");
    for (row, parts) in lines.iter().enumerate() {
        let mut x = 72.0;
        for part in parts {
            let hex: String = part
                .chars()
                .map(|c| format!("{:04X}", helvetica_cid(c).0))
                .collect();
            content.push_str(&format!(
                "1 0 0 1 {x:.3} {} Tm <{hex}> Tj\n",
                700 - 14 * row
            ));
            x += part
                .chars()
                .map(|c| f64::from(helvetica_cid(c).1))
                .sum::<f64>()
                / 100.0;
        }
    }
    content.push_str("ET");
    let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
        1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
        4 beginbfrange <0003> <0003> <0020> <0012> <0012> <002F> <0013> <001C> <0030>\n\
        <0044> <005D> <0061> endbfrange\n\
        endcmap CMapName currentdict /CMap defineresource pop end end\n";
    let f_to_z: Vec<String> = HELVETICA_LOWER[5..].iter().map(u32::to_string).collect();
    let pdf = pdf_from_objects(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
           /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        stream(content.as_bytes()),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /AAAAAA+Helvetica /Encoding /Identity-H \
           /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>"
            .to_vec(),
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /AAAAAA+Helvetica \
             /CIDToGIDMap /Identity /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) \
             /Supplement 0 >> /FontDescriptor 7 0 R /DW 500 \
             /W [3 [278] 18 [278] 19 28 556 68 72 556 73 [{}]] >>",
            f_to_z.join(" ")
        )
        .into_bytes(),
        b"<< /Type /FontDescriptor /FontName /AAAAAA+Helvetica /Flags 32 \
           /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 \
           /CapHeight 700 /StemV 80 >>"
            .to_vec(),
        stream(cmap.as_bytes()),
    ]);
    let truth: String = lines.iter().map(|parts| parts.concat() + "\n").collect();
    assert_reads_truly("cid-width-ranges", &pdf, &truth);
    let text = extract(&pdf);
    assert!(text.contains("file/711988/rich"), "{text}");
    assert!(text.contains("ref 531813 and"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// PDFs from real producers

fn have(program: &str, version_arg: &str) -> bool {
    let ok = Command::new(program).arg(version_arg).output().is_ok();
    if !ok {
        eprintln!("\n*** SKIPPED: {program} is not installed (CI installs it) ***\n");
    }
    ok
}

/// 300 lines of the issue's sentence, as the truth.
fn three_hundred_lines() -> String {
    "The local authority must work in partnership with parents\n".repeat(300)
}

/// `text` as PostScript: Helvetica 10 pt, 12 pt apart, 60 lines a page.
fn postscript(text: &str) -> String {
    let mut ps = String::from("%!PS\n/Helvetica findfont 10 scalefont setfont\n");
    for (i, line) in text.lines().enumerate() {
        if i > 0 && i % 60 == 0 {
            ps.push_str("showpage /Helvetica findfont 10 scalefont setfont\n");
        }
        ps.push_str(&format!(
            "72 {} moveto ({line}) show\n",
            760 - 12 * (i % 60)
        ));
    }
    ps.push_str("showpage\n");
    ps
}

fn ghostscript(dir: &Path, ps: &str) -> Vec<u8> {
    fs::write(dir.join("in.ps"), ps).expect("write");
    let status = Command::new("gs")
        .current_dir(dir)
        .args([
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-dSAFER",
            "-sDEVICE=pdfwrite",
            "-sOutputFile=out.pdf",
            "in.ps",
        ])
        .status()
        .expect("gs");
    assert!(status.success());
    fs::read(dir.join("out.pdf")).expect("gs output")
}

/// How often `operator` is used in the PDF's page content (so a fixture proves what it tests).
fn operator_uses(pdf: &[u8], operator: &str) -> usize {
    let doc = pdf_extract::Document::load_mem(pdf).expect("load");
    doc.get_pages()
        .values()
        .map(|&page| {
            let content = doc.get_page_content(page).expect("content");
            pdf_extract::content::Content::decode(&content)
                .expect("decode")
                .operations
                .iter()
                .filter(|op| op.operator == operator)
                .count()
        })
        .sum()
}

#[test]
fn ghostscript_pdf_of_300_lines_counts_partnership_300() {
    if !have("gs", "--version") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let truth = three_hundred_lines();
    let pdf = ghostscript(dir.path(), &postscript(&truth));
    assert!(
        operator_uses(&pdf, "'") >= 250,
        "ghostscript draws lines with '"
    );
    assert_reads_truly("ghostscript", &pdf, &truth);
}

#[test]
fn groff_pdfs_direct_and_through_ghostscript() {
    if !have("groff", "--version") || !have("gs", "--version") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let truth = format!("{}{}", three_hundred_lines(), prose());
    let roff = format!(".nf\n.ps 10\n.vs 12\n{truth}\n");
    for device in ["pdf", "ps"] {
        let out = Command::new("groff")
            .arg(format!("-T{device}"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(roff.as_bytes())?;
                child.wait_with_output()
            })
            .expect("groff");
        if !out.status.success() || out.stdout.is_empty() {
            eprintln!(
                "\n*** SKIPPED: groff -T{device} failed (is Debian's groff, not only groff-base, installed?): {} ***\n",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        let pdf = if device == "ps" {
            ghostscript(dir.path(), &String::from_utf8_lossy(&out.stdout))
        } else {
            out.stdout
        };
        assert_reads_truly(&format!("groff-{device}"), &pdf, &truth);
    }
}

/// CUPS's text filter (`texttopdf` of Debian's cups-filters, what CUPS runs to print a text
/// file to PDF): 300 lines over five pages of Courier, one `Td`/`Tj` a line.
#[test]
fn cups_texttopdf_of_300_lines() {
    const FILTER: &str = "/usr/lib/cups/filter/texttopdf";
    if !Path::new(FILTER).exists() {
        eprintln!("\n*** SKIPPED: {FILTER} is not installed (CI installs cups-filters) ***\n");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let truth = format!("{}{}", three_hundred_lines(), prose());
    fs::write(dir.path().join("in.txt"), &truth).expect("write");
    // The CUPS filter interface: job id, user, title, copies, options, file.
    let out = Command::new(FILTER)
        .args(["1", "user", "title", "1", ""])
        .arg(dir.path().join("in.txt"))
        .output()
        .expect("texttopdf");
    assert!(
        out.status.success() && out.stdout.starts_with(b"%PDF-"),
        "texttopdf: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(operator_uses(&out.stdout, "Tj") >= 300, "one Tj a line");
    assert_reads_truly("cups-texttopdf", &out.stdout, &truth);
}

// ---------------------------------------------------------------------------------------------
// Lenient repair

#[test]
fn pdfs_poppler_opens_despite_a_bad_ending_or_startxref_are_read() {
    let good = page_pdf(&format!(
        "BT /F1 10 Tf 13 TL 72 780 Td\n{}\nET",
        PROSE
            .iter()
            .map(|l| format!("({l}) '"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    let mut extra_eof = good.clone();
    extra_eof.extend_from_slice(b"%%EOF\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n%%EOF\n");
    let text = String::from_utf8_lossy(&good).into_owned();
    let at = text.rfind("startxref\n").expect("startxref") + "startxref\n".len();
    let end = at + text[at..].find('\n').expect("offset end");
    let wrong_startxref = format!("{}{}{}", &text[..at], "1234", &text[end..]).into_bytes();
    let mut garbage_tail = good.clone();
    garbage_tail.extend_from_slice(b"\x00\x00 junk appended by a mail gateway\n");
    for (case, pdf) in [
        ("extra-eof", extra_eof),
        ("wrong-startxref", wrong_startxref),
        ("garbage-tail", garbage_tail),
    ] {
        if Command::new("pdftotext").arg("-v").output().is_ok() {
            let dir = tempfile::tempdir().expect("tempdir");
            fs::write(dir.path().join("x.pdf"), &pdf).expect("write");
            let poppler = Command::new("pdftotext")
                .arg(dir.path().join("x.pdf"))
                .arg("-")
                .output()
                .expect("pdftotext");
            assert!(
                String::from_utf8_lossy(&poppler.stdout).contains("partnership with parents"),
                "{case}: poppler must open the fixture"
            );
        }
        assert_reads_truly(case, &pdf, &prose());
    }
}

fn extract(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("x.pdf"), pdf).expect("write");
    let out = termtally()
        .current_dir(dir.path())
        .args(["extract", "--keep-headers", "x.pdf"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

// ---------------------------------------------------------------------------------------------
// A real rotated table heading

/// Page 166 of the adoption guidance has a table heading set sideways, glyph by glyph, which
/// came out as about 230 one-letter tokens ("S e r v i c e s t o e n a b l e ...").
#[test]
fn rotated_table_heading_of_the_adoption_guidance() {
    let Some(pdf) = corpus_file("dfe-statutory-guidance-on-adoption-2013.pdf") else {
        return;
    };
    if !have("pdftotext", "-v") {
        return;
    }
    let out = termtally()
        .args(["extract", "--keep-headers"])
        .arg(&pdf)
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let page = text.split('\u{c}').nth(165).expect("page 166");
    let got = tokens(page);
    let longest = got
        .iter()
        .fold((0, 0), |(run, best), t| {
            let run = if t.chars().count() == 1 { run + 1 } else { 0 };
            (run, best.max(run))
        })
        .1;
    assert!(longest < 5, "a run of {longest} one-letter tokens:\n{page}");
    let poppler = Command::new("pdftotext")
        .args(["-f", "166", "-l", "166"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let want = tokens(&String::from_utf8_lossy(&poppler.stdout));
    let agreement = multiset_jaccard(got, want);
    assert!(agreement >= 0.95, "token agreement {agreement:.4}:\n{page}");
}
