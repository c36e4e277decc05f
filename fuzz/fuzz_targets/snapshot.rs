//! Snapshot files (Azure Resource Graph rows, as `secbot sync` writes them): any text.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::snapshot(input));
