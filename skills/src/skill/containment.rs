//! Containing a machine an alert fired on, in its cloud's CLI: keep its disks for the
//! investigation, cut its network off, take its cloud credentials away, then stop it. Shown
//! with an alert's own steps ("containment steps, gcloud").

use secbot_chat::{Cloud, CodeBlock, ResourceKind};

use crate::posture::Alert;
use crate::posture::arm_id;

/// The commands that contain the virtual machine an alert fired on, filled in for it; `None`
/// for an alert on anything else, or whose resource id does not say where the machine is.
pub(crate) fn script(alert: &Alert) -> Option<CodeBlock> {
    if alert.kind != ResourceKind::VirtualMachine {
        return None;
    }
    let id = alert.resource.as_deref()?;
    match alert.cloud {
        Cloud::Gcp => gce(id),
        Cloud::Aws => ec2(id),
        Cloud::Azure => azure_vm(id),
    }
}

/// `//compute.googleapis.com/projects/{project}/zones/{zone}/instances/{name}`.
fn gce(id: &str) -> Option<CodeBlock> {
    let parts: Vec<&str> = id.trim_start_matches("//").split('/').collect();
    let after = |key: &str| parts.iter().position(|p| *p == key).and_then(|i| parts.get(i + 1)).copied();
    let (project, zone, name) = (after("projects")?, after("zones")?, after("instances")?);
    let code = format!(
        r#"PROJECT="{project}"
ZONE="{zone}"
VM="{name}"
STAMP="$(date -u +%Y%m%d%H%M)"
# 1. Keep the evidence: snapshot every disk before anything changes.
for DISK in $(gcloud compute instances describe "$VM" --zone "$ZONE" --project "$PROJECT" \
    --format="value(disks[].source.basename())" | tr ';' ' '); do
  gcloud compute disks snapshot "$DISK" --zone "$ZONE" --project "$PROJECT" --snapshot-names "$DISK-ir-$STAMP"
done
# 2. Cut it off: deny every connection in and out for a quarantine tag, then tag the VM.
NETWORK="$(gcloud compute instances describe "$VM" --zone "$ZONE" --project "$PROJECT" \
    --format="value(networkInterfaces[0].network.basename())")"
gcloud compute firewall-rules create "quarantine-deny-in-$STAMP" --project "$PROJECT" --network "$NETWORK" \
    --direction INGRESS --action DENY --rules all --source-ranges 0.0.0.0/0 --target-tags quarantine --priority 0
gcloud compute firewall-rules create "quarantine-deny-out-$STAMP" --project "$PROJECT" --network "$NETWORK" \
    --direction EGRESS --action DENY --rules all --destination-ranges 0.0.0.0/0 --target-tags quarantine --priority 0
gcloud compute instances add-tags "$VM" --zone "$ZONE" --project "$PROJECT" --tags quarantine
# 3. Stop it, then take its cloud credentials away (a VM's service account changes only while
#    it is stopped): a stolen token of it stops working.
gcloud compute instances stop "$VM" --zone "$ZONE" --project "$PROJECT"
gcloud compute instances set-service-account "$VM" --zone "$ZONE" --project "$PROJECT" --no-service-account --no-scopes"#
    );
    Some(CodeBlock { title: "gcloud: contain the VM".to_owned(), language: "bash".to_owned(), code })
}

/// `arn:aws:ec2:{region}:{account}:instance/{instance id}`.
fn ec2(id: &str) -> Option<CodeBlock> {
    let mut fields = id.strip_prefix("arn:aws:ec2:")?.split(':');
    let region = fields.next().filter(|r| !r.is_empty())?;
    let instance = fields.nth(1)?.strip_prefix("instance/")?;
    let code = format!(
        r#"REGION="{region}"
INSTANCE="{instance}"
# 1. Keep the evidence: snapshot every attached volume before anything changes.
aws ec2 create-snapshots --region "$REGION" --instance-specification InstanceId="$INSTANCE" \
    --description "IR evidence for $INSTANCE" --copy-tags-from-source volume
# 2. Cut it off: a security group that allows nothing in or out, in place of its groups.
VPC="$(aws ec2 describe-instances --region "$REGION" --instance-ids "$INSTANCE" \
    --query 'Reservations[0].Instances[0].VpcId' --output text)"
SG="$(aws ec2 create-security-group --region "$REGION" --vpc-id "$VPC" --group-name "quarantine-$INSTANCE" \
    --description "Quarantine: no traffic" --query GroupId --output text)"
aws ec2 revoke-security-group-egress --region "$REGION" --group-id "$SG" \
    --ip-permissions '[{{"IpProtocol":"-1","IpRanges":[{{"CidrIp":"0.0.0.0/0"}}]}}]'
aws ec2 modify-instance-attribute --region "$REGION" --instance-id "$INSTANCE" --groups "$SG"
# 3. Take its cloud credentials away: detach the instance profile, so stolen keys stop working.
ASSOCIATION="$(aws ec2 describe-iam-instance-profile-associations --region "$REGION" \
    --filters Name=instance-id,Values="$INSTANCE" --query 'IamInstanceProfileAssociations[0].AssociationId' --output text)"
if [ "$ASSOCIATION" != "None" ]; then
  aws ec2 disassociate-iam-instance-profile --region "$REGION" --association-id "$ASSOCIATION"
fi
# 4. Stop it once the snapshots are complete, if the service can go down.
aws ec2 stop-instances --region "$REGION" --instance-ids "$INSTANCE""#
    );
    Some(CodeBlock { title: "AWS CLI: contain the instance".to_owned(), language: "bash".to_owned(), code })
}

/// `/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}`.
fn azure_vm(id: &str) -> Option<CodeBlock> {
    let subscription = arm_id::subscription(id)?;
    let group = arm_id::resource_group(id)?;
    let name = arm_id::segment_after(id, "virtualMachines")?;
    let code = format!(
        r#"az account set --subscription "{subscription}"
RG="{group}"
VM="{name}"
STAMP="$(date -u +%Y%m%d%H%M)"
LOCATION="$(az vm show -g "$RG" -n "$VM" --query location -o tsv)"
# 1. Keep the evidence: snapshot the OS disk (and each data disk the same way).
OS_DISK="$(az vm show -g "$RG" -n "$VM" --query storageProfile.osDisk.managedDisk.id -o tsv)"
az snapshot create -g "$RG" -n "$VM-ir-$STAMP" -l "$LOCATION" --source "$OS_DISK"
# 2. Cut it off: a network security group that denies everything, on its network interface.
az network nsg create -g "$RG" -n "$VM-quarantine" -l "$LOCATION"
az network nsg rule create -g "$RG" --nsg-name "$VM-quarantine" -n deny-all-in --priority 100 \
    --direction Inbound --access Deny --protocol '*' --source-address-prefixes '*' --destination-port-ranges '*'
az network nsg rule create -g "$RG" --nsg-name "$VM-quarantine" -n deny-all-out --priority 100 \
    --direction Outbound --access Deny --protocol '*' --destination-address-prefixes '*' --destination-port-ranges '*'
NIC="$(az vm show -g "$RG" -n "$VM" --query 'networkProfile.networkInterfaces[0].id' -o tsv)"
az network nic update --ids "$NIC" --network-security-group "$VM-quarantine"
# 3. Take its cloud credentials away: remove its managed identities.
az vm identity remove -g "$RG" -n "$VM" --identities '[system]'
# 4. Stop it once the snapshot is complete, if the service can go down.
az vm deallocate -g "$RG" -n "$VM""#
    );
    Some(CodeBlock { title: "Azure CLI: contain the VM".to_owned(), language: "bash".to_owned(), code })
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use secbot_chat::{Cloud, ResourceKind};

    use super::script;
    use crate::posture::Alert;

    fn alert(resource: &str, cloud: Cloud, kind: ResourceKind) -> Alert {
        Alert {
            id: "alert-1".to_owned(),
            alert_type: String::new(),
            name: "Digital currency mining related behavior detected".to_owned(),
            severity: secbot_chat::Severity::High,
            informational: false,
            status: crate::posture::AlertStatus::Active,
            description: String::new(),
            remediation: Vec::new(),
            entity: resource.rsplit('/').next().unwrap_or_default().to_owned(),
            resource: Some(resource.to_owned()),
            kind,
            subscription: "sub".to_owned(),
            cloud,
            tactics: Vec::new(),
            product: String::new(),
            detected: time::macros::datetime!(2026-12-04 21:24 UTC),
            incident: false,
            portal: None,
        }
    }

    fn machines() -> Vec<Alert> {
        vec![
            alert(
                "//compute.googleapis.com/projects/contoso-analytics-prod/zones/us-central1-a/instances/gce-analytics-01",
                Cloud::Gcp,
                ResourceKind::VirtualMachine,
            ),
            alert(
                "arn:aws:ec2:us-east-1:491827365012:instance/i-083d05b18904f6c28",
                Cloud::Aws,
                ResourceKind::VirtualMachine,
            ),
            alert(
                "/subscriptions/3f8e2b1c-6a4d-4e9f-9b7a-1c2d3e4f5a60/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-03",
                Cloud::Azure,
                ResourceKind::VirtualMachine,
            ),
        ]
    }

    #[test]
    fn each_cloud_gets_its_cli_filled_in_for_the_machine() {
        let scripts: Vec<_> = machines().iter().map(|a| script(a).expect("a machine is contained")).collect();
        assert!(scripts[0].title.starts_with("gcloud"));
        assert!(scripts[0].code.contains(r#"PROJECT="contoso-analytics-prod""#));
        assert!(scripts[0].code.contains(r#"ZONE="us-central1-a""#));
        assert!(scripts[0].code.contains(r#"VM="gce-analytics-01""#));
        assert!(scripts[1].title.starts_with("AWS CLI"));
        assert!(scripts[1].code.contains(r#"REGION="us-east-1""#));
        assert!(scripts[1].code.contains(r#"INSTANCE="i-083d05b18904f6c28""#));
        assert!(scripts[2].title.starts_with("Azure CLI"));
        assert!(scripts[2].code.contains(r#"RG="rg-web""#) && scripts[2].code.contains(r#"VM="vm-web-03""#));
        assert!(scripts[2].code.contains("3f8e2b1c-6a4d-4e9f-9b7a-1c2d3e4f5a60"));
    }

    #[test]
    fn only_a_machine_named_by_a_full_id_is_contained() {
        let storage = alert(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stinvoicesprod",
            Cloud::Azure,
            ResourceKind::StorageAccount,
        );
        assert!(script(&storage).is_none());
        let bare = alert("gce-analytics-01", Cloud::Gcp, ResourceKind::VirtualMachine);
        assert!(script(&bare).is_none(), "no project or zone to fill in");
    }

    #[test]
    fn every_containment_script_passes_shellcheck() {
        let found = Command::new("shellcheck").arg("--version").output().is_ok_and(|o| o.status.success());
        if !found {
            assert!(
                !std::env::var("SECBOT_REQUIRE_TOOLS").is_ok_and(|v| v == "1"),
                "shellcheck is required: apt-get install shellcheck"
            );
            eprintln!("skipped: shellcheck is not installed (apt-get install shellcheck)");
            return;
        }
        let dir = std::env::temp_dir().join(format!("secbot-containment-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let files: Vec<_> = machines()
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let path = dir.join(format!("{i}.sh"));
                std::fs::write(&path, script(a).unwrap().code).unwrap();
                path
            })
            .collect();
        let out = Command::new("shellcheck")
            .args(["--shell=bash", "--severity=warning", "--format=gcc"])
            .args(&files)
            .output()
            .unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    }
}
