use std::io::Read as _;
use std::path::PathBuf;

use super::*;

const APP_ID: &str = "3F2504E0-4F89-41D3-9A0C-0305E82C3301";

fn commands() -> Vec<(String, String)> {
    vec![
        ("help".to_owned(), "What secbot can do, with sample prompts".to_owned()),
        ("show critical risks".to_owned(), "Critical findings, most risky first".to_owned()),
        ("what's overdue?".to_owned(), "Delegated work past its due date".to_owned()),
    ]
}

fn unzip(package: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(package)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("an entry");
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).expect("reads");
            (file.name().to_owned(), bytes)
        })
        .collect()
}

fn png_size(bytes: &[u8]) -> (u32, u32, png::ColorType) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().expect("a PNG");
    let info = reader.info();
    (info.width, info.height, info.color_type)
}

#[test]
fn the_package_holds_the_manifest_and_both_icons() {
    let package = manifest(APP_ID, "https://secbot.contoso.com/api/messages", &commands()).expect("builds");
    let files = unzip(&package);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["manifest.json", "color.png", "outline.png"]);
    assert_eq!(png_size(&files[1].1), (192, 192, png::ColorType::Rgba));
    assert_eq!(png_size(&files[2].1), (32, 32, png::ColorType::Rgba));

    let manifest: Value = serde_json::from_slice(&files[0].1).expect("JSON");
    assert_eq!(
        manifest["$schema"],
        "https://developer.microsoft.com/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
    );
    assert_eq!(manifest["manifestVersion"], "1.17");
    assert_eq!(manifest["bots"][0]["botId"], APP_ID);
    assert_eq!(manifest["bots"][0]["scopes"], json!(["team", "groupChat", "personal"]));
    assert_eq!(manifest["validDomains"], json!(["secbot.contoso.com"]));
    assert_eq!(manifest["developer"]["websiteUrl"], "https://secbot.contoso.com");
    let id = manifest["id"].as_str().expect("an id");
    assert!(crate::activity::is_guid(id) && !id.eq_ignore_ascii_case(APP_ID), "{id}");
    assert_eq!(&id[14..15], "8", "a version 8 GUID");
    let lists = manifest["bots"][0]["commandLists"].as_array().expect("command lists");
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0]["scopes"], manifest["bots"][0]["scopes"]);
    assert_eq!(
        lists[0]["commands"][1],
        json!({"title": "show critical risks", "description": "Critical findings, most risky first"})
    );
    let version = manifest["version"].as_str().expect("a version");
    assert_eq!(version.split('.').filter(|p| p.parse::<u32>().is_ok()).count(), 3, "semver: {version}");
}

#[test]
fn manifest_limits_hold() {
    let package = manifest(APP_ID, "https://h.example", &commands()).expect("builds");
    let files = unzip(&package);
    let m: Value = serde_json::from_slice(&files[0].1).expect("JSON");
    let len = |v: &Value| v.as_str().map_or(usize::MAX, |s| s.chars().count());
    assert!(len(&m["name"]["short"]) <= MANIFEST_SHORT_NAME_CHARS);
    assert!(len(&m["name"]["full"]) <= MANIFEST_FULL_NAME_CHARS);
    assert!(len(&m["description"]["short"]) <= MANIFEST_SHORT_DESCRIPTION_CHARS);
    assert!(len(&m["description"]["full"]) <= MANIFEST_FULL_DESCRIPTION_CHARS);
    assert!(len(&m["developer"]["name"]) <= MANIFEST_DEVELOPER_NAME_CHARS);
    assert!(m["accentColor"].as_str().is_some_and(|c| c.len() == 7 && c.starts_with('#')));
}

#[test]
fn the_same_app_id_always_gets_the_same_package_id() {
    assert_eq!(package_id(APP_ID), package_id(&APP_ID.to_ascii_lowercase()));
    assert_ne!(package_id(APP_ID), package_id("3f2504e0-4f89-41d3-9a0c-0305e82c3302"));
    let a = manifest(APP_ID, "https://h.example", &[]).expect("builds");
    assert_eq!(a, manifest(APP_ID, "https://h.example", &[]).expect("builds"), "packages are reproducible");
    let files = unzip(&a);
    let m: Value = serde_json::from_slice(&files[0].1).expect("JSON");
    assert!(m["bots"][0].get("commandLists").is_none(), "no empty command list");
}

#[test]
fn bad_input_is_refused_with_what_to_fix() {
    assert!(matches!(manifest("not-a-guid", "https://h.example", &[]), Err(ManifestError::AppId(_))));
    for url in ["http://h.example", "https://", "h.example", "https://user:pw@h.example"] {
        assert!(matches!(manifest(APP_ID, url, &[]), Err(ManifestError::Url(_))), "{url}");
    }
    let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("c{i}"), String::new())).collect();
    assert!(matches!(
        manifest(APP_ID, "https://h.example", &eleven),
        Err(ManifestError::TooManyCommands { given: 11, max: 10 })
    ));
    let long_title = vec![("x".repeat(33), String::new())];
    assert!(matches!(
        manifest(APP_ID, "https://h.example", &long_title),
        Err(ManifestError::CommandTitle(_))
    ));
    let long_description = vec![("ok".to_owned(), "d".repeat(129))];
    let err = manifest(APP_ID, "https://h.example", &long_description).expect_err("too long");
    assert!(err.to_string().contains("128"), "{err}");
    let blank = vec![("  ".to_owned(), String::new())];
    assert!(manifest(APP_ID, "https://h.example", &blank).is_err());
}

/// The manifest with placeholders, as committed at [`TEMPLATE_PATH`].
fn template() -> Value {
    let commands = [("{{COMMAND_TITLE}}".to_owned(), "{{COMMAND_DESCRIPTION}}".to_owned())];
    document("{{APP_ID}}", "{{PACKAGE_ID}}", "https://{{HOST}}", "{{HOST}}", &commands)
}

/// The committed template matches the code; `SECBOT_UPDATE_MANIFESTS=1` rewrites it.
#[test]
fn the_committed_template_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(TEMPLATE_PATH);
    let expected = format!("{}\n", serde_json::to_string_pretty(&template()).expect("serializes"));
    if std::env::var_os("SECBOT_UPDATE_MANIFESTS").is_some() {
        std::fs::write(&path, &expected).expect("writes the template");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed, expected,
        "{TEMPLATE_PATH} is stale; run `SECBOT_UPDATE_MANIFESTS=1 cargo test -p secbot-teams` and commit it"
    );
}
