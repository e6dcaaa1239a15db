//! Reports built from counts, shared by the commands and the web app: `count`'s table
//! ([`count`]), `diff`'s keyness tables ([`diff`]), `kwic`'s concordance ([`kwic`]) and the numbers of the HTML report page
//! ([`page`]). Library code: no command line, no HTTP.

pub mod count;
pub mod diff;
pub mod dispersion;
pub mod kwic;
pub mod page;
