//! termtally: a terminology corpus analyser for policy documents.
//!
//! The pipeline runs one way, one module per stage:
//! `inputs` (arguments → files) → `extract` (file bytes → [`Document`]) → `normalise` →
//! `tokenise`/`matcher` (→ hits) → `count` (or `frequency`, every word type; `layout` for the
//! documents × terms matrix) → `table` → `render` → `output`. `kwic` puts the same hits in
//! context; `keyness` compares counts. `cli` and `cmd` are the command line on top; nothing below
//! them imports them (see ARCHITECTURE.md, and the test at the end of this file).

pub mod accumulate;
pub mod cli;
pub mod cmd;
pub mod collocates;
pub mod count;
pub mod dispersion;
pub mod document;
pub mod duplicate;
pub mod extract;
pub mod fetch;
pub mod frequency;
pub mod headings;
pub mod inputs;
pub mod keyness;
pub mod kwic;
pub mod layout;
pub mod lexicon;
pub mod matcher;
pub mod ngrams;
pub mod normalise;
pub mod outcome;
pub mod output;
pub mod pipeline;
pub mod reference;
pub mod render;
pub mod report;
pub mod scope;
pub mod shard;
pub mod signals;
pub mod stopwords;
pub mod stream;
pub mod table;
#[cfg(test)]
mod testing;
pub mod tokenise;
pub mod trend;
pub mod variants;
pub mod webapp;
pub mod wordform;

pub use document::{Block, Document, Format};

#[cfg(test)]
mod architecture {
    //! The layering of ARCHITECTURE.md, checked on the source files: the library below the
    //! command line never imports it, and no source file imports one that imports it back.

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    /// Every `.rs` file under `src/`, as (module path such as `cmd::kwic`, source text).
    fn sources() -> BTreeMap<String, String> {
        fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("read src") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    walk(&path, files);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
        files
            .into_iter()
            .map(|path| {
                let relative = path.strip_prefix(&src).expect("under src");
                let mut parts: Vec<String> = relative
                    .with_extension("")
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                    parts.pop();
                }
                let text = std::fs::read_to_string(&path).expect("read source");
                (parts.join("::"), text)
            })
            .collect()
    }

    /// The modules a source file names through `crate::` (or `termtally::`), resolved to the
    /// longest module path that exists: `crate::render::OutputFormat` → `render`.
    fn imports(text: &str, modules: &BTreeSet<&str>) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for prefix in ["crate::", "termtally::"] {
            for (at, _) in text.match_indices(prefix) {
                let rest = &text[at + prefix.len()..];
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
                let module = (1..=parts.len())
                    .rev()
                    .map(|n| parts[..n].join("::"))
                    .find(|m| modules.contains(m.as_str()));
                found.extend(module);
            }
            // `use crate::{a, b::c}` groups.
            for (at, _) in text.match_indices(&format!("{prefix}{{")) {
                let rest = &text[at + prefix.len() + 1..];
                let group = &rest[..rest.find('}').unwrap_or(rest.len())];
                for item in group.split(',') {
                    let first = item.trim().split("::").next().unwrap_or("");
                    if modules.contains(first) {
                        found.insert(first.to_string());
                    }
                }
            }
        }
        found
    }

    fn is_command_line(module: &str) -> bool {
        module == "cli" || module == "main" || module == "cmd" || module.starts_with("cmd::")
    }

    /// Imports of each module, the text of `#[cfg(test)]` modules left out (a test may reach
    /// anything), and a module's own path and its parents left out.
    fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
        let sources = sources();
        let modules: BTreeSet<&str> = sources.keys().map(String::as_str).collect();
        sources
            .iter()
            .map(|(module, text)| {
                // Comments (doc links included) name modules without importing them.
                let code: String = text
                    .split("#[cfg(test)]")
                    .next()
                    .unwrap_or(text)
                    .lines()
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let mut used = imports(&code, &modules);
                used.retain(|m| {
                    m != module && !module.starts_with(&format!("{m}::")) && !m.is_empty()
                });
                (module.clone(), used)
            })
            .collect()
    }

    #[test]
    fn the_library_does_not_import_the_command_line() {
        let graph = import_graph();
        assert!(graph.contains_key("cmd::kwic") && graph.contains_key("render"));
        let offenders: Vec<String> = graph
            .iter()
            .filter(|(module, _)| !is_command_line(module))
            .flat_map(|(module, used)| {
                used.iter()
                    .filter(|m| is_command_line(m))
                    .map(move |m| format!("{module} imports {m}"))
            })
            .collect();
        assert!(offenders.is_empty(), "{offenders:?}");
    }

    #[test]
    fn no_source_file_imports_one_that_imports_it_back() {
        let graph = import_graph();
        // The parent of a module declares it (`mod x;`) and re-exports from it: not an import.
        let edges = |module: &str| -> Vec<String> {
            graph[module]
                .iter()
                .filter(|m| !m.starts_with(&format!("{module}::")))
                .cloned()
                .collect()
        };
        // Depth-first search for a back edge.
        fn visit(
            module: &str,
            edges: &dyn Fn(&str) -> Vec<String>,
            state: &mut BTreeMap<String, bool>,
            stack: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            match state.get(module) {
                Some(true) => return None,
                Some(false) => {
                    let from = stack.iter().position(|m| m == module).unwrap_or(0);
                    let mut circle = stack[from..].to_vec();
                    circle.push(module.to_string());
                    return Some(circle);
                }
                None => {}
            }
            state.insert(module.to_string(), false);
            stack.push(module.to_string());
            for next in edges(module) {
                if let Some(circle) = visit(&next, edges, state, stack) {
                    return Some(circle);
                }
            }
            stack.pop();
            state.insert(module.to_string(), true);
            None
        }
        let mut state = BTreeMap::new();
        for module in graph.keys() {
            let circle = visit(module, &edges, &mut state, &mut Vec::new());
            assert!(
                circle.is_none(),
                "import circle: {}",
                circle.unwrap_or_default().join(" -> ")
            );
        }
    }

    #[test]
    fn the_import_reader_sees_imports() {
        let modules: BTreeSet<&str> = ["cli", "cmd", "cmd::kwic", "render", "table"].into();
        let text = "use crate::cmd::kwic::Span;\nuse crate::{render::OutputFormat, table};\nuse termtally::cli::X;";
        let found = imports(text, &modules);
        assert_eq!(
            found,
            ["cli", "cmd::kwic", "render", "table"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        );
    }
}
