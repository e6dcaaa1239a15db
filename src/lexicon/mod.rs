//! Lexicons (to be written).
