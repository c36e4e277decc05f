//! Fixes people can paste: a remediation card shows one script language at a time (the one
//! asked for, else the resource's own cloud CLI) with a button for each other language, and
//! says plainly when a language cannot manage the resource.

use secbot_tests::thread;

fn code_titles(reply: &serde_json::Value) -> Vec<String> {
    let blocks = reply["card"]["code"].as_array().cloned().unwrap_or_default();
    blocks.iter().map(|b| b["title"].as_str().unwrap_or_default().to_owned()).collect()
}

fn buttons(reply: &serde_json::Value) -> Vec<String> {
    let actions = reply["card"]["actions"].as_array().cloned().unwrap_or_default();
    actions.iter().map(|a| a["label"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn a_fix_shows_one_language_and_offers_the_others() {
    let r = thread(&[
        "how do i fix 'Storage account public access should be disallowed' on stcustomerdata01",
        "bicep pls",
        "/press PowerShell",
    ])
    .await;
    assert_eq!(r[0]["skill"], "remediate");
    assert_eq!(code_titles(&r[0]), ["Azure CLI"], "an Azure resource gets the Azure CLI first");
    let offered = buttons(&r[0]);
    assert!(
        offered.contains(&"PowerShell".to_owned()) && offered.contains(&"Bicep".to_owned()),
        "{offered:?}"
    );
    assert!(!offered.contains(&"Azure CLI".to_owned()), "the language shown is not offered again");

    assert_eq!(code_titles(&r[1]), ["Bicep"], "the language asked for, alone");
    assert_eq!(r[1]["subject"], r[0]["subject"]);
    assert!(buttons(&r[1]).contains(&"Azure CLI".to_owned()));

    assert_eq!(r[2]["skill"], "remediate", "{}", r[2]);
    assert_eq!(code_titles(&r[2]), ["PowerShell"], "the button answers in its language");
    assert_eq!(r[2]["subject"], r[0]["subject"], "for the same finding");
}

#[tokio::test]
async fn a_language_that_cannot_manage_the_resource_says_so() {
    let r = thread(&["how do i close the mgmt ports on ec2-web-01", "bicep"]).await;
    assert_eq!(r[0]["skill"], "remediate");
    assert_eq!(code_titles(&r[0]), ["AWS CLI"], "an AWS resource gets the AWS CLI first");
    let code = r[0]["card"]["code"][0]["code"].as_str().unwrap_or_default();
    assert!(code.contains("--instance-ids \"$INSTANCE_ID\"") && code.contains("INSTANCE_ID=\"i-"), "{code}");
    assert_eq!(code_titles(&r[1]), ["AWS CLI"]);
    let notices = r[1]["card"]["notices"].to_string();
    assert!(notices.contains("Bicep only manages Azure resources and ec2-web-01 is in AWS"), "{notices}");
}

#[tokio::test]
async fn a_language_that_cannot_make_the_change_says_why() {
    let r = thread(&["how do i fix the vulnerable container images", "bicep pls"]).await;
    assert_eq!(r[1]["skill"], "remediate", "{}", r[1]);
    assert!(!code_titles(&r[1]).contains(&"Bicep".to_owned()));
    let notices = r[1]["card"]["notices"].to_string();
    assert!(
        notices.contains("No Bicep script for this fix: ") && notices.contains("rebuilding the image"),
        "the reason, not 'not yet': {notices}"
    );
    assert!(!code_titles(&r[1]).is_empty(), "and a script in a language that can");
}
