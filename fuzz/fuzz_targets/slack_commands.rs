//! `POST /slack/commands`: any form body, correctly signed.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::slack_commands(input));
