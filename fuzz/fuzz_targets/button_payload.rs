//! A button's data as each platform carries it: the payload text every platform decodes, and
//! Slack's `action_id` and `value` (the first line is the `action_id`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::button_payload(input));
