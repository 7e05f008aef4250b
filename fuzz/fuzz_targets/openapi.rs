//! `cargo fuzz run openapi`: see `bulkhead_import::fuzzing::openapi`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bulkhead_import::fuzzing::openapi(data);
});
