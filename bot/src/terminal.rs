//! The terminal front end: `secbot ask` answers one prompt, `secbot chat` holds a conversation
//! in one thread where `/press N` presses a button of the last card, through the same action path
//! as the chat platforms.

use std::io::{BufRead, Write};

use secbot_chat::{
    Assistant, Card, Click, Feedback, Origin, Outcome, Person, Platform, Prompt, Rating, Reply, ResponseId,
};
use time::{Date, OffsetDateTime};

use crate::engine::{Engine, new_response_id};

/// How replies are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Cards as readable text, buttons numbered.
    Text,
    /// One JSON object a line: the documented reply interface.
    Json,
}

fn who() -> Person {
    let name = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "you".to_owned());
    Person { id: name.clone(), name, email: None }
}

/// The origin of a terminal message in a thread, sent now, or at noon (UTC) of
/// `day` when one is pinned (`--day`, the day the demo tenant is built for), so that what is
/// overdue or new is counted from the tenant's day, the same on every run.
pub fn origin(thread: &str, day: Option<Date>) -> Origin {
    Origin {
        platform: Platform::Terminal,
        tenant: "local".to_owned(),
        channel: "terminal".to_owned(),
        thread: Some(thread.to_owned()),
        message: None,
        user: who(),
        roles: Vec::new(),
        service_url: None,
        time: day.map_or_else(OffsetDateTime::now_utc, |day| {
            day.with_time(time::macros::time!(12:00)).assume_utc()
        }),
    }
}

/// A reply (or a button's outcome) as one JSON line. Ids such as an EC2 instance's ARN do not say which resource they
/// are, so every resource the subject names (its list's items too) also carries its name:
/// `resource_name` beside a finding's `resource` and an alert's `id` (the resource it fired
/// on), `name` beside a resource's `id`, `on_name` beside a list's `on`.
async fn json_line(engine: &Engine, printed: &impl serde::Serialize) -> String {
    let mut line = serde_json::to_value(printed).unwrap_or_default();
    if let Some(subject) = line.get_mut("subject") {
        let mut ids = Vec::new();
        name_resources(subject, &mut |id| {
            ids.push(id.to_owned());
            None
        });
        let mut names = std::collections::HashMap::new();
        for id in ids {
            if let Ok(Some(resource)) = engine.source().resource(&id).await {
                names.insert(id, resource.name.clone());
            } else if let Ok(Some(alert)) = engine.source().alert(&id).await
                && !alert.entity.is_empty()
            {
                names.insert(id, alert.entity.clone());
            }
        }
        name_resources(subject, &mut |id| names.get(id).cloned());
    }
    line.to_string()
}

/// Visits every resource id in a subject, adding the name `name_of` gives it.
fn name_resources(subject: &mut serde_json::Value, name_of: &mut dyn FnMut(&str) -> Option<String>) {
    let Some(fields) = subject.as_object_mut() else { return };
    let kind = fields.get("kind").and_then(serde_json::Value::as_str).map(str::to_owned);
    let fields_named: [(&str, &str); 3] = match kind.as_deref() {
        Some("alert") => [("resource", "resource_name"), ("id", "resource_name"), ("on", "on_name")],
        _ => [("resource", "resource_name"), ("id", "name"), ("on", "on_name")],
    };
    for (id_field, name_field) in fields_named {
        if id_field == "id" && !matches!(kind.as_deref(), Some("resource" | "alert")) {
            continue;
        }
        let Some(id) = fields.get(id_field).and_then(serde_json::Value::as_str) else { continue };
        if let Some(name) = name_of(id) {
            fields.insert(name_field.to_owned(), name.into());
        }
    }
    if let Some(items) = fields.get_mut("items").and_then(serde_json::Value::as_array_mut) {
        for item in items {
            name_resources(item, name_of);
        }
    }
}

async fn print_reply(
    engine: &Engine,
    out: &mut impl Write,
    reply: &Reply,
    mode: Output,
) -> std::io::Result<()> {
    match mode {
        Output::Json => writeln!(out, "{}", json_line(engine, reply).await),
        Output::Text => {
            writeln!(out, "{}\n", reply.card.to_numbered_text())?;
            for dm in &reply.direct {
                writeln!(out, "(Sent to {} privately: {})\n", dm.to.name, dm.card.title)?;
            }
            Ok(())
        }
    }
}

/// Answers one prompt in a fresh thread and prints the reply.
pub async fn ask(
    engine: &Engine,
    text: &str,
    mode: Output,
    day: Option<Date>,
    out: &mut impl Write,
) -> std::io::Result<Reply> {
    let prompt = Prompt {
        origin: origin(new_response_id().as_str(), day),
        text: text.to_owned(),
        mentions: Vec::new(),
    };
    let reply = engine.answer(prompt).await;
    print_reply(engine, out, &reply, mode).await?;
    Ok(reply)
}

/// Answers each line of `input` as its own prompt, each in a fresh thread.
pub async fn ask_lines(
    engine: &Engine,
    input: impl BufRead,
    mode: Output,
    day: Option<Date>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    for line in input.split(b'\n') {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        ask(engine, text.trim_end_matches('\r'), mode, day, out).await?;
    }
    Ok(())
}

/// The state of a terminal conversation.
pub struct Chat<'a> {
    engine: &'a Engine,
    thread: String,
    last: Option<Card>,
    pending_comment: Option<(ResponseId, Rating)>,
    mode: Output,
    day: Option<Date>,
}

impl std::fmt::Debug for Chat<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chat").field("thread", &self.thread).finish()
    }
}

const COMMANDS: &str = "Commands: /press N or /press LABEL presses a button of the last card (a label it lacks is sent as a message); /new starts a new thread; /quit leaves.";

impl<'a> Chat<'a> {
    /// A conversation in a new thread; `day` pins the date it is held on (see [`origin`]).
    pub fn new(engine: &'a Engine, mode: Output, day: Option<Date>) -> Chat<'a> {
        Chat { engine, thread: new_response_id().0, last: None, pending_comment: None, mode, day }
    }

    /// Handles one input line; returns `false` when the user quits.
    pub async fn line(&mut self, line: &str, out: &mut impl Write) -> std::io::Result<bool> {
        let line = line.trim_end_matches(['\r', '\n']);
        if let Some((response_id, rating)) = self.pending_comment.take()
            && !line.starts_with('/')
        {
            let feedback = Feedback {
                origin: origin(&self.thread, self.day),
                response_id: response_id.clone(),
                rating,
                comment: line.to_owned(),
            };
            let saved = self.engine.comment(feedback).await;
            return match (self.mode, saved) {
                (Output::Json, Ok(())) => {
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({"outcome": "comment_saved", "response_id": response_id, "rating": rating})
                    )?;
                    Ok(true)
                }
                (Output::Text, Ok(())) => {
                    writeln!(out, "Thanks, your comment was saved.\n")?;
                    Ok(true)
                }
                (_, Err(err)) => {
                    writeln!(out, "{err}")?;
                    Ok(true)
                }
            };
        }
        match line.split_once(' ').map_or((line, ""), |(c, rest)| (c, rest.trim())) {
            ("/quit" | "/exit", _) => return Ok(false),
            ("/new", _) => {
                self.thread = new_response_id().0;
                self.last = None;
                if self.mode == Output::Text {
                    writeln!(out, "New thread.\n")?;
                }
            }
            ("/help", _) => writeln!(out, "{COMMANDS}\n")?,
            ("/press", which) => self.press(which, out).await?,
            (command, _) if command.starts_with('/') => {
                self.notice(out, &format!("Unknown command {command}. {COMMANDS}"))?;
            }
            _ if line.trim().is_empty() => {}
            _ => self.say(line, out).await?,
        }
        Ok(true)
    }

    /// Answers `text` as a message typed in the thread.
    async fn say(&mut self, text: &str, out: &mut impl Write) -> std::io::Result<()> {
        let prompt =
            Prompt { origin: origin(&self.thread, self.day), text: text.to_owned(), mentions: Vec::new() };
        let reply = self.engine.answer(prompt).await;
        print_reply(self.engine, out, &reply, self.mode).await?;
        self.last = Some(reply.card);
        Ok(())
    }

    /// Tells the person something that is not a reply: a line of text, or in JSON mode one JSON
    /// object with an `error`, so that every input line still gets exactly one JSON line.
    fn notice(&self, out: &mut impl Write, message: &str) -> std::io::Result<()> {
        match self.mode {
            Output::Json => writeln!(out, "{}", serde_json::json!({ "error": message })),
            Output::Text => writeln!(out, "{message}\n"),
        }
    }

    async fn press(&mut self, which: &str, out: &mut impl Write) -> std::io::Result<()> {
        let Some(card) = &self.last else {
            return self.notice(out, "There is no card to press a button on yet. Ask something first.");
        };
        let buttons: Vec<_> = card.buttons().collect();
        let chosen = match which.parse::<usize>() {
            Ok(n) if n >= 1 && n <= buttons.len() => Some(buttons[n - 1]),
            Ok(n) => {
                let message = format!("There is no button {n}; the last card has {} buttons.", buttons.len());
                return self.notice(out, &message);
            }
            Err(_) if which.is_empty() => None,
            Err(_) => {
                let wanted = which.to_lowercase();
                match buttons.iter().copied().find(|b| b.label.to_lowercase().starts_with(&wanted)) {
                    Some(button) => Some(button),
                    // "/press Bicep" on a card without that button: what a person would type.
                    None => return self.say(which, out).await,
                }
            }
        };
        let Some(action) = chosen else {
            let labels: Vec<String> =
                buttons.iter().enumerate().map(|(i, b)| format!("{}: {}", i + 1, b.label)).collect();
            return self.notice(out, &format!("Which button? {}", labels.join(", ")));
        };
        let click = Click { origin: origin(&self.thread, self.day), payload: action.payload.clone() };
        let outcome = self.engine.act(click).await;
        if self.mode == Output::Json {
            writeln!(out, "{}", json_line(self.engine, &outcome).await)?;
        }
        match outcome {
            Outcome::Reply(reply) | Outcome::Replace(reply) => {
                if self.mode == Output::Text {
                    print_reply(self.engine, out, &reply, Output::Text).await?;
                }
                if !reply.ephemeral {
                    self.last = Some(reply.card);
                }
            }
            Outcome::Comment(form) => {
                if self.mode == Output::Text {
                    writeln!(out, "{} Type a few words on the next line.\n", form.question)?;
                }
                self.pending_comment = Some((form.response_id, form.rating));
            }
        }
        Ok(())
    }
}

/// Runs a conversation over `input` until it ends or the user quits.
pub async fn chat(
    engine: &Engine,
    input: impl BufRead,
    mode: Output,
    day: Option<Date>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let mut chat = Chat::new(engine, mode, day);
    if mode == Output::Text {
        writeln!(out, "secbot — ask about your cloud security posture. {COMMANDS}\n")?;
        out.flush()?;
    }
    for line in input.split(b'\n') {
        let line = line?;
        if !chat.line(&String::from_utf8_lossy(&line), out).await? {
            break;
        }
        out.flush()?;
    }
    Ok(())
}
