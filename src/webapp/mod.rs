//! The work of `termtally serve`, the local web app, without HTTP: the private folder uploads are
//! stored in ([`store`]), the caps on uploads ([`limits`]), the documents of FOLDER and the path
//! check ([`folder`]), the access token ([`token`]), and the documents held with what is computed
//! from them — report page, count, concordance, downloads — through the same library code as the
//! commands ([`workspace`]), and the files the page downloads ([`download`]). The HTTP layer is `cmd/serve`.

pub mod download;
pub mod folder;
pub mod limits;
pub mod store;
pub mod token;
pub mod workspace;
