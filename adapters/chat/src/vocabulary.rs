//! Shared terms of cloud security posture that prompts, slots, cards and the posture model use.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A term that does not name any known value, with the kind of term that was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a known {expected}")]
pub struct UnknownTerm {
    /// The text that was given.
    pub value: String,
    /// What kind of term was expected ("severity", "cloud", "resource type").
    pub expected: &'static str,
}

/// How serious something is: a recommendation's severity, a finding's risk level, a CVE's severity.
///
/// Ordered from least to most serious, so `max()` picks the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Low severity or risk.
    #[serde(alias = "Low")]
    Low,
    /// Medium severity or risk.
    #[serde(alias = "Medium")]
    Medium,
    /// High severity or risk.
    #[serde(alias = "High")]
    High,
    /// Critical severity or risk.
    #[serde(alias = "Critical")]
    Critical,
}

impl Severity {
    /// Every level, most serious first.
    pub const ALL: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];

    /// The lowercase slot value (`"critical"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The capitalised label shown on cards (`"Critical"`).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    /// Severity of a CVSS v3 base score, using the CVSS v3 qualitative rating scale.
    pub fn from_cvss(score: f32) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Severity {
    type Err = UnknownTerm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(UnknownTerm { value: s.to_owned(), expected: "severity" }),
        }
    }
}

/// The cloud a resource lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Microsoft Azure.
    Azure,
    /// Amazon Web Services.
    Aws,
    /// Google Cloud.
    Gcp,
}

impl Cloud {
    /// Every cloud.
    pub const ALL: [Cloud; 3] = [Cloud::Azure, Cloud::Aws, Cloud::Gcp];

    /// The lowercase slot value (`"aws"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Azure => "azure",
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
        }
    }

    /// The name shown on cards (`"AWS"`).
    pub fn label(self) -> &'static str {
        match self {
            Cloud::Azure => "Azure",
            Cloud::Aws => "AWS",
            Cloud::Gcp => "GCP",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Cloud {
    type Err = UnknownTerm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "azure" => Ok(Cloud::Azure),
            "aws" => Ok(Cloud::Aws),
            "gcp" | "google" => Ok(Cloud::Gcp),
            _ => Err(UnknownTerm { value: s.to_owned(), expected: "cloud" }),
        }
    }
}

/// The kind of a resource, the same across clouds (an S3 bucket is a `storage_account`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// Virtual machines, scale sets, EC2 instances, Compute Engine instances, Arc machines.
    VirtualMachine,
    /// Storage accounts, S3 buckets, Cloud Storage buckets.
    StorageAccount,
    /// Relational databases: Azure SQL, MySQL, PostgreSQL, RDS, Cloud SQL, BigQuery.
    SqlDatabase,
    /// Azure Cosmos DB accounts.
    CosmosDb,
    /// Key vaults.
    KeyVault,
    /// Kubernetes clusters: AKS, EKS, GKE, Arc-enabled clusters.
    KubernetesCluster,
    /// Container registries: ACR, ECR.
    ContainerRegistry,
    /// Container images, in a registry or running.
    ContainerImage,
    /// Web, API and function apps.
    AppService,
    /// Identities: users, service principals, managed identities, IAM roles.
    Identity,
    /// Subscriptions, AWS accounts, GCP projects.
    Subscription,
    /// Networks: virtual networks, subnets, security groups, gateways.
    Network,
    /// Anything else.
    Other,
}

impl ResourceKind {
    /// Every kind.
    pub const ALL: [ResourceKind; 13] = [
        ResourceKind::VirtualMachine,
        ResourceKind::StorageAccount,
        ResourceKind::SqlDatabase,
        ResourceKind::CosmosDb,
        ResourceKind::KeyVault,
        ResourceKind::KubernetesCluster,
        ResourceKind::ContainerRegistry,
        ResourceKind::ContainerImage,
        ResourceKind::AppService,
        ResourceKind::Identity,
        ResourceKind::Subscription,
        ResourceKind::Network,
        ResourceKind::Other,
    ];

    /// The snake_case slot value (`"key_vault"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::VirtualMachine => "virtual_machine",
            ResourceKind::StorageAccount => "storage_account",
            ResourceKind::SqlDatabase => "sql_database",
            ResourceKind::CosmosDb => "cosmos_db",
            ResourceKind::KeyVault => "key_vault",
            ResourceKind::KubernetesCluster => "kubernetes_cluster",
            ResourceKind::ContainerRegistry => "container_registry",
            ResourceKind::ContainerImage => "container_image",
            ResourceKind::AppService => "app_service",
            ResourceKind::Identity => "identity",
            ResourceKind::Subscription => "subscription",
            ResourceKind::Network => "network",
            ResourceKind::Other => "other",
        }
    }

    /// A singular label for cards (`"key vault"`).
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::VirtualMachine => "virtual machine",
            ResourceKind::StorageAccount => "storage account",
            ResourceKind::SqlDatabase => "database",
            ResourceKind::CosmosDb => "Cosmos DB account",
            ResourceKind::KeyVault => "key vault",
            ResourceKind::KubernetesCluster => "Kubernetes cluster",
            ResourceKind::ContainerRegistry => "container registry",
            ResourceKind::ContainerImage => "container image",
            ResourceKind::AppService => "app service",
            ResourceKind::Identity => "identity",
            ResourceKind::Subscription => "subscription",
            ResourceKind::Network => "network resource",
            ResourceKind::Other => "resource",
        }
    }

    /// A plural label for cards (`"key vaults"`).
    pub fn plural(self) -> &'static str {
        match self {
            ResourceKind::VirtualMachine => "virtual machines",
            ResourceKind::StorageAccount => "storage accounts",
            ResourceKind::SqlDatabase => "databases",
            ResourceKind::CosmosDb => "Cosmos DB accounts",
            ResourceKind::KeyVault => "key vaults",
            ResourceKind::KubernetesCluster => "Kubernetes clusters",
            ResourceKind::ContainerRegistry => "container registries",
            ResourceKind::ContainerImage => "container images",
            ResourceKind::AppService => "app services",
            ResourceKind::Identity => "identities",
            ResourceKind::Subscription => "subscriptions",
            ResourceKind::Network => "network resources",
            ResourceKind::Other => "resources",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for ResourceKind {
    type Err = UnknownTerm;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        ResourceKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == wanted)
            .ok_or_else(|| UnknownTerm { value: s.to_owned(), expected: "resource type" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_round_trip_through_their_slot_values() {
        for kind in ResourceKind::ALL {
            assert_eq!(kind.as_str().parse::<ResourceKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for level in Severity::ALL {
            assert_eq!(level.as_str().parse::<Severity>(), Ok(level));
        }
        for cloud in Cloud::ALL {
            assert_eq!(cloud.label().parse::<Cloud>(), Ok(cloud));
        }
    }

    #[test]
    fn unknown_terms_say_what_was_expected() {
        let err = "purple".parse::<Severity>().unwrap_err();
        assert_eq!(err.to_string(), "`purple` is not a known severity");
    }

    #[test]
    fn severities_order_from_low_to_critical_and_follow_cvss() {
        assert!(Severity::Critical > Severity::High && Severity::Medium > Severity::Low);
        assert_eq!(Severity::from_cvss(10.0), Severity::Critical);
        assert_eq!(Severity::from_cvss(7.5), Severity::High);
        assert_eq!(Severity::from_cvss(6.9), Severity::Medium);
        assert_eq!(Severity::from_cvss(3.1), Severity::Low);
    }
}
