//! The shape of the demo tenant: Contoso's subscriptions, the resources in them, and its people.

use secbot_chat::{Cloud, ResourceKind};

use crate::posture::Plan;

/// A demo subscription.
pub(crate) struct SubscriptionPlan {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) cloud: Cloud,
    pub(crate) region: &'static str,
    pub(crate) env: &'static str,
    pub(crate) plans: &'static [Plan],
}

pub(crate) const SUBSCRIPTIONS: [SubscriptionPlan; 5] = [
    SubscriptionPlan {
        id: "3f8e2b1c-6a4d-4e9f-9b7a-1c2d3e4f5a60",
        name: "Contoso Production",
        cloud: Cloud::Azure,
        region: "eastus",
        env: "prod",
        plans: &[
            Plan::DefenderCspm,
            Plan::DefenderServers,
            Plan::DefenderContainers,
            Plan::DefenderSql,
            Plan::DefenderStorage,
            Plan::DefenderAppService,
        ],
    },
    SubscriptionPlan {
        id: "8b1d4f7e-2c3a-4b5d-8e6f-7a8b9c0d1e2f",
        name: "Contoso Data Platform",
        cloud: Cloud::Azure,
        region: "westeurope",
        env: "prod",
        plans: &[Plan::DefenderCspm, Plan::DefenderServers, Plan::DefenderSql, Plan::DefenderStorage],
    },
    SubscriptionPlan {
        id: "c4e5f6a7-b8c9-4d0e-a1f2-3b4c5d6e7f80",
        name: "Contoso Dev/Test",
        cloud: Cloud::Azure,
        region: "westus2",
        env: "dev",
        plans: &[],
    },
    SubscriptionPlan {
        id: "491827365012",
        name: "contoso-aws-prod",
        cloud: Cloud::Aws,
        region: "us-east-1",
        env: "prod",
        plans: &[Plan::DefenderCspm, Plan::DefenderServers],
    },
    SubscriptionPlan {
        id: "contoso-analytics-prod",
        name: "contoso-analytics",
        cloud: Cloud::Gcp,
        region: "us-central1",
        env: "prod",
        plans: &[],
    },
];

/// A group of similar resources: `count == 0` makes one resource called exactly `name`,
/// otherwise `name-01` … `name-NN`.
pub(crate) struct Group {
    pub(crate) subscription: usize,
    pub(crate) kind: ResourceKind,
    pub(crate) name: &'static str,
    pub(crate) count: u32,
    pub(crate) group: &'static str,
    /// Probability that a resource of the group is reachable from the internet.
    pub(crate) exposed: f64,
    /// The sensitive-data classification, when the group holds sensitive data.
    pub(crate) sensitive: Option<&'static str>,
    /// `Windows` or `Linux` for machines and images.
    pub(crate) os: &'static str,
    /// The owning team (a tag).
    pub(crate) team: &'static str,
}

#[allow(clippy::too_many_arguments)] // a table row constructor
const fn g(
    subscription: usize,
    kind: ResourceKind,
    name: &'static str,
    count: u32,
    group: &'static str,
    exposed: f64,
    sensitive: Option<&'static str>,
    os: &'static str,
    team: &'static str,
) -> Group {
    Group { subscription, kind, name, count, group, exposed, sensitive, os, team }
}

use ResourceKind::*;

const PII: Option<&str> = Some("Confidential (PII)");
const FIN: Option<&str> = Some("Financial");
const SECRETS: Option<&str> = Some("Credentials and keys");

/// The hand-named resources of the demo tenant.
pub(crate) const GROUPS: &[Group] = &[
    // Contoso Production (Azure)
    g(0, Subscription, "Contoso Production", 0, "", 0.0, None, "", "platform"),
    g(0, VirtualMachine, "vm-web", 4, "rg-web", 1.0, None, "Linux", "web"),
    g(0, VirtualMachine, "vm-jump-01", 0, "rg-mgmt", 1.0, None, "Windows", "platform"),
    g(0, VirtualMachine, "vm-app", 8, "rg-app", 0.0, None, "Windows", "checkout"),
    g(0, VirtualMachine, "vm-batch", 10, "rg-batch", 0.0, None, "Linux", "data"),
    g(0, VirtualMachine, "vm-sql-01", 0, "rg-data", 1.0, FIN, "Windows", "payments"),
    g(0, StorageAccount, "stcustomerdata01", 0, "rg-data", 1.0, PII, "", "data"),
    g(0, StorageAccount, "stinvoicesprod", 0, "rg-data", 0.0, FIN, "", "payments"),
    g(0, StorageAccount, "stlogsprod", 0, "rg-mgmt", 0.0, None, "", "platform"),
    g(0, StorageAccount, "stbackupprod", 0, "rg-mgmt", 0.0, None, "", "platform"),
    g(0, StorageAccount, "stwebassets", 0, "rg-web", 1.0, None, "", "web"),
    g(0, SqlDatabase, "sql-orders-prod", 0, "rg-data", 1.0, PII, "", "checkout"),
    g(0, SqlDatabase, "sql-billing-prod", 0, "rg-data", 0.0, FIN, "", "payments"),
    g(0, CosmosDb, "cosmos-catalog-prod", 0, "rg-app", 1.0, None, "", "checkout"),
    g(0, KeyVault, "kv-payments-prod", 0, "rg-data", 1.0, SECRETS, "", "payments"),
    g(0, KeyVault, "kv-app-prod", 0, "rg-app", 0.0, SECRETS, "", "checkout"),
    g(0, KubernetesCluster, "aks-prod-eastus", 0, "rg-aks", 1.0, None, "", "platform"),
    g(0, ContainerRegistry, "acrcontosoprod", 0, "rg-aks", 1.0, None, "", "platform"),
    g(0, ContainerImage, "checkout-api:1.14.2", 0, "rg-aks", 1.0, None, "Linux", "checkout"),
    g(0, ContainerImage, "orders-worker:3.2.0", 0, "rg-aks", 0.0, None, "Linux", "checkout"),
    g(0, ContainerImage, "web-frontend:2.8.1", 0, "rg-aks", 1.0, None, "Linux", "web"),
    g(0, ContainerImage, "payments-svc:0.9.4", 0, "rg-aks", 0.0, FIN, "Linux", "payments"),
    g(0, ContainerImage, "nginx-ingress:1.9.4", 0, "rg-aks", 1.0, None, "Linux", "platform"),
    g(0, ContainerImage, "legacy-reporting:0.3.1", 0, "rg-aks", 0.0, None, "Linux", "data"),
    g(0, AppService, "app-checkout-api", 0, "rg-app", 1.0, None, "", "checkout"),
    g(0, AppService, "app-customer-portal", 0, "rg-web", 1.0, PII, "", "web"),
    g(0, AppService, "func-orders-sync", 0, "rg-app", 0.0, None, "", "checkout"),
    g(0, Identity, "id-deploy-pipeline", 0, "rg-identity", 0.0, None, "", "platform"),
    g(0, Identity, "id-aks-kubelet", 0, "rg-aks", 0.0, None, "", "platform"),
    g(0, Network, "vnet-prod-eastus", 0, "rg-network", 0.0, None, "", "platform"),
    g(0, Network, "agw-prod-eastus", 0, "rg-network", 1.0, None, "", "platform"),
    // Contoso Data Platform (Azure)
    g(1, Subscription, "Contoso Data Platform", 0, "", 0.0, None, "", "data"),
    g(1, VirtualMachine, "vm-etl", 6, "rg-etl", 0.2, None, "Linux", "data"),
    g(1, StorageAccount, "stdatalakeraw01", 0, "rg-lake", 0.0, PII, "", "data"),
    g(1, StorageAccount, "stdatalakecurated", 0, "rg-lake", 1.0, PII, "", "data"),
    g(1, SqlDatabase, "sql-warehouse-prod", 0, "rg-dw", 1.0, PII, "", "data"),
    g(1, SqlDatabase, "sql-analytics-dw", 0, "rg-dw", 0.0, None, "", "data"),
    g(1, CosmosDb, "cosmos-events", 0, "rg-lake", 0.0, None, "", "data"),
    g(1, KeyVault, "kv-data-platform", 0, "rg-lake", 0.0, SECRETS, "", "data"),
    g(1, AppService, "app-data-api", 0, "rg-dw", 1.0, None, "", "data"),
    g(1, Identity, "id-etl-runner", 0, "rg-etl", 0.0, None, "", "data"),
    g(1, Network, "vnet-data-weu", 0, "rg-network", 0.0, None, "", "data"),
    // Contoso Dev/Test (Azure, no paid plans)
    g(2, Subscription, "Contoso Dev/Test", 0, "", 0.0, None, "", "platform"),
    g(2, VirtualMachine, "vm-dev", 20, "rg-dev", 0.3, None, "Linux", "web"),
    g(2, StorageAccount, "stdevscratch", 0, "rg-dev", 1.0, None, "", "web"),
    g(2, SqlDatabase, "sql-dev-orders", 0, "rg-dev", 1.0, None, "", "checkout"),
    g(2, KeyVault, "kv-dev", 0, "rg-dev", 1.0, None, "", "platform"),
    g(2, KubernetesCluster, "aks-dev-westus2", 0, "rg-dev", 1.0, None, "", "platform"),
    g(2, AppService, "app-checkout-dev", 0, "rg-dev", 1.0, None, "", "checkout"),
    g(2, Network, "vnet-dev-westus2", 0, "rg-dev", 0.0, None, "", "platform"),
    // contoso-aws-prod
    g(3, Subscription, "contoso-aws-prod", 0, "", 0.0, None, "", "platform"),
    g(3, VirtualMachine, "ec2-bastion-01", 0, "", 1.0, None, "Linux", "platform"),
    g(3, VirtualMachine, "ec2-web", 3, "", 1.0, None, "Linux", "web"),
    g(3, VirtualMachine, "ec2-worker", 8, "", 0.0, None, "Linux", "data"),
    g(3, StorageAccount, "s3-finance-exports", 0, "", 1.0, FIN, "", "payments"),
    g(3, StorageAccount, "s3-app-logs", 0, "", 0.0, None, "", "platform"),
    g(3, StorageAccount, "s3-static-site", 0, "", 1.0, None, "", "web"),
    g(3, SqlDatabase, "rds-payments-prod", 0, "", 0.0, FIN, "", "payments"),
    g(3, KubernetesCluster, "eks-prod-use1", 0, "", 1.0, None, "", "platform"),
    g(3, ContainerRegistry, "ecr-contoso-apps", 0, "", 0.0, None, "", "platform"),
    g(3, Identity, "iam-role-ci-deploy", 0, "", 0.0, None, "", "platform"),
    // contoso-analytics (GCP, no paid plans)
    g(4, Subscription, "contoso-analytics", 0, "", 0.0, None, "", "data"),
    g(4, VirtualMachine, "gce-analytics", 4, "", 0.5, None, "Linux", "data"),
    g(4, StorageAccount, "gcs-analytics-raw", 0, "", 1.0, PII, "", "data"),
    g(4, StorageAccount, "gcs-exports", 0, "", 0.0, None, "", "data"),
    g(4, SqlDatabase, "cloudsql-reporting", 0, "", 1.0, None, "", "data"),
    g(4, SqlDatabase, "bq-customer-360", 0, "", 0.0, PII, "", "data"),
    g(4, KubernetesCluster, "gke-analytics", 0, "", 0.0, None, "", "data"),
];

/// Groups the demo tenant repeats (with numbered names) to grow to a requested size.
pub(crate) const GROWTH: &[Group] = &[
    g(0, VirtualMachine, "vm-app", 0, "rg-app", 0.05, None, "Windows", "checkout"),
    g(0, VirtualMachine, "vm-web", 0, "rg-web", 0.6, None, "Linux", "web"),
    g(0, StorageAccount, "stprod", 0, "rg-data", 0.1, PII, "", "data"),
    g(0, SqlDatabase, "sql-prod", 0, "rg-data", 0.1, FIN, "", "payments"),
    g(0, KeyVault, "kv-prod", 0, "rg-app", 0.1, SECRETS, "", "platform"),
    g(0, ContainerImage, "svc", 0, "rg-aks", 0.2, None, "Linux", "platform"),
    g(0, AppService, "app-prod", 0, "rg-app", 0.5, None, "", "web"),
    g(1, VirtualMachine, "vm-etl", 0, "rg-etl", 0.05, None, "Linux", "data"),
    g(1, StorageAccount, "stlake", 0, "rg-lake", 0.05, PII, "", "data"),
    g(2, VirtualMachine, "vm-dev", 0, "rg-dev", 0.3, None, "Linux", "web"),
    g(2, StorageAccount, "stdev", 0, "rg-dev", 0.3, None, "", "web"),
    g(3, VirtualMachine, "ec2-worker", 0, "", 0.1, None, "Linux", "data"),
    g(3, StorageAccount, "s3-data", 0, "", 0.1, FIN, "", "payments"),
    g(4, VirtualMachine, "gce-worker", 0, "", 0.2, None, "Linux", "data"),
    g(4, StorageAccount, "gcs-data", 0, "", 0.1, None, "", "data"),
];

/// The people of the demo directory: (handle, display name).
pub(crate) const PEOPLE: [(&str, &str); 8] = [
    ("dana", "Dana Whitfield"),
    ("raj", "Raj Patel"),
    ("li.wei", "Li Wei"),
    ("sam", "Sam Okafor"),
    ("priya", "Priya Nair"),
    ("alex", "Alex Romero"),
    ("omar", "Omar Haddad"),
    ("jules", "Jules Martin"),
];

/// The email domain of the demo directory.
pub(crate) const DOMAIN: &str = "contoso.com";
