//! termtally's own lexicon format (TOML), read with line numbers and written back as editable TOML.
//!
//! ```toml
//! name = "Boddison & Soan (2021) joint-working terms"
//! source = "Boddison & Soan (2021), Tables 1-2"
//! description = "optional"
//! [categories]                      # declaration order is the order of category totals
//! directive = "expert-led language, from professional to family"
//! collaborative = "joint-working language"
//! [[terms]]
//! label = "Co-operation"            # row label in tables, in lexicon order
//! category = "collaborative"        # must be declared in [categories]
//! forms = ["co-operation", "cooperation"]
//! exclude = ["co-operation agreement"] # optional: phrases whose hits of this term are not counted
//! note = "optional"
//! ```

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use toml::Spanned;

use super::{Lexicon, LexiconError, LineIndex, Located, RawLexicon, RawTerm, line_of};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLexicon {
    name: Option<String>,
    source: Option<String>,
    description: Option<String>,
    categories: Option<Spanned<OrderedCategories>>,
    terms: Option<Vec<Spanned<FileTerm>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTerm {
    label: Spanned<String>,
    category: Spanned<String>,
    forms: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    note: Option<String>,
}

/// `[categories]` in file order (the `preserve_order` feature of `toml` keeps it).
struct OrderedCategories(Vec<(Spanned<String>, Spanned<String>)>);

impl<'de> Deserialize<'de> for OrderedCategories {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedCategories;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of category names and descriptions, e.g. directive = \"expert-led language\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<Spanned<String>, Spanned<String>>()? {
                    out.push((k, v));
                }
                Ok(OrderedCategories(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parses termtally lexicon TOML into located raw entries (not yet validated).
pub fn parse(text: &str, file: &str) -> Result<RawLexicon, LexiconError> {
    let parsed: FileLexicon = ::toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let message = e.message().trim().replace('\n', "; ");
        let message = if message.contains("unknown field") {
            format!("{message} (a lexicon has name, source, description, [categories] and [[terms]] with label, category, forms, exclude, note)")
        } else {
            message
        };
        LexiconError::at(file, line, format!("TOML: {message}"))
    })?;
    let lines = LineIndex::new(text);
    let line = |s: std::ops::Range<usize>| Some(lines.line_of(s.start));
    let categories = parsed
        .categories
        .map(|c| {
            c.into_inner()
                .0
                .into_iter()
                .map(|(k, v)| {
                    (
                        Located::new(k.get_ref().clone(), line(k.span())),
                        v.into_inner(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let terms = parsed
        .terms
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            let term_line = line(t.span());
            let t = t.into_inner();
            RawTerm {
                line: term_line,
                label: Located::new(t.label.get_ref().clone(), line(t.label.span())),
                category: Located::new(t.category.get_ref().clone(), line(t.category.span())),
                forms: t
                    .forms
                    .into_iter()
                    .map(|f| Located::new(f.get_ref().clone(), line(f.span())))
                    .collect(),
                exclude: t
                    .exclude
                    .into_iter()
                    .map(|f| Located::new(f.get_ref().clone(), line(f.span())))
                    .collect(),
                note: t.note,
            }
        })
        .collect();
    Ok(RawLexicon {
        name: parsed.name,
        source: parsed.source,
        description: parsed.description,
        categories,
        terms,
    })
}

/// A TOML basic string literal.
fn quote(s: &str) -> String {
    ::toml::Value::String(s.to_string()).to_string()
}

/// A TOML key: bare when possible.
fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        s.to_string()
    } else {
        quote(s)
    }
}

/// Writes a lexicon as termtally TOML that [`parse`] reads back to the same lexicon.
pub fn write(lex: &Lexicon) -> String {
    let mut out = String::new();
    out.push_str(&format!("name = {}\n", quote(&lex.name)));
    if let Some(s) = &lex.source {
        out.push_str(&format!("source = {}\n", quote(s)));
    }
    if let Some(d) = &lex.description {
        out.push_str(&format!("description = {}\n", quote(d)));
    }
    out.push_str("\n[categories]\n");
    for c in &lex.categories {
        out.push_str(&format!("{} = {}\n", key(&c.name), quote(&c.description)));
    }
    for t in &lex.terms {
        out.push_str("\n[[terms]]\n");
        out.push_str(&format!("label = {}\n", quote(&t.label)));
        out.push_str(&format!("category = {}\n", quote(&t.category)));
        let forms: Vec<String> = t.forms.iter().map(|f| quote(f)).collect();
        let one_line = format!("forms = [{}]\n", forms.join(", "));
        if one_line.len() <= 100 {
            out.push_str(&one_line);
        } else {
            out.push_str("forms = [\n");
            for f in forms {
                out.push_str(&format!("    {f},\n"));
            }
            out.push_str("]\n");
        }
        if !t.exclude.is_empty() {
            let exclude: Vec<String> = t.exclude.iter().map(|f| quote(f)).collect();
            out.push_str(&format!("exclude = [{}]\n", exclude.join(", ")));
        }
        if let Some(n) = &t.note {
            out.push_str(&format!("note = {}\n", quote(n)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lexicon::{BUILTINS, Lexicon};

    const GOOD: &str = r#"
name = "test"
[categories]
zeta = "declared first"
alpha = "declared second"
[[terms]]
label = "Co-operation"
category = "alpha"
forms = ["co-operation", "cooperation"]
[[terms]]
label = "Must"
category = "zeta"
forms = ["must"]
note = "a note"
"#;

    fn error_of(text: &str) -> String {
        Lexicon::from_toml_str(text, "my.toml")
            .map(|_| ())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_terms_and_keeps_category_order() {
        let lex = Lexicon::from_toml_str(GOOD, "my.toml").unwrap();
        assert_eq!(lex.categories[0].name, "zeta");
        assert_eq!(lex.categories[1].name, "alpha");
        assert_eq!(lex.terms[0].forms, ["co-operation", "cooperation"]);
        assert_eq!(lex.terms[0].category_index, 1);
        assert_eq!(lex.terms[1].note.as_deref(), Some("a note"));
    }

    #[test]
    fn written_toml_reads_back_identically() {
        for b in BUILTINS {
            let lex = Lexicon::from_builtin(b).unwrap();
            let again = Lexicon::from_toml_str(&lex.to_toml(), &lex.origin).unwrap();
            assert_eq!(lex, again, "{}", b.name);
        }
        let weird = GOOD
            .replace("zeta = ", "\"two words\" = ")
            .replace("category = \"zeta\"", "category = \"two words\"")
            .replace("a note", "quote \\\" and \\\\ backslash");
        let lex = Lexicon::from_toml_str(&weird, "w.toml").unwrap();
        assert_eq!(
            Lexicon::from_toml_str(&lex.to_toml(), "w.toml").unwrap(),
            lex
        );
    }

    #[test]
    fn undeclared_category_names_line_and_declared_ones() {
        let e = error_of(&GOOD.replace("category = \"zeta\"", "category = \"zeda\""));
        assert!(
            e.starts_with("my.toml: line 12: term \"Must\": category \"zeda\" is not declared"),
            "{e}"
        );
        assert!(e.contains("declared: zeta, alpha"), "{e}");
    }

    #[test]
    fn empty_forms_and_empty_form_are_errors() {
        let e = error_of(&GOOD.replace("forms = [\"must\"]", "forms = []"));
        assert!(
            e.contains("line 10") && e.contains("\"Must\" has no forms"),
            "{e}"
        );
        let e = error_of(&GOOD.replace("forms = [\"must\"]", "forms = [\"  \"]"));
        assert!(e.contains("line 13: term \"Must\": empty form"), "{e}");
    }

    #[test]
    fn duplicate_forms_are_errors_within_and_across_terms() {
        let e = error_of(&GOOD.replace("forms = [\"must\"]", "forms = [\"Cooperation\"]"));
        assert!(e.contains("line 13: duplicate form \"Cooperation\""), "{e}");
        assert!(e.contains("under term \"Co-operation\" at line 9"), "{e}");
        let e = error_of(&GOOD.replace("forms = [\"must\"]", "forms = [\"must\", \"MUST\"]"));
        assert!(
            e.contains("duplicate form \"MUST\" (already listed for this term"),
            "{e}"
        );
    }

    #[test]
    fn bad_glob_and_syntax_errors_point_at_the_line() {
        let e = error_of(&GOOD.replace("\"must\"", "\"mus?\""));
        assert!(e.contains("line 13") && e.contains("bad glob"), "{e}");
        let e = error_of(&GOOD.replace("forms = [\"must\"]", "forms = [\"must\""));
        assert!(
            e.starts_with("my.toml: line 1") && e.contains("TOML"),
            "{e}"
        );
        let e = error_of(&GOOD.replace("note =", "notes ="));
        assert!(e.contains("line 14") && e.contains("unknown field"), "{e}");
        let e = error_of(&GOOD.replace("label = \"Must\"\n", ""));
        assert!(e.contains("missing field `label`"), "{e}");
    }

    #[test]
    fn every_problem_is_reported_and_nothing_loads() {
        let bad = GOOD
            .replace("category = \"zeta\"", "category = \"nope\"")
            .replace("\"cooperation\"", "\"co operation?\"");
        let e = Lexicon::from_toml_str(&bad, "my.toml").unwrap_err();
        assert_eq!(e.problems.len(), 2, "{e}");
        assert!(e.to_string().contains("2 problems; lexicon not loaded"));
    }
}
