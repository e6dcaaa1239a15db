//! Shards: `count` and `words` JSON outputs of parts of a corpus, merged exactly by
//! `termtally merge` into the output one run over the whole corpus gives. Every shard carries a
//! `shard` object of what must be the same in all of them ([`Identity`]); merging refuses
//! shards that disagree on any of it, or that left rows out (`--top`, a filter), naming the
//! field. The counts are read back from the shard's `documents` and `rows`, so the merged report
//! is built by the very code that builds a single run's.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::count::{DocumentCounts, Unit, UnitCounts};
use crate::document::{Format, PageWithoutText};
use crate::frequency::WordCounts;
use crate::lexicon::Lexicon;

/// What every shard of one merge must agree on: the `shard` object of `count`/`words` JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The termtally version that wrote the shard (merge also requires its own).
    pub termtally_version: String,
    /// `count` or `words`.
    pub command: String,
    /// SHA-256 of the lexicon as counted (its TOML form, `--exclude` phrases included);
    /// null for `words`.
    pub lexicon_sha256: Option<String>,
    /// The `--exclude` phrases, which merge adds to the lexicon again.
    pub exclude: Vec<String>,
    /// `word`, `family` or `substring`; null for `words`.
    pub mode: Option<String>,
    /// `--by`: `document`, `page` or `section`; null for `words`.
    pub by: Option<String>,
    /// `--keep-headers`: running headers and footers counted.
    pub keep_headers: bool,
    /// The scope (`--pages`, `--sections`, `--part`, `--heading`) in words, e.g. "pages 2-3":
    /// null when the whole of every document is counted.
    pub scope: Json,
    /// `long`; a `wide` layout (the matrix) cannot be merged.
    pub layout: String,
    /// `--top N` of `words`: the shard holds only the first N rows, so it cannot be merged.
    pub top: Option<usize>,
    /// `--dispersion`: the dispersion columns are measured over each document's pages, which a
    /// shard does not keep, so they cannot be recomputed for the merged corpus: refused.
    /// Written only when true, so shards without it read as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dispersion: bool,
    /// `words` filters that leave rows out (stop words, `--min-docs`, `--min-count`): null, or
    /// what was asked, which cannot be merged.
    pub filter: Option<String>,
}

impl Identity {
    /// The identity of a `count` run: the lexicon (as counted, with its `--exclude` phrases),
    /// mode and unit.
    pub fn of_count(lexicon: &Lexicon, exclude: &[String], mode: &str, by: Unit) -> Identity {
        Identity {
            termtally_version: env!("CARGO_PKG_VERSION").to_string(),
            command: "count".to_string(),
            lexicon_sha256: Some(lexicon_sha256(lexicon)),
            exclude: exclude.to_vec(),
            mode: Some(mode.to_string()),
            by: Some(by.name().to_string()),
            keep_headers: false,
            scope: Json::Null,
            layout: "long".to_string(),
            top: None,
            filter: None,
            dispersion: false,
        }
    }

    /// The identity of a `words` run: no lexicon; `top` and `filter` (a description of the
    /// filters that left words out, if any) make it unmergeable.
    pub fn of_words(top: Option<usize>, filter: Option<String>) -> Identity {
        Identity {
            command: "words".to_string(),
            lexicon_sha256: None,
            mode: None,
            by: None,
            top,
            filter,
            dispersion: false,
            termtally_version: env!("CARGO_PKG_VERSION").to_string(),
            exclude: Vec::new(),
            keep_headers: false,
            scope: Json::Null,
            layout: "long".to_string(),
        }
    }

    /// The fields that must agree, by name (as in the JSON), in order.
    fn fields(&self) -> Vec<(&'static str, Json)> {
        let json = serde_json::to_value(self).unwrap_or(Json::Null);
        [
            "termtally_version",
            "command",
            "lexicon_sha256",
            "exclude",
            "mode",
            "by",
            "keep_headers",
            "scope",
            "layout",
        ]
        .into_iter()
        .map(|field| (field, json[field].clone()))
        .collect()
    }
}

/// Adds the `shard` object to a report's JSON metadata (after `lexicon`, `mode`, `by`, …).
pub fn insert(report: &mut crate::table::Report, shard: &Identity) {
    let json = serde_json::to_value(shard).unwrap_or(Json::Null);
    report.meta.insert("shard".into(), json);
}

/// The SHA-256 (hex) of a lexicon's TOML form: the same for the same terms, forms,
/// categories and exclusions, wherever it was loaded from.
pub fn lexicon_sha256(lexicon: &Lexicon) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(lexicon.to_toml().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why shards cannot be merged, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("{file}: not a termtally shard ({reason})")]
    NotAShard { file: String, reason: String },
    #[error(
        "{file}: shard.{field} is {theirs}, but {first} has {ours}: shards must agree on it to be merged"
    )]
    Disagree {
        file: String,
        first: String,
        field: &'static str,
        ours: String,
        theirs: String,
    },
    #[error(
        "{file}: shard.{field} is {value}: the shard holds only some rows, so merged counts would be wrong; run it again without it"
    )]
    Truncated {
        file: String,
        field: &'static str,
        value: String,
    },
    #[error(
        "{file}: shard.dispersion is true: dispersion (range, DP, Juilland's D) is measured over each document's pages, which a shard does not keep, so it cannot be recomputed for the merged corpus; run the shards without --dispersion"
    )]
    Dispersion { file: String },
    #[error("{file}: {path} is also in {first}: a document must be in one shard only")]
    SameDocument {
        file: String,
        first: String,
        path: String,
    },
}

/// One shard as read: its file name and JSON.
pub struct Shard {
    pub file: String,
    pub json: Json,
    pub identity: Identity,
}

impl Shard {
    /// Reads the `shard` object of a `count`/`words` JSON output.
    pub fn parse(file: &str, json: Json) -> Result<Shard, ShardError> {
        let not_a_shard = |reason: String| ShardError::NotAShard {
            file: file.to_string(),
            reason,
        };
        let Some(identity) = json.get("shard") else {
            return Err(not_a_shard(
                "no \"shard\" object: give the JSON output of `count` or `words` (-f json)".into(),
            ));
        };
        let identity: Identity = serde_json::from_value(identity.clone())
            .map_err(|e| not_a_shard(format!("its \"shard\" object: {e}")))?;
        Ok(Shard {
            file: file.to_string(),
            json,
            identity,
        })
    }
}

/// Checks that `shards` can be merged: each one whole (no `--top`, no filter), all agreeing with
/// the first on every field of [`Identity`], and no document in two of them.
pub fn check(shards: &[Shard]) -> Result<(), ShardError> {
    for shard in shards {
        let truncated = |field, value: String| ShardError::Truncated {
            file: shard.file.clone(),
            field,
            value,
        };
        if let Some(top) = shard.identity.top {
            return Err(truncated("top", top.to_string()));
        }
        if let Some(filter) = &shard.identity.filter {
            return Err(truncated("filter", format!("{filter:?}")));
        }
        if shard.identity.layout != "long" {
            return Err(truncated("layout", format!("{:?}", shard.identity.layout)));
        }
        if shard.identity.dispersion || has_dispersion_columns(&shard.json) {
            return Err(ShardError::Dispersion {
                file: shard.file.clone(),
            });
        }
    }
    let Some(first) = shards.first() else {
        return Ok(());
    };
    let ours = first.identity.fields();
    for shard in &shards[1..] {
        for ((field, a), (_, b)) in ours.iter().zip(shard.identity.fields()) {
            if *a != b {
                return Err(ShardError::Disagree {
                    file: shard.file.clone(),
                    first: first.file.clone(),
                    field,
                    ours: a.to_string(),
                    theirs: b.to_string(),
                });
            }
        }
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    for shard in shards {
        for path in document_paths(&shard.json) {
            if let Some(first) = seen.insert(path.clone(), &shard.file) {
                return Err(ShardError::SameDocument {
                    file: shard.file.clone(),
                    first: first.to_string(),
                    path,
                });
            }
        }
    }
    Ok(())
}

/// Whether the rows carry dispersion columns (a shard written before `shard.dispersion` was
/// recorded).
fn has_dispersion_columns(json: &Json) -> bool {
    rows(json)
        .first()
        .is_some_and(|row| row.get("dp").is_some())
}

fn document_paths(json: &Json) -> Vec<String> {
    documents(json)
        .iter()
        .filter_map(|d| d["path"].as_str().map(str::to_string))
        .collect()
}

fn documents(json: &Json) -> &[Json] {
    json["documents"].as_array().map_or(&[], Vec::as_slice)
}

fn rows(json: &Json) -> &[Json] {
    json["rows"].as_array().map_or(&[], Vec::as_slice)
}

fn uint(v: &Json) -> u64 {
    v.as_u64().unwrap_or(0)
}

/// A shard's documents: path, format, pages and tokens, as `documents` lists them.
pub struct DocumentSummary {
    pub path: String,
    pub format: Format,
    pub pages: Option<u32>,
    pub tokens: u64,
    pub pages_without_text: Vec<PageWithoutText>,
}

fn summaries(shard: &Shard) -> Result<Vec<DocumentSummary>, ShardError> {
    documents(&shard.json)
        .iter()
        .map(|d| {
            let bad = |what: &str| ShardError::NotAShard {
                file: shard.file.clone(),
                reason: format!("a document without {what}"),
            };
            Ok(DocumentSummary {
                path: d["path"].as_str().ok_or_else(|| bad("path"))?.to_string(),
                format: serde_json::from_value(d["format"].clone()).map_err(|_| bad("format"))?,
                pages: d["pages"].as_u64().map(|p| p as u32),
                tokens: d["tokens"].as_u64().ok_or_else(|| bad("tokens"))?,
                pages_without_text: serde_json::from_value(d["pages_without_text"].clone())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The per-document counts of a `count` shard, as [`crate::count::count_document`] gave them:
/// each document's term counts and exclusions (and its pages or sections with `--by`), read from
/// its term rows. With `--by page`/`section`, units where no term occurs have no row, so they
/// are not in the result (nor in any long output).
pub fn document_counts(
    shard: &Shard,
    lexicon: &Lexicon,
) -> Result<Vec<DocumentCounts>, ShardError> {
    let by = match shard.identity.by.as_deref() {
        Some("page") => Unit::Page,
        Some("section") => Unit::Section,
        _ => Unit::Document,
    };
    let term_index: HashMap<&str, usize> = lexicon
        .terms
        .iter()
        .enumerate()
        .map(|(i, t)| (t.label.as_str(), i))
        .collect();
    let n = lexicon.terms.len();
    let mut by_path: HashMap<String, DocumentCounts> = HashMap::new();
    let mut order = Vec::new();
    for d in summaries(shard)? {
        order.push(d.path.clone());
        let counts = DocumentCounts {
            name: d.path.clone(),
            format: d.format,
            pages: d.pages,
            tokens: d.tokens,
            counts: vec![0; n],
            excluded: vec![0; n],
            pages_without_text: d.pages_without_text,
            units: Vec::new(),
        };
        by_path.insert(d.path, counts);
    }
    for row in rows(&shard.json) {
        if row["kind"] != "term" {
            continue;
        }
        let (Some(path), Some(term)) = (row["path"].as_str(), row["term"].as_str()) else {
            continue;
        };
        let (Some(doc), Some(&t)) = (by_path.get_mut(path), term_index.get(term)) else {
            return Err(ShardError::NotAShard {
                file: shard.file.clone(),
                reason: format!("a row of {term:?} in {path:?}, which the shard does not list"),
            });
        };
        let (count, excluded) = (uint(&row["count"]), uint(&row["excluded"]));
        doc.counts[t] += count;
        doc.excluded[t] += excluded;
        if by != Unit::Document {
            let label = row["unit"].as_str().unwrap_or_default();
            let unit = unit_of(doc, label, uint(&row["tokens"]), by, n);
            unit.counts[t] += count;
            unit.excluded[t] += excluded;
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|p| by_path.remove(&p))
        .collect())
}

/// The unit `label` of `doc`, added (in order of first appearance, as counting does) if new.
fn unit_of<'a>(
    doc: &'a mut DocumentCounts,
    label: &str,
    tokens: u64,
    by: Unit,
    n: usize,
) -> &'a mut UnitCounts {
    let i = match doc.units.iter().position(|u| u.label == label) {
        Some(i) => i,
        None => {
            doc.units.push(UnitCounts {
                label: label.to_string(),
                page: (by == Unit::Page).then(|| label.parse().ok()).flatten(),
                tokens,
                counts: vec![0; n],
                excluded: vec![0; n],
            });
            doc.units.len() - 1
        }
    };
    &mut doc.units[i]
}

/// The words of a `words` shard: its documents, each word type's count, and the number of
/// documents each occurs in.
pub fn word_counts(
    shard: &Shard,
) -> Result<(Vec<DocumentSummary>, WordCounts, WordCounts), ShardError> {
    let mut counts = WordCounts::default();
    let mut documents_per_word = WordCounts::default();
    let mut seen = HashSet::new();
    for row in rows(&shard.json) {
        let Some(word) = row["word"].as_str() else {
            continue;
        };
        if !seen.insert(word) {
            return Err(ShardError::NotAShard {
                file: shard.file.clone(),
                reason: format!("the word {word:?} has two rows"),
            });
        }
        // A damaged row is refused, never merged as 0.
        let number = |key: &str| {
            row[key].as_u64().ok_or_else(|| ShardError::NotAShard {
                file: shard.file.clone(),
                reason: format!("the word {word:?} has no whole-number {key:?}"),
            })
        };
        counts.add(word, number("count")?);
        documents_per_word.add(word, number("documents")?);
    }
    Ok((summaries(shard)?, counts, documents_per_word))
}
