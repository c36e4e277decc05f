//! `POST /slack/events`: any body, correctly signed.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::slack_events(input));
