//! The IPC commands, one module per domain. Each command checks its arguments
//! ([`crate::input`]), calls the core, store, import or export crate, and returns either the
//! result or an [`crate::error::IpcError`]. No command decides a semantic rule itself.
//!
//! The contract (names, arguments, result shapes, error codes) is `docs/ipc.md`.

pub mod analysis;
pub mod export;
pub mod files;
pub mod import;
