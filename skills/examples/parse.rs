//! Prints how the parser reads each prompt given on the command line (against the demo
//! tenant's lexicon), for working on the parser: `cargo run -p secbot-skills --example parse -- "prompt"`.

use secbot_skills::demo::{self, DemoOptions};
use secbot_skills::intent::{Lexicon, parse};
use secbot_skills::tenant::IndexedSource;

fn main() {
    let today = time::OffsetDateTime::now_utc().date();
    let data = demo::tenant(&DemoOptions::for_day(today));
    let people: Vec<String> = data.people.iter().map(|p| p.id.clone()).collect();
    let source = IndexedSource::new(data.clone());
    let lexicon = Lexicon::new(
        source.recommendations(),
        data.resources.iter().map(|r| (r.name.as_str(), r.kind)),
        &data.subscriptions,
        people.iter().map(String::as_str),
    );
    for prompt in std::env::args().skip(1) {
        let parsed = parse(&prompt, &lexicon, today);
        println!(
            "{prompt}\n  [{}]\n  {}",
            lexicon.normalize(&prompt),
            serde_json::to_string(&parsed).unwrap_or_default()
        );
    }
}
