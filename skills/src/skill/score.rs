//! The secure score: "what's our secure score?" (overall and per subscription, and the controls
//! with the most points to win back) and "which fixes raise it the most?" (recommendations
//! ranked by the points fixing them everywhere brings back). Answered by summarize and
//! list_risks.

use secbot_chat::{Action, ActionStyle, Card, Fact, Intent, Item, Section, Subject};

use super::present::subscription_name;
use super::{Answer, Request, SkillError, query};
use crate::posture::ScoreCard;

/// The subscriptions a question about the score covers: the channel's scope, narrowed by a
/// named subscription or cloud. `None` when a named subscription is not in scope.
async fn scope(req: &Request<'_>) -> Result<Option<(Vec<String>, ScoreCard)>, SkillError> {
    let query = query::build(req, &req.parse.slots).await?;
    if query.unknown.is_some() {
        return Ok(None);
    }
    let ids: Vec<String> = query
        .subscriptions
        .iter()
        .filter(|s| query.filter.subscriptions.is_empty() || query.filter.subscriptions.contains(&s.id))
        .filter(|s| query.filter.clouds.is_empty() || query.filter.clouds.contains(&s.cloud))
        .map(|s| s.id.clone())
        .collect();
    Ok(Some((ids, req.source.secure_score().await?)))
}

fn points(p: f64) -> String {
    format!("{p:.1}")
}

fn no_score(req: &Request<'_>) -> Answer {
    let mut card = Card::titled("No secure score to show");
    card.summary = Some(
        "Defender for Cloud reports no secure score for the subscriptions this channel can see. The score appears once Defender for Cloud has assessed them; ask for the top risks meanwhile."
            .to_owned(),
    );
    card.actions = super::help::starters(req.response_id, 2);
    Answer::card(card)
}

/// The secure score, overall and per subscription, and the controls with the most to gain.
pub(crate) async fn summary(req: &Request<'_>) -> Result<Answer, SkillError> {
    let Some((scope, card)) = scope(req).await? else {
        return Ok(no_score(req));
    };
    let subscriptions = req.source.subscriptions().await?;
    let overall = card.overall(&scope);
    if overall.max <= 0.0 {
        return Ok(no_score(req));
    }
    let mut out = Card::titled(format!("Secure score: {:.0}%", overall.percent()));
    out.summary = Some(format!(
        "{} of {} points across {} subscription{}. Fixing the recommendations below brings points back; the score counts a resource as healthy in a control only when it passes every recommendation of that control.",
        points(overall.current),
        points(overall.max),
        card.scores_in(&scope).len(),
        if card.scores_in(&scope).len() == 1 { "" } else { "s" }
    ));
    for s in card.scores_in(&scope) {
        out.facts.push(Fact::new(
            subscription_name(&subscriptions, &s.subscription),
            format!("{:.0}% ({} of {} points)", s.percent(), points(s.current), points(s.max)),
        ));
    }
    let controls: Vec<String> = card
        .controls_in(&scope)
        .iter()
        .filter(|c| c.potential() > 0.05)
        .take(5)
        .map(|c| {
            format!(
                "{}: +{} points possible ({} of {} resources healthy)",
                c.name,
                points(c.potential()),
                c.healthy,
                c.healthy + c.unhealthy
            )
        })
        .collect();
    if !controls.is_empty() {
        out.sections.push(Section {
            heading: "Most points to win back".to_owned(),
            lines: controls,
            numbered: false,
        });
    }
    out.actions.push(
        Action::ask(
            "Which fixes raise it most?",
            req.response_id,
            "Which fixes raise our secure score the most?",
        )
        .styled(ActionStyle::Primary),
    );
    Ok(Answer::card(out))
}

/// Recommendations ranked by the points fixing them everywhere in scope brings back.
pub(crate) async fn gains(req: &Request<'_>) -> Result<Answer, SkillError> {
    let Some((scope, card)) = scope(req).await? else {
        return Ok(no_score(req));
    };
    let overall = card.overall(&scope);
    let gains = card.gains(&scope);
    if overall.max <= 0.0 || gains.is_empty() {
        return Ok(no_score(req));
    }
    let mut out = Card::titled("Fixes that raise your secure score the most");
    out.summary = Some(format!(
        "Your secure score is {:.0}% ({} of {} points). Each fix below is ranked by the points it brings back when fixed on every resource it fails on; a resource only counts once every recommendation of its control passes, so treat the figures as the most a fix can add.",
        overall.percent(),
        points(overall.current),
        points(overall.max)
    ));
    let mut subjects = Vec::new();
    for gain in gains.iter().take(super::list_risks::page_size(&req.parse.slots)) {
        let name = req
            .source
            .recommendation(&gain.recommendation)
            .await?
            .map_or_else(|| gain.recommendation.clone(), |r| r.name.clone());
        let subject = Subject::Recommendation { key: gain.recommendation.clone() };
        let share = if overall.max > 0.0 { gain.points / overall.max * 100.0 } else { 0.0 };
        out.items.push(Item {
            title: name,
            subtitle: Some(format!(
                "up to +{} points (+{:.1}%) · {} · {} resource{}",
                points(gain.points),
                share,
                gain.control,
                gain.unhealthy,
                if gain.unhealthy == 1 { "" } else { "s" }
            )),
            severity: None,
            facts: Vec::new(),
            actions: vec![
                Action::run("Remediate", req.response_id, Intent::Remediate, Some(subject.clone()))
                    .styled(ActionStyle::Primary),
                Action::run("Assign", req.response_id, Intent::Delegate, Some(subject.clone())),
            ],
        });
        subjects.push(subject);
    }
    Ok(Answer::card(out).about(Some(Subject::list(subjects))))
}
