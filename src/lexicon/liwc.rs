//! LIWC dictionaries (`.dic`): a `%`-delimited header of numbered categories, then one entry per
//! line, a word or `prefix*` followed by the numbers of its categories:
//!
//! ```text
//! %
//! 1    collaborative
//! 2    directive
//! %
//! collaborat*    1
//! advise    2
//! ```
//!
//! (fields separated by tabs or spaces)
//!
//! LIWC has no exclusions: a `.dic` lexicon's terms have none (use `--exclude PHRASE`, or
//! `lexicon convert` to TOML and add `exclude = [...]`).
//!
//! Each LIWC category becomes one category and one term of the same name, so tables read like
//! LIWC output. termtally counts every word for one term only, so an entry listed under two
//! categories is reported as a duplicate form (with both lines), not silently double counted.

use super::{LexiconError, Located, Problem, RawLexicon, RawTerm};

/// Parses a LIWC `.dic` file into located raw entries (not yet validated).
pub fn parse(text: &str, file: &str) -> Result<RawLexicon, LexiconError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()));
    let mut problems: Vec<Problem> = Vec::new();
    let mut problem = |line: usize, message: String| {
        problems.push(Problem {
            line: Some(line),
            message,
        })
    };

    // Header: "%" line, category lines, "%" line.
    let opening = lines.by_ref().find(|(_, l)| !l.is_empty());
    match opening {
        Some((_, "%")) => {}
        Some((n, _)) => {
            return Err(LexiconError::at(
                file,
                Some(n),
                "not a LIWC dictionary: it must start with a line holding only `%`, then the numbered categories, then `%`",
            ));
        }
        None => return Err(LexiconError::whole(file, "the file is empty")),
    }
    let (categories, closed) = parse_categories(&mut lines, &mut problem);
    if !closed {
        problem(
            text.lines().count().max(1),
            "the category list is not closed by a line holding only `%`".to_string(),
        );
    }
    let mut terms: Vec<RawTerm> = categories
        .iter()
        .map(|(_, name, n)| RawTerm {
            line: Some(*n),
            label: Located::new(name.clone(), Some(*n)),
            category: Located::new(name.clone(), Some(*n)),
            forms: Vec::new(),
            exclude: Vec::new(),
            note: None,
        })
        .collect();
    parse_entries(lines, &categories, &mut terms, &mut problem);
    if !problems.is_empty() {
        return Err(LexiconError {
            file: file.to_string(),
            problems,
        });
    }
    Ok(RawLexicon {
        source: Some(format!("LIWC dictionary {file}")),
        categories: categories
            .into_iter()
            .map(|(_, name, n)| (Located::new(name.clone(), Some(n)), name))
            .collect(),
        terms,
        ..RawLexicon::default()
    })
}

/// The numbered categories between the two `%` lines: (number, name, line). Also whether the
/// closing `%` was found.
fn parse_categories<'a>(
    lines: &mut impl Iterator<Item = (usize, &'a str)>,
    problem: &mut impl FnMut(usize, String),
) -> (Vec<(String, String, usize)>, bool) {
    let mut categories: Vec<(String, String, usize)> = Vec::new();
    let mut closed = false;
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        if line == "%" {
            closed = true;
            break;
        }
        let mut fields = line.split_whitespace();
        let (Some(number), Some(name)) = (fields.next(), fields.next()) else {
            problem(
                n,
                format!(
                    "category line {line:?} must be a number and a name, e.g. `1\tcollaborative`"
                ),
            );
            continue;
        };
        if number.parse::<u32>().is_err() {
            problem(
                n,
                format!("category number {number:?} is not a whole number"),
            );
            continue;
        }
        if categories.iter().any(|(num, _, _)| num == number) {
            problem(n, format!("category number {number} is declared twice"));
            continue;
        }
        categories.push((number.to_string(), name.to_string(), n));
    }
    (categories, closed)
}

/// The entries after the header: each word (or phrase) is a form of the categories whose
/// numbers follow it.
fn parse_entries<'a>(
    lines: impl Iterator<Item = (usize, &'a str)>,
    categories: &[(String, String, usize)],
    terms: &mut [RawTerm],
    problem: &mut impl FnMut(usize, String),
) {
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        // The word may be a phrase: everything before the trailing category numbers.
        let fields: Vec<&str> = line.split_whitespace().collect();
        let numbers_from = fields
            .iter()
            .rposition(|f| f.parse::<u32>().is_err())
            .map_or(0, |i| i + 1);
        if numbers_from == 0 {
            problem(n, format!("entry {line:?} has no word"));
            continue;
        }
        if numbers_from == fields.len() {
            // Some LIWC versions write conditional codes such as `like  02/01 53`; we cannot
            // evaluate them, so say so rather than guess.
            problem(
                n,
                format!(
                    "entry {line:?}: no category numbers after the word (conditional LIWC codes like `02/01` are not supported)"
                ),
            );
            continue;
        }
        let word = fields[..numbers_from].join(" ");
        for number in &fields[numbers_from..] {
            match categories
                .iter()
                .position(|(num, _, _)| num.parse::<u32>().ok() == number.parse::<u32>().ok())
            {
                Some(i) => terms[i].forms.push(Located::new(word.clone(), Some(n))),
                None => problem(
                    n,
                    format!(
                        "entry {word:?}: category number {number} is not declared in the header"
                    ),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::lexicon::validate;

    #[test]
    fn reads_categories_and_entries() {
        let text = "%\n1\tcollaborative\n2\tdirective\n%\ncollaborat*\t1\nadvise\t2\nworking together\t1\n";
        let lex = validate(parse(text, "x.dic").unwrap(), "x.dic").unwrap();
        assert_eq!(lex.terms.len(), 2);
        assert_eq!(lex.terms[0].label, "collaborative");
        assert_eq!(lex.terms[0].forms, ["collaborat*", "working together"]);
        assert_eq!(lex.terms[1].forms, ["advise"]);
    }

    #[test]
    fn explains_what_is_wrong_with_line_numbers() {
        let e = parse("%\n1\ta\n%\nword\t3\n", "x.dic")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "x.dic: line 4: entry \"word\": category number 3 is not declared in the header"
        );
        let e = parse("1\ta\n", "x.dic").unwrap_err().to_string();
        assert!(e.contains("line 1: not a LIWC dictionary"), "{e}");
        let e = parse("%\n1\ta\nword 1\n", "x.dic").unwrap_err().to_string();
        assert!(e.contains("not closed"), "{e}");
        // A word in two categories would be counted twice: refused, with both places named.
        let e = validate(
            parse("%\n1\ta\n2\tb\n%\nword\t1\t2\n", "x.dic").unwrap(),
            "x.dic",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(
                "line 5: duplicate form \"word\": listed under term \"b\" and under term \"a\""
            ),
            "{e}"
        );
    }
}
