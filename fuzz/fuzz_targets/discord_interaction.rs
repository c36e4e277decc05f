//! `POST /discord/interactions`: any interaction (commands, buttons, modals), correctly signed.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| secbot_fuzz::targets::discord_interaction(input));
