//! quanteda dictionaries in YAML (`quanteda::dictionary(file = "x.yml")`), e.g.
//!
//! ```yaml
//! economy:            # a top-level key is a category
//!   - tax*            # a list under it: one term named like the category
//!   - jobs
//! joint working:
//!   collaboration:    # nested keys: terms of that category
//!     - collaborat*
//!   partnership:
//!     - partnership
//!     - working together   # whitespace: a multi-word form, as in quanteda
//! ```
//!
//! Deeper nesting is flattened into term labels joined with `.`, as quanteda's
//! `flatten_dictionary` does. Glob `*` is supported; `?` is not (an error says so).
//!
//! quanteda dictionaries have no place for exclusions: a YAML lexicon's terms have none (use
//! `--exclude PHRASE`, or `lexicon convert` to TOML and add `exclude = [...]`).

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::{LexiconError, Located, RawLexicon, RawTerm};

/// A YAML node with its line.
#[derive(Debug, Clone)]
enum Node {
    Scalar(String, usize),
    Seq(Vec<Node>, usize),
    Map(Vec<(Node, Node)>, usize),
    Alias(usize),
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Scalar(_, l) | Node::Seq(_, l) | Node::Map(_, l) | Node::Alias(l) => *l,
        }
    }
}

/// Builds a tree of [`Node`]s from parser events.
#[derive(Default)]
struct Builder {
    stack: Vec<Node>,
    docs: Vec<Node>,
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Node::Seq(items, _)) => items.push(node),
            Some(Node::Map(entries, _)) => {
                // Keys and values arrive alternately; a pending key has a placeholder value.
                match entries.last_mut() {
                    Some((_, v @ Node::Alias(usize::MAX))) => *v = node,
                    _ => entries.push((node, Node::Alias(usize::MAX))),
                }
            }
            _ => self.docs.push(node),
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line().max(1);
        match ev {
            Event::Scalar(value, ..) => self.push_value(Node::Scalar(value, line)),
            Event::SequenceStart(..) => self.stack.push(Node::Seq(Vec::new(), line)),
            Event::MappingStart(..) => self.stack.push(Node::Map(Vec::new(), line)),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(node) = self.stack.pop() {
                    self.push_value(node);
                }
            }
            Event::Alias(_) => self.push_value(Node::Alias(line)),
            _ => {}
        }
    }
}

/// Parses a quanteda YAML dictionary into located raw entries (not yet validated).
pub fn parse(text: &str, file: &str) -> Result<RawLexicon, LexiconError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| {
        LexiconError::at(
            file,
            Some(e.marker().line().max(1)),
            format!("YAML: {}", e.info()),
        )
    })?;
    let Some(root) = builder.docs.into_iter().next() else {
        return Err(LexiconError::whole(
            file,
            "empty YAML file: a quanteda dictionary maps category names to lists of words",
        ));
    };
    let Node::Map(entries, _) = root else {
        return Err(LexiconError::at(
            file,
            Some(root.line()),
            "not a quanteda dictionary: the top level must map category names to lists of words",
        ));
    };
    let mut raw = RawLexicon {
        source: Some(format!("quanteda YAML dictionary {file}")),
        ..RawLexicon::default()
    };
    let mut problems = Vec::new();
    for (key, value) in entries {
        let Some(category) = scalar(&key) else {
            problems.push((key.line(), "a category name must be text".to_string()));
            continue;
        };
        raw.categories.push((
            Located::new(category.clone(), Some(key.line())),
            category.clone(),
        ));
        match value {
            Node::Map(sub, _) => {
                for (k, v) in sub {
                    collect_terms(&k, &v, &category, "", &mut raw.terms, &mut problems);
                }
            }
            other => collect_terms(&key, &other, &category, "", &mut raw.terms, &mut problems),
        }
    }
    if let Some(&(line, ref message)) = problems.first() {
        let mut err = LexiconError::at(file, Some(line), message.clone());
        for (line, message) in problems.into_iter().skip(1) {
            err.problems.push(super::Problem {
                line: Some(line),
                message,
            });
        }
        return Err(err);
    }
    Ok(raw)
}

fn scalar(node: &Node) -> Option<String> {
    match node {
        Node::Scalar(s, _) => Some(s.clone()),
        _ => None,
    }
}

/// Adds the term(s) under `key`: a list or single word is one term; a mapping nests deeper.
fn collect_terms(
    key: &Node,
    value: &Node,
    category: &str,
    prefix: &str,
    terms: &mut Vec<RawTerm>,
    problems: &mut Vec<(usize, String)>,
) {
    let Some(name) = scalar(key) else {
        problems.push((key.line(), "a dictionary key must be text".to_string()));
        return;
    };
    let label = if prefix.is_empty() {
        name
    } else {
        format!("{prefix}.{name}")
    };
    let forms = match value {
        Node::Scalar(s, line) if s.is_empty() => {
            problems.push((*line, format!("key {label:?} has no words")));
            return;
        }
        Node::Scalar(s, line) => vec![Located::new(s.clone(), Some(*line))],
        Node::Seq(items, _) => {
            let mut forms = Vec::new();
            for item in items {
                match item {
                    Node::Scalar(s, line) => forms.push(Located::new(s.clone(), Some(*line))),
                    other => problems.push((
                        other.line(),
                        format!("key {label:?}: each entry of the list must be a word or phrase"),
                    )),
                }
            }
            forms
        }
        Node::Map(sub, _) => {
            for (k, v) in sub {
                collect_terms(k, v, category, &label, terms, problems);
            }
            return;
        }
        Node::Alias(line) => {
            problems.push((
                *line,
                "YAML aliases (*name) are not supported in dictionaries".to_string(),
            ));
            return;
        }
    };
    terms.push(RawTerm {
        line: Some(key.line()),
        label: Located::new(label, Some(key.line())),
        category: Located::new(category.to_string(), Some(key.line())),
        forms,
        exclude: Vec::new(),
        note: None,
    });
}

/// Writes `lex` as a quanteda dictionary (`quanteda::dictionary(file = "x.yml")`): each
/// category a top-level key, each term a key under it with its forms as a list. [`parse`] reads
/// it back to the same categories, terms and forms. Also returns what quanteda will not do as
/// termtally does, for a warning: termtally's `family` mode, a `*` inside a word (quanteda's `*`
/// matches any characters, termtally's only letters and digits), and counting each word for at
/// most one term (quanteda counts a word for every key it matches). Category descriptions and
/// notes, which quanteda has no place for, become comments.
pub fn write(lex: &super::Lexicon) -> (String, Vec<String>) {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"));
    let mut out = String::new();
    out.push_str(&format!(
        "# quanteda dictionary written by termtally {} from {} ({})\n",
        env!("CARGO_PKG_VERSION"),
        comment_text(&lex.name),
        comment_text(&lex.origin)
    ));
    if let Some(source) = &lex.source {
        out.push_str(&format!("# source: {}\n", comment_text(source)));
    }
    out.push_str("# In R: dict <- quanteda::dictionary(file = \"THIS_FILE.yml\")\n");
    let mut globs = Vec::new();
    for category in &lex.categories {
        out.push_str(&format!("\n# {}\n", comment_text(&category.description)));
        out.push_str(&format!("{}:\n", quote(&category.name)));
        for term in lex.terms.iter().filter(|t| t.category == category.name) {
            if let Some(note) = &term.note {
                out.push_str(&format!("  # {}\n", comment_text(note)));
            }
            out.push_str(&format!("  {}:\n", quote(&term.label)));
            for form in &term.forms {
                out.push_str(&format!("    - {}\n", quote(form)));
                if form.contains('*') {
                    globs.push(form.clone());
                }
            }
        }
    }
    let mut warnings = vec![
        "quanteda matches the forms as written: termtally's --mode family (regular inflections, \
         -s -'s -ed -ing) has no quanteda equivalent; list the inflected forms or add a `*`"
            .to_string(),
        "quanteda counts a word for every key it matches (termtally counts each word for at most \
         one term), so totals can differ where forms overlap"
            .to_string(),
    ];
    if !globs.is_empty() {
        warnings.push(format!(
            "quanteda's `*` matches any characters (hyphens and apostrophes too), termtally's \
             only letters and digits, so these forms can match more in quanteda: {}",
            globs.join(", ")
        ));
    }
    (out, warnings)
}

/// Text on one comment line.
fn comment_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_reads_back_from_quanteda_yaml_with_the_same_terms_and_forms() {
        use crate::lexicon::{BUILTINS, Lexicon, validate};
        for builtin in BUILTINS {
            let lex = Lexicon::from_builtin(builtin).unwrap();
            let (text, warnings) = super::write(&lex);
            assert!(warnings.iter().any(|w| w.contains("family")));
            let back = validate(super::parse(&text, "x.yml").unwrap(), "x.yml")
                .unwrap_or_else(|e| panic!("{}: {e}\n{text}", builtin.name));
            let names = |l: &Lexicon| {
                l.categories
                    .iter()
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(names(&back), names(&lex), "{}", builtin.name);
            let terms = |l: &Lexicon| {
                let mut terms: Vec<(String, String, Vec<String>)> = l
                    .terms
                    .iter()
                    .map(|t| (t.label.clone(), t.category.clone(), t.forms.clone()))
                    .collect();
                terms.sort();
                terms
            };
            assert_eq!(terms(&back), terms(&lex), "{}", builtin.name);
        }
    }

    use super::parse;
    use crate::lexicon::validate;

    #[test]
    fn reads_flat_and_nested_dictionaries() {
        let text = "economy:\n  - tax*\n  - jobs\njoint working:\n  collaboration:\n    - collaborat*\n  partnership:\n    - partnership\n    - working together\n  deep:\n    deeper: [a, b]\n";
        let lex = validate(parse(text, "d.yml").unwrap(), "d.yml").unwrap();
        let names: Vec<_> = lex.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["economy", "joint working"]);
        let labels: Vec<_> = lex.terms.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["economy", "collaboration", "partnership", "deep.deeper"]
        );
        assert_eq!(lex.terms[2].forms, ["partnership", "working together"]);
        assert_eq!(lex.terms[2].category, "joint working");
    }

    #[test]
    fn errors_carry_yaml_lines() {
        let e = validate(parse("a:\n  - x\nb:\n  - x\n", "d.yml").unwrap(), "d.yml").unwrap_err();
        assert_eq!(e.problems[0].line, Some(4), "{e}");
        assert!(e.to_string().contains("duplicate form \"x\""), "{e}");
        let e = validate(parse("a:\n  - colo?r\n", "d.yml").unwrap(), "d.yml").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("d.yml: line 2: term \"a\": form \"colo?r\": bad glob"),
            "{e}"
        );
        let e = parse("a:\n  - x\n b: [\n", "d.yml").unwrap_err();
        assert!(e.to_string().contains("YAML"), "{e}");
        let e = parse("- just\n- a list\n", "d.yml").unwrap_err();
        assert!(e.to_string().contains("not a quanteda dictionary"), "{e}");
    }
}
