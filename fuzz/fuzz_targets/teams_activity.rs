//! `POST /api/messages`: any Bot Framework activity (messages, invokes, conversation updates)
//! with a valid token.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::teams_activity(input));
