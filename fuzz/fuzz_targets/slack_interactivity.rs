//! `POST /slack/interactivity`: any `payload` form field (block actions, view submissions),
//! correctly signed.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::slack_interactivity(input));
