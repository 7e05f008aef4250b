//! `bulkhead-app`: the desktop app's entry point. Everything lives in the library so that the
//! builder can be tested with a mock runtime.

// Keep a console window away from Windows release builds; harmless elsewhere.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    bulkhead_app::run();
}
