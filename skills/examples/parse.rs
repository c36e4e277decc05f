//! Prints how the parser reads each prompt given on the command line (against the demo
//! tenant's lexicon), for working on the parser: `cargo run -p secbot-skills --example parse -- "prompt"`.

use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::{Lexicon, parse};

fn main() {
    let today = time::OffsetDateTime::now_utc().date();
    let lexicon = Lexicon::of_tenant(&demo::tenant(&DemoOptions::for_day(today)));
    for prompt in std::env::args().skip(1) {
        let parsed = parse(&prompt, &lexicon, today);
        println!(
            "{prompt}\n  [{}]\n  {}",
            lexicon.normalize(&prompt),
            serde_json::to_string(&parsed).unwrap_or_default()
        );
    }
}
