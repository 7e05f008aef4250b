//! `bulkhead-store`: design files on disk.
//!
//! The only crate besides the front ends that touches the file system for designs. Saving never
//! loses work: it writes a temporary file in the same folder, fsyncs it, keeps the previous
//! version as `<file>.bak`, then renames the new file into place, so a crash at any point leaves
//! either the old or the new file, whole.
