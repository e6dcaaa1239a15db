//! The documents the web app holds and everything it computes from them, through the library
//! code the commands use: the report page of `termtally report` (`report::page`,
//! `render::html`), the table of `count` (`report::count`), the concordance of `kwic` (the same
//! matcher and contexts) and the downloads (the renderers of `--format`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::count::{CorpusCounts, Unit, count_document};
use crate::document::{Document, Format};
use crate::extract::{ExtractOptions, Input, extract};
use crate::kwic::{Concordance, DEFAULT_WIDTH, Span, contexts};
use crate::lexicon::{Lexicon, Located, RawLexicon, RawTerm};
use crate::matcher::{Matcher, Mode};
use crate::normalise::{NormaliseOptions, normalise_with};
use crate::render::html::Change;
use crate::render::html::{ReportPage, render as render_page};
use crate::report::count::{build_report, spreadsheet_sheets};
use crate::report::page::{
    DEFAULT_CONTEXTS, analyse, change_of, cleaning_note, generated_at, hex_sha256, shell_quote,
};
use crate::scope::{HeadingPattern, PageRanges, Scope, SectionRanges};
use crate::table::Report;

/// One document the app holds: its name as the browser gave it (shown, never used as a path),
/// where its bytes are stored, their SHA-256, and its text.
#[derive(Debug)]
pub struct Entry {
    pub id: u64,
    pub name: String,
    pub stored: PathBuf,
    pub sha256: String,
    pub document: Arc<Document>,
}

impl Entry {
    pub fn is_pdf(&self) -> bool {
        self.document.format == Format::Pdf
    }

    pub fn summary(&self) -> Summary {
        Summary {
            id: self.id,
            name: self.name.clone(),
            format: self.document.format.name(),
            pages: self.document.page_count,
            pdf: self.is_pdf(),
        }
    }
}

/// A document as the page lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub id: u64,
    pub name: String,
    pub format: &'static str,
    pub pages: Option<u32>,
    pub pdf: bool,
}

/// The documents held, by id.
#[derive(Debug)]
pub struct Workspace {
    entries: Mutex<BTreeMap<u64, Arc<Entry>>>,
    next: AtomicU64,
    extract: ExtractOptions,
    cleaning: NormaliseOptions,
}

impl Workspace {
    pub fn new(extract: ExtractOptions, cleaning: NormaliseOptions) -> Workspace {
        Workspace {
            entries: Mutex::new(BTreeMap::new()),
            next: AtomicU64::new(1),
            extract,
            cleaning,
        }
    }

    fn entries(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<Entry>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Extracts and normalises the file at `stored` (PDFs in the isolated worker of the command
    /// line, with its time and memory limits) and holds it as `name`; or the one-line reason it
    /// cannot be read. Blocking: the caller runs it on a bounded pool.
    pub fn load(&self, stored: &Path, name: &str, bytes: &[u8]) -> Result<Summary, String> {
        let mut document = extract(&Input::Path(stored.to_path_buf()), &self.extract)
            .map(|doc| normalise_with(doc, self.cleaning))
            .map_err(|e| e.to_string())?;
        document.name = name.to_string();
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let entry = Arc::new(Entry {
            id,
            name: name.to_string(),
            stored: stored.to_path_buf(),
            sha256: hex_sha256(bytes),
            document: Arc::new(document),
        });
        let summary = entry.summary();
        self.entries().insert(id, entry);
        Ok(summary)
    }

    pub fn summaries(&self) -> Vec<Summary> {
        self.entries().values().map(|e| e.summary()).collect()
    }

    pub fn get(&self, id: u64) -> Option<Arc<Entry>> {
        self.entries().get(&id).cloned()
    }

    /// Lets go of the documents `ids` (and deletes their stored files).
    pub fn remove(&self, ids: &[u64]) -> usize {
        let removed: Vec<Arc<Entry>> = {
            let mut entries = self.entries();
            ids.iter().filter_map(|id| entries.remove(id)).collect()
        };
        for entry in &removed {
            let _ = std::fs::remove_file(&entry.stored);
        }
        removed.len()
    }

    /// The documents, lexicon and mode `settings` choose, ready to count.
    pub fn prepare(&self, settings: &Settings) -> Result<Prepared, String> {
        let lexicon = settings.lexicon.lexicon()?;
        let mode = Mode::ALL
            .into_iter()
            .find(|m| m.name() == settings.mode)
            .ok_or_else(|| format!("{:?} is not a matching mode", settings.mode))?;
        let matcher = Matcher::new(&lexicon, mode).map_err(|e| e.to_string())?;
        let by = match settings.by.as_deref() {
            None => Unit::Document,
            Some(name) => Unit::ALL
                .into_iter()
                .find(|u| u.name() == name)
                .ok_or_else(|| format!("{name:?} is not a unit to count by"))?,
        };
        let compare = !settings.old.is_empty() || !settings.new.is_empty();
        let ids: Vec<u64> = if compare {
            settings.old.iter().chain(&settings.new).copied().collect()
        } else {
            settings.documents.clone()
        };
        if ids.is_empty() {
            return Err("add a document first".to_string());
        }
        let entries = ids
            .iter()
            .map(|id| {
                self.get(*id)
                    .ok_or_else(|| format!("document {id} is no longer loaded"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let scope = settings.scope()?;
        let documents = entries
            .iter()
            .map(|e| {
                if scope.is_everything() {
                    e.document.clone()
                } else {
                    Arc::new(scope.apply(Document::clone(&e.document)))
                }
            })
            .collect();
        let lexicon_argument = match &settings.lexicon {
            LexiconChoice::Builtin { name } | LexiconChoice::File { name, .. } => name.clone(),
            LexiconChoice::Terms { .. } => "lexicon.toml".to_string(),
        };
        Ok(Prepared {
            lexicon_argument,
            lexicon,
            mode,
            by,
            matcher,
            entries,
            documents,
            scope,
            sides: compare.then_some([settings.old.len(), settings.new.len()]),
        })
    }
}

/// What to count: documents by id (or OLD and NEW groups to compare), a lexicon and a mode.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub documents: Vec<u64>,
    #[serde(default)]
    pub old: Vec<u64>,
    #[serde(default)]
    pub new: Vec<u64>,
    pub lexicon: LexiconChoice,
    pub mode: String,
    /// The rows of the count table: `document` (the default), `page` or `section`.
    #[serde(default)]
    pub by: Option<String>,
    /// The scope, as the command line's `--pages`, `--sections`, `--part` and `--heading`
    /// give it (empty: everything).
    #[serde(default)]
    pub pages: String,
    #[serde(default)]
    pub sections: String,
    #[serde(default)]
    pub part: String,
    #[serde(default)]
    pub heading: String,
}

impl Settings {
    /// The scope these settings give, parsed as the command line parses it.
    pub fn scope(&self) -> Result<Scope, String> {
        fn parsed<T>(
            text: &str,
            option: &str,
            parse: impl Fn(&str) -> Result<T, String>,
        ) -> Result<Option<T>, String> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            parse(text)
                .map(Some)
                .map_err(|e| format!("{option} {text:?}: {e}"))
        }
        Ok(Scope {
            pages: parsed(&self.pages, "pages", PageRanges::parse)?,
            sections: parsed(&self.sections, "sections", SectionRanges::parse)?,
            part: parsed(&self.part, "Part", |t| Ok(t.to_string()))?,
            heading: parsed(&self.heading, "heading", HeadingPattern::parse)?,
        })
    }
}

/// A lexicon as the page chooses it: a built-in, an uploaded file, or the term form.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LexiconChoice {
    Builtin {
        name: String,
    },
    /// A file's text; its name's extension says the format (.toml, .yml/.yaml, .dic).
    File {
        name: String,
        text: String,
    },
    Terms {
        name: String,
        terms: Vec<TermForm>,
    },
}

/// One row of the term form.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct TermForm {
    pub label: String,
    pub category: String,
    pub forms: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl LexiconChoice {
    /// The lexicon, validated as the command line validates it, or its problems (one per line).
    pub fn lexicon(&self) -> Result<Lexicon, String> {
        use crate::lexicon::{builtin, liwc, toml, validate, yaml};
        let result = match self {
            LexiconChoice::Builtin { name } => match builtin(name) {
                Some(b) => Lexicon::from_builtin(b),
                None => return Err(format!("{name:?} is not a built-in lexicon")),
            },
            LexiconChoice::File { name, text } => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(text);
                let parsed = match crate::webapp::store::safe_extension(name) {
                    "toml" => toml::parse(text, name),
                    "yml" | "yaml" => yaml::parse(text, name),
                    "dic" => liwc::parse(text, name),
                    _ => {
                        return Err(format!(
                            "{name}: name the lexicon .toml (termtally), .yml/.yaml (quanteda \
                             dictionary) or .dic (LIWC dictionary)"
                        ));
                    }
                };
                parsed.and_then(|raw| validate(raw, name))
            }
            LexiconChoice::Terms { name, terms } => validate(raw_of_form(name, terms), name),
        };
        result.map_err(|e| e.to_string().replace("\ntermtally: ", "\n"))
    }
}

/// The term form as a lexicon to validate: categories in the order the form first uses them.
fn raw_of_form(name: &str, terms: &[TermForm]) -> RawLexicon {
    let mut categories: Vec<(Located<String>, String)> = Vec::new();
    for t in terms {
        if !categories.iter().any(|(c, _)| c.value == t.category) {
            categories.push((Located::new(t.category.clone(), None), String::new()));
        }
    }
    let located = |items: &[String]| -> Vec<Located<String>> {
        items
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| Located::new(s.trim().to_string(), None))
            .collect()
    };
    RawLexicon {
        name: Some(name.to_string()),
        categories,
        terms: terms
            .iter()
            .map(|t| RawTerm {
                line: None,
                label: Located::new(t.label.trim().to_string(), None),
                category: Located::new(t.category.trim().to_string(), None),
                forms: located(&t.forms),
                exclude: located(&t.exclude),
                note: None,
            })
            .collect(),
        ..RawLexicon::default()
    }
}

/// The terms of `lexicon` as rows of the term form.
pub fn form_of(lexicon: &Lexicon) -> Vec<TermForm> {
    lexicon
        .terms
        .iter()
        .map(|t| TermForm {
            label: t.label.clone(),
            category: t.category.clone(),
            forms: t.forms.clone(),
            exclude: t.exclude.clone(),
        })
        .collect()
}

/// Documents, lexicon and matcher for one computation.
pub struct Prepared {
    pub lexicon: Lexicon,
    /// What `--lexicon` would say: the built-in's name or the file's (the form's: lexicon.toml,
    /// as the page downloads it).
    pub lexicon_argument: String,
    pub mode: Mode,
    /// The unit of the count table's rows (the report page is always by document).
    pub by: Unit,
    pub matcher: Matcher,
    pub entries: Vec<Arc<Entry>>,
    /// The text of each of `entries`, cut to `scope`.
    pub documents: Vec<Arc<Document>>,
    pub scope: Scope,
    /// With OLD and NEW groups: how many documents of `entries` are OLD (first) and NEW.
    pub sides: Option<[usize; 2]>,
}

/// Each document's name and its hits in context, as `report::kwic` takes them.
type Found = Vec<(String, Vec<Concordance>)>;

/// One hit of a concordance search, with where to read it.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub document: u64,
    pub name: String,
    pub page: Option<u32>,
    pub cite: String,
    pub left: String,
    #[serde(rename = "match")]
    pub matched: String,
    pub right: String,
    /// The document is a PDF the browser can open at `page`.
    pub pdf: bool,
}

impl Prepared {
    /// The page of `termtally report` over these documents (with a Change section when there
    /// are OLD and NEW groups).
    pub fn report_page(&self) -> String {
        let sha256_of = |doc: &Document| {
            self.documents
                .iter()
                .position(|d| std::ptr::eq(&**d, doc))
                .map(|i| self.entries[i].sha256.clone())
        };
        let analysed = analyse(&self.documents, &self.matcher, DEFAULT_CONTEXTS, sha256_of);
        let mut counts_table =
            build_report(&self.lexicon, self.mode, Unit::Document, &analysed.corpus);
        // The report page shows DP beside each term, as `termtally report` does.
        crate::report::dispersion::add_dispersion(
            &mut counts_table,
            &self.lexicon,
            &analysed.parts,
        );
        let change = self
            .sides
            .map(|sides| change_of(&self.lexicon, &analysed.corpus, self.mode, &sides));
        let page = ReportPage {
            lexicon: &self.lexicon,
            lexicon_sha256: hex_sha256(self.lexicon.to_toml().as_bytes()),
            mode: self.mode,
            mode_note: crate::report::count::mode_note(self.mode),
            cleaning: self.cleaning_note(),
            documents: analysed.infos,
            failures: Vec::new(),
            counts: &analysed.corpus,
            counts_table: &counts_table,
            contexts: analysed.contexts,
            contexts_limit: Some(DEFAULT_CONTEXTS),
            contexts_default: DEFAULT_CONTEXTS,
            change,
            command: self.command_line(),
            generated: generated_at(),
            version: env!("CARGO_PKG_VERSION"),
        };
        render_page(&page)
    }

    /// The cleaning note, with the scope counted (as `termtally report --pages ...` says it).
    fn cleaning_note(&self) -> String {
        let mut note = cleaning_note(false, false, false);
        if let Some(scope) = self.scope.describe() {
            note.push_str(&format!(
                " Scope: {scope}; only the text inside it was counted (words and rates too)."
            ));
        }
        note
    }

    /// The `termtally report` command that makes this page from the same files, for the
    /// Method section (the files named as they were added).
    fn command_line(&self) -> String {
        let mut words = vec![
            "termtally".to_string(),
            "report".to_string(),
            "--lexicon".to_string(),
            shell_quote(&self.lexicon_argument),
            "--mode".to_string(),
            self.mode.name().to_string(),
        ];
        // The scope too, or the printed command would count every page.
        for (option, value) in self.scope.arguments() {
            words.push(option.to_string());
            words.push(shell_quote(&value));
        }
        let names = |entries: &[Arc<Entry>]| -> Vec<String> {
            entries.iter().map(|e| shell_quote(&e.name)).collect()
        };
        match self.sides {
            Some([old, _]) => {
                words.push("--old".to_string());
                words.extend(names(&self.entries[..old]));
                words.push("--new".to_string());
                words.extend(names(&self.entries[old..]));
            }
            None => words.extend(names(&self.entries)),
        }
        words.extend(["-o".to_string(), "report.html".to_string()]);
        words.join(" ")
    }

    /// The report of `termtally count --by UNIT` over these documents, with the sheets of its
    /// workbook.
    pub fn count_report(&self) -> Report {
        let counts = self.counts(self.by);
        let mut report = build_report(&self.lexicon, self.mode, self.by, &counts);
        report.sheets = spreadsheet_sheets(&report, &self.lexicon, self.by, &counts);
        self.scope.annotate(&mut report);
        report
    }

    fn counts(&self, by: Unit) -> CorpusCounts {
        let counted = self
            .documents
            .iter()
            .map(|d| count_document(d, &self.matcher, by))
            .collect();
        CorpusCounts::from_documents(counted, self.matcher.term_count())
    }

    /// The report of `termtally diff --old ... --new ...` over the OLD and NEW groups: the
    /// tables of the report page's Change section.
    pub fn change_report(&self) -> Result<Report, String> {
        let Some(sides) = self.sides else {
            return Err("put documents in the OLD and NEW groups first".to_string());
        };
        match change_of(
            &self.lexicon,
            &self.counts(Unit::Document),
            self.mode,
            &sides,
        ) {
            Change::Compared { mut table, .. } => {
                self.scope.annotate(&mut table);
                Ok(table)
            }
            Change::Unavailable(why) => Err(why),
        }
    }

    /// Every hit of `pattern` in context, document by document, with the pattern's lexicon.
    fn concordance(&self, pattern: &str) -> Result<(Lexicon, Found), String> {
        let lexicon = Lexicon::from_pattern(pattern).map_err(|e| e.to_string())?;
        let matcher = Matcher::new(&lexicon, self.mode).map_err(|e| e.to_string())?;
        let found = self
            .entries
            .iter()
            .zip(&self.documents)
            .map(|(entry, doc)| {
                (
                    entry.name.clone(),
                    contexts(doc, &matcher, Span::Chars(DEFAULT_WIDTH)),
                )
            })
            .collect();
        Ok((lexicon, found))
    }

    /// The report of `termtally kwic PATTERN --format csv` over these documents.
    pub fn concordance_report(&self, pattern: &str) -> Result<Report, String> {
        if pattern.trim().is_empty() {
            return Err("search for a word first: the concordance is of the search".to_string());
        }
        let (lexicon, found) = self.concordance(pattern)?;
        let order: Vec<(usize, usize)> = found
            .iter()
            .enumerate()
            .flat_map(|(d, (_, rows))| (0..rows.len()).map(move |h| (d, h)))
            .collect();
        let shown = crate::report::kwic::Shown {
            several_documents: found.len() > 1,
            term: false,
            excluded: false,
            terminal: false,
        };
        let mut report =
            crate::report::kwic::build_report(&lexicon, self.mode, &found, &order, shown);
        self.scope.annotate(&mut report);
        Ok(report)
    }

    /// Every hit of `pattern` (a word, a phrase, `*` globs: as `termtally kwic PATTERN`) in
    /// these documents, at most `limit` of them, and how many there are.
    pub fn search(&self, pattern: &str, limit: usize) -> Result<(Vec<Hit>, usize), String> {
        let (_, found) = self.concordance(pattern)?;
        let mut hits = Vec::new();
        let mut total = 0;
        for (entry, (_, found)) in self.entries.iter().zip(found) {
            total += found.len();
            let room = limit.saturating_sub(hits.len());
            hits.extend(found.into_iter().take(room).map(|c| Hit {
                document: entry.id,
                name: entry.name.clone(),
                page: c.page,
                cite: c.cite,
                left: c.left,
                matched: c.matched,
                right: c.right,
                pdf: entry.is_pdf(),
            }));
        }
        Ok((hits, total))
    }
}
