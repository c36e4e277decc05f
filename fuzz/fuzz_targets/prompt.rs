//! The prompt parser on any text, against the demo tenant's lexicon.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::prompt(input));
