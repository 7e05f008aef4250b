//! `cargo fuzz run logs`: see `bulkhead_import::fuzzing::logs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bulkhead_import::fuzzing::logs(data);
});
