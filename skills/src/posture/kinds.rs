//! Which [`ResourceKind`] and [`Cloud`] a provider resource type belongs to.

use secbot_chat::{Cloud, ResourceKind};

/// The kind of a provider resource type (`Microsoft.Compute/virtualMachines`,
/// `AWS::S3::Bucket`, `storage.googleapis.com/Bucket`), case-insensitively.
pub fn kind_of_type(resource_type: &str) -> ResourceKind {
    let t = resource_type.to_ascii_lowercase();
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| t.starts_with(p));
    if t.ends_with("/images") || t.contains("containerimage") {
        ResourceKind::ContainerImage
    } else if starts(&[
        "microsoft.compute/virtualmachines",
        "microsoft.classiccompute/virtualmachines",
        "microsoft.hybridcompute/machines",
        "microsoft.connectedvmwarevsphere/virtualmachines",
        "aws::ec2::instance",
        "compute.googleapis.com/instance",
    ]) {
        ResourceKind::VirtualMachine
    } else if starts(&[
        "microsoft.storage/storageaccounts",
        "microsoft.classicstorage/storageaccounts",
        "microsoft.datalakestore",
        "aws::s3::",
        "storage.googleapis.com/",
    ]) {
        ResourceKind::StorageAccount
    } else if starts(&[
        "microsoft.sql/",
        "microsoft.dbfor",
        "aws::rds::",
        "sqladmin.googleapis.com/",
        "bigquery.googleapis.com/",
    ]) {
        ResourceKind::SqlDatabase
    } else if starts(&["microsoft.documentdb/"]) {
        ResourceKind::CosmosDb
    } else if starts(&["microsoft.keyvault/"]) {
        ResourceKind::KeyVault
    } else if starts(&[
        "microsoft.containerservice/managedclusters",
        "microsoft.kubernetes/connectedclusters",
        "aws::eks::",
        "container.googleapis.com/",
    ]) {
        ResourceKind::KubernetesCluster
    } else if starts(&["microsoft.containerregistry/registries", "aws::ecr::"]) {
        ResourceKind::ContainerRegistry
    } else if starts(&["microsoft.web/sites"]) {
        ResourceKind::AppService
    } else if starts(&["microsoft.managedidentity/", "aws::iam::", "microsoft.aad", "iam.googleapis.com/"]) {
        ResourceKind::Identity
    } else if starts(&[
        "microsoft.resources/subscriptions",
        "aws::organizations::account",
        "cloudresourcemanager.googleapis.com/project",
    ]) {
        ResourceKind::Subscription
    } else if starts(&[
        "microsoft.network/",
        "aws::ec2::securitygroup",
        "aws::ec2::vpc",
        "compute.googleapis.com/network",
        "compute.googleapis.com/firewall",
    ]) {
        ResourceKind::Network
    } else {
        ResourceKind::Other
    }
}

/// The cloud of a resource id: ARNs are AWS, `//service.googleapis.com/...` names are GCP,
/// everything else is Azure.
pub fn cloud_of_id(id: &str) -> Cloud {
    if id.starts_with("arn:aws") {
        Cloud::Aws
    } else if id.starts_with("//") && id.contains(".googleapis.com/") {
        Cloud::Gcp
    } else {
        Cloud::Azure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_types_map_to_kinds() {
        assert_eq!(kind_of_type("Microsoft.Compute/virtualMachines"), ResourceKind::VirtualMachine);
        assert_eq!(kind_of_type("microsoft.storage/storageaccounts"), ResourceKind::StorageAccount);
        assert_eq!(kind_of_type("AWS::S3::Bucket"), ResourceKind::StorageAccount);
        assert_eq!(kind_of_type("Microsoft.ContainerRegistry/registries"), ResourceKind::ContainerRegistry);
        assert_eq!(
            kind_of_type("Microsoft.ContainerRegistry/registries/images"),
            ResourceKind::ContainerImage
        );
        assert_eq!(kind_of_type("Microsoft.DBforPostgreSQL/servers"), ResourceKind::SqlDatabase);
        assert_eq!(kind_of_type("Microsoft.Batch/batchAccounts"), ResourceKind::Other);
        assert_eq!(cloud_of_id("arn:aws:s3:::bucket"), Cloud::Aws);
        assert_eq!(cloud_of_id("//storage.googleapis.com/projects/_/buckets/b"), Cloud::Gcp);
        assert_eq!(cloud_of_id("/subscriptions/x/resourceGroups/y"), Cloud::Azure);
    }
}
