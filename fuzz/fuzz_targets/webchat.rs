//! The web chat's API: any body to its message, action and feedback routes (the first byte
//! picks the route).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::webchat(input));
