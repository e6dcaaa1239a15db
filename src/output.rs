//! Output files: written atomically (temporary file + rename), never clobbered without --force
//! (to be written).

/// Removes temporary output files when the user presses Ctrl-C.
pub fn install_interrupt_handler() {}
