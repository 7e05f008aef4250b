//! Atomic replacement of the app's own small files (recent list, recovery file): write a
//! temporary file beside the target, fsync it, rename it into place. Design files are saved by
//! `bulkhead-store`, never here.

use std::io::Write;
use std::path::Path;

use crate::error::{IpcError, IpcResult};

pub fn write(path: &Path, bytes: &[u8]) -> IpcResult<()> {
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        IpcError::io("cannot write", path, &e)
    })
}
