//! `cargo fuzz run kubernetes`: see `bulkhead_import::fuzzing::kubernetes`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    bulkhead_import::fuzzing::kubernetes(data);
});
