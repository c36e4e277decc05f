//! Which [`ResourceKind`] and [`Cloud`] a provider resource type belongs to.

use secbot_chat::{Cloud, ResourceKind};

/// Lower-case prefixes of the provider types of each kind, in the order they are tried (both
/// here and in the Resource Graph queries); container images are told by [`IMAGE_SUFFIX`] and
/// [`IMAGE_MARK`] instead.
pub(crate) const KIND_PREFIXES: [(ResourceKind, &[&str]); 11] = [
    (
        ResourceKind::VirtualMachine,
        &[
            "microsoft.compute/virtualmachines",
            "microsoft.classiccompute/virtualmachines",
            "microsoft.hybridcompute/machines",
            "microsoft.connectedvmwarevsphere/virtualmachines",
            "aws::ec2::instance",
            "compute.googleapis.com/instance",
        ],
    ),
    (
        ResourceKind::StorageAccount,
        &[
            "microsoft.storage/storageaccounts",
            "microsoft.classicstorage/storageaccounts",
            "microsoft.datalakestore",
            "aws::s3::",
            "storage.googleapis.com/",
        ],
    ),
    (
        ResourceKind::SqlDatabase,
        &[
            "microsoft.sql/",
            "microsoft.dbfor",
            "aws::rds::",
            "sqladmin.googleapis.com/",
            "bigquery.googleapis.com/",
        ],
    ),
    (ResourceKind::CosmosDb, &["microsoft.documentdb/"]),
    (ResourceKind::KeyVault, &["microsoft.keyvault/"]),
    (
        ResourceKind::KubernetesCluster,
        &[
            "microsoft.containerservice/managedclusters",
            "microsoft.kubernetes/connectedclusters",
            "aws::eks::",
            "container.googleapis.com/",
        ],
    ),
    (ResourceKind::ContainerRegistry, &["microsoft.containerregistry/registries", "aws::ecr::"]),
    (ResourceKind::AppService, &["microsoft.web/sites"]),
    (
        ResourceKind::Identity,
        &["microsoft.managedidentity/", "aws::iam::", "microsoft.aad", "iam.googleapis.com/"],
    ),
    (
        ResourceKind::Subscription,
        &[
            "microsoft.resources/subscriptions",
            "aws::organizations::account",
            "cloudresourcemanager.googleapis.com/project",
        ],
    ),
    (
        ResourceKind::Network,
        &[
            "microsoft.network/",
            "aws::ec2::securitygroup",
            "aws::ec2::vpc",
            "compute.googleapis.com/network",
            "compute.googleapis.com/firewall",
        ],
    ),
];

/// How a container image's provider type ends (`Microsoft.ContainerRegistry/registries/images`).
pub(crate) const IMAGE_SUFFIX: &str = "/images";

/// What the provider types of container images elsewhere hold (`…/containerImages`).
pub(crate) const IMAGE_MARK: &str = "containerimage";

/// The kind of a provider resource type (`Microsoft.Compute/virtualMachines`,
/// `AWS::S3::Bucket`, `storage.googleapis.com/Bucket`), case-insensitively.
pub fn kind_of_type(resource_type: &str) -> ResourceKind {
    let t = resource_type.to_ascii_lowercase();
    if t.ends_with(IMAGE_SUFFIX) || t.contains(IMAGE_MARK) {
        return ResourceKind::ContainerImage;
    }
    KIND_PREFIXES
        .iter()
        .find(|(_, prefixes)| prefixes.iter().any(|p| t.starts_with(p)))
        .map_or(ResourceKind::Other, |(kind, _)| *kind)
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
