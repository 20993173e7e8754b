//! The configuration from the environment and the setters, end to end.

use super::*;
use otc_jobs_core::RetryPolicy;
use otc_jobs_core::Service;

fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

fn from(vars: &'static [(&'static str, &'static str)]) -> Result<Config, ConfigError> {
    ClientBuilder::<Config>::from_env_with(env_of(vars), &[])?.build()
}

#[test]
fn aksk_from_env() {
    let c = from(&[
        ("OS_ACCESS_KEY", "AK"),
        ("OS_SECRET_KEY", "SK"),
        ("OS_SECURITY_TOKEN", "ST"),
        ("OS_PROJECT_ID", "p1"),
        ("OS_REGION_NAME", "eu-nl"),
    ])
    .unwrap();
    let Auth::Fixed(Credentials::AkSk(keys)) = c.auth() else {
        panic!("{:?}", c.auth())
    };
    assert_eq!(keys.security_token().map(|t| t.expose()), Some("ST"));
    assert_eq!(c.project(), &Project::Id("p1".into()));
    assert_eq!(c.endpoints().region().as_str(), "eu-nl");
}

#[test]
fn password_with_project_name_gives_region() {
    let c = from(&[
        ("OS_USERNAME", "alice"),
        ("OS_PASSWORD", "pw"),
        ("OS_USER_DOMAIN_NAME", "OTC-EU-DE-1"),
        ("OS_PROJECT_NAME", "eu-de_demo"),
        ("OS_AUTH_URL", "https://iam.example.test:443/v3/"),
    ])
    .unwrap();
    assert!(matches!(c.auth(), Auth::Password(l) if l.user_name == "alice"));
    assert_eq!(c.project(), &Project::Name("eu-de_demo".into()));
    assert_eq!(c.endpoints().region().as_str(), "eu-de");
    assert_eq!(
        c.endpoints().base_url(Service::Iam).as_str(),
        "https://iam.example.test:443"
    );
}

#[test]
fn errors_name_the_setting() {
    let e = |vars| from(vars).err().unwrap().to_string();
    assert_eq!(
        e(&[
            ("OS_USERNAME", "a"),
            ("OS_PASSWORD", "b"),
            ("OS_PROJECT_ID", "p")
        ]),
        "OS_USER_DOMAIN_NAME: missing (OS_USERNAME is set)"
    );
    assert_eq!(
        e(&[("OS_SECRET_KEY", "s")]),
        "OS_ACCESS_KEY: missing (OS_SECRET_KEY is set)"
    );
    assert!(e(&[("OS_PROJECT_ID", "p")]).starts_with("OS_ACCESS_KEY: no credentials"));
    assert_eq!(
        e(&[
            ("OS_ACCESS_KEY", "a"),
            ("OS_SECRET_KEY", "b"),
            ("OS_AUTH_TOKEN", "t"),
            ("OS_PROJECT_ID", "p")
        ]),
        "OS_AUTH_TOKEN: contradicts OS_ACCESS_KEY: set one kind of credentials (AK/SK, a token, or a password)"
    );
    assert_eq!(
        e(&[("OS_AUTH_TOKEN", "t"), ("OS_PROJECT_ID", "p")]),
        "OS_REGION_NAME: missing: set the region (e.g. eu-de), or one base URL for every service (OS_ENDPOINT_OVERRIDE, ClientBuilder::base_url)"
    );
    assert_eq!(
        e(&[
            ("OS_AUTH_TOKEN", "t"),
            ("OS_PROJECT_ID", "p"),
            ("OS_REGION_NAME", "eu-de"),
            ("OS_AUTH_URL", "ftp://x")
        ]),
        "OS_AUTH_URL: invalid endpoint \"ftp://x\": the scheme must be http or https"
    );
    let e = ClientBuilder::<Config>::new()
        .token("t")
        .project_id("p")
        .region("eu-de")
        .retry(RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        })
        .build()
        .err()
        .unwrap();
    assert_eq!(e.setting(), "ClientBuilder::retry");
}

#[test]
fn builder_credentials_replace_env_ones() {
    let c = ClientBuilder::<Config>::from_env_with(
        env_of(&[
            ("OS_USERNAME", "alice"),
            ("OS_PROJECT_ID", "p"),
            ("OS_REGION_NAME", "eu-de"),
        ]),
        &[],
    )
    .unwrap()
    .ak_sk("AK", "SK")
    .build()
    .unwrap();
    assert!(matches!(c.auth(), Auth::Fixed(Credentials::AkSk(_))));
}

#[test]
fn proxy_from_env_and_debug_hides_secrets() {
    let b = ClientBuilder::<Config>::from_env_with(
        env_of(&[
            ("HTTPS_PROXY", "http://proxy.test:3128"),
            ("NO_PROXY", "localhost,127.0.0.1"),
            ("OS_ACCESS_KEY", "AKVISIBLE"),
            ("OS_SECRET_KEY", "SKHIDDEN"),
            ("OS_PROJECT_ID", "p"),
            ("OS_REGION_NAME", "eu-de"),
        ]),
        &[],
    )
    .unwrap();
    let shown = format!("{b:?}");
    assert!(
        shown.contains("AKVISIBLE") && !shown.contains("SKHIDDEN"),
        "{shown}"
    );
    let c = b.build().unwrap();
    let proxy = c.transport().proxy.as_ref().unwrap();
    assert_eq!(proxy.url(), "http://proxy.test:3128");
    assert_eq!(proxy.no_proxy(), Some("localhost,127.0.0.1"));
    assert_eq!(proxy.setting(), "HTTPS_PROXY");
    assert!(!format!("{c:?}").contains("SKHIDDEN"));
}

#[test]
fn proxy_password_is_never_shown_and_errors_name_the_source() {
    let vars: &'static [(&str, &str)] = &[
        ("HTTPS_PROXY", "http://alice:hunter2@proxy.test:3128"),
        ("OS_AUTH_TOKEN", "t"),
        ("OS_PROJECT_ID", "p"),
        ("OS_REGION_NAME", "eu-de"),
    ];
    let c = from(vars).unwrap();
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("alice:***@proxy.test"),
        "{shown}"
    );
    let e = from(&[
        ("https_proxy", "http://alice:hunter2@proxy.test:notaport"),
        ("OS_AUTH_TOKEN", "t"),
        ("OS_PROJECT_ID", "p"),
        ("OS_REGION_NAME", "eu-de"),
    ])
    .unwrap_err();
    assert_eq!(e.setting(), "https_proxy");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let b = ClientBuilder::<Config>::new()
        .token("t")
        .project_id("p")
        .region("eu-de")
        .proxy("ftp://proxy.test:21", None);
    assert!(!format!("{b:?}").contains("hunter2"));
    let e = b.build().unwrap_err();
    assert_eq!(e.setting(), "ClientBuilder::proxy");
}

#[test]
fn base_url_replaces_the_region() {
    let c = ClientBuilder::<Config>::new()
        .token("t")
        .project_id("p")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    for service in Service::ALL {
        assert_eq!(
            c.endpoints().base_url(service).as_str(),
            "http://127.0.0.1:9"
        );
    }
    assert_eq!(c.endpoints().region().as_str(), "eu-de");
    // One service alone does not say where the others are.
    let e = ClientBuilder::<Config>::new()
        .token("t")
        .project_id("p")
        .endpoint(Service::Dli, "http://127.0.0.1:9")
        .build()
        .unwrap_err();
    assert_eq!(e.setting(), "OS_REGION_NAME");
}

#[test]
fn endpoint_overrides_from_env() {
    let c = from(&[
        ("OS_AUTH_TOKEN", "t"),
        ("OS_PROJECT_ID", "p"),
        ("OS_ENDPOINT_OVERRIDE", "http://127.0.0.1:9"),
        ("OS_DLI_ENDPOINT_OVERRIDE", "http://127.0.0.1:10"),
        ("OS_IDENTITY_ENDPOINT_OVERRIDE", "https://iam.test/v3/"),
    ])
    .unwrap();
    let at = |s| c.endpoints().base_url(s).as_str().to_owned();
    assert_eq!(at(Service::Dli), "http://127.0.0.1:10");
    assert_eq!(at(Service::Mrs), "http://127.0.0.1:9");
    assert_eq!(at(Service::Iam), "https://iam.test");
    let c = from(&[
        ("OS_AUTH_TOKEN", "t"),
        ("OS_PROJECT_ID", "p"),
        ("OS_REGION_NAME", "eu-nl"),
        ("OS_MRS_ENDPOINT_OVERRIDE", "http://127.0.0.1:11"),
    ])
    .unwrap();
    assert_eq!(
        c.endpoints().base_url(Service::Mrs).as_str(),
        "http://127.0.0.1:11"
    );
    assert_eq!(
        c.endpoints().base_url(Service::Dli).as_str(),
        "https://dli.eu-nl.otc.t-systems.com"
    );
    let e = from(&[
        ("OS_AUTH_TOKEN", "t"),
        ("OS_PROJECT_ID", "p"),
        ("OS_REGION_NAME", "eu-nl"),
        ("OS_MODELARTS_ENDPOINT_OVERRIDE", "ftp://models.test"),
    ])
    .unwrap_err();
    assert_eq!(e.setting(), "OS_MODELARTS_ENDPOINT_OVERRIDE");
    assert!(e.problem().contains("ftp://models.test"), "{e}");
}

#[test]
fn env_vars_lists_every_variable_read() {
    use std::cell::RefCell;
    use std::collections::BTreeSet;
    let dir = std::env::temp_dir().join(format!("otc-jobs-env-vars-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("clouds.yaml"), "clouds:\n  c: {}\n").unwrap();
    let asked = RefCell::new(BTreeSet::new());
    let env = |name: &str| {
        asked.borrow_mut().insert(name.to_owned());
        match name {
            "OS_CLOUD" => Some("c".to_owned()),
            // NO_PROXY is read only with a proxy.
            "https_proxy" => Some("http://proxy.test:3128".to_owned()),
            _ => None,
        }
    };
    ClientBuilder::<Config>::from_env_with(env, std::slice::from_ref(&dir)).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let mut asked = asked.into_inner();
    // Read by the clouds.yaml search (`from_env` only), not through `env`.
    asked.extend(["XDG_CONFIG_HOME".to_owned(), "HOME".to_owned()]);
    let listed: BTreeSet<String> = ENV_VARS.iter().map(|v| v.name.to_owned()).collect();
    assert_eq!(asked, listed);
    // And the documented table names each of them.
    let source = include_str!("env.rs");
    for var in ENV_VARS {
        assert!(
            source.contains(&format!("/// | `{}`", var.name))
                || source.contains(&format!("(or `{}`)", var.name))
                || source.contains(&format!("`{}`, `", var.name))
                || source.contains(&format!(", `{}` |", var.name)),
            "{} is not in the ENV_VARS table",
            var.name
        );
    }
}

#[test]
fn an_unknown_region_lists_the_known_ones_unless_every_service_has_a_url() {
    let err = from(&[
        ("OS_AUTH_TOKEN", "T"),
        ("OS_PROJECT_ID", "p1"),
        ("OS_REGION_NAME", "eu-xx"),
    ])
    .unwrap_err();
    assert_eq!(err.setting(), "OS_REGION_NAME");
    assert!(
        err.problem()
            .starts_with("unknown region \"eu-xx\": OTC's regions are eu-de, eu-nl, eu-ch2;"),
        "{err}"
    );
    // From a project name's prefix, the project name is at fault.
    let err = from(&[("OS_AUTH_TOKEN", "T"), ("OS_PROJECT_NAME", "xx-yy_ci")]).unwrap_err();
    assert_eq!(err.setting(), "OS_PROJECT_NAME", "{err}");
    // One base URL for everything (an emulator, a private deployment): the name only scopes.
    let c = from(&[
        ("OS_AUTH_TOKEN", "T"),
        ("OS_PROJECT_ID", "p1"),
        ("OS_REGION_NAME", "eu-xx"),
        ("OS_ENDPOINT_OVERRIDE", "http://127.0.0.1:1"),
    ])
    .unwrap();
    assert_eq!(c.endpoints().region().as_str(), "eu-xx");
}

fn clouds_dir(name: &str, yaml: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("otc-jobs-clouds-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("clouds.yaml"), yaml).unwrap();
    dir
}

#[test]
fn a_missing_cloud_lists_the_clouds_present() {
    let dir = clouds_dir("missing", "clouds:\n  dev: {}\n  prod: {}\n");
    let env = |name: &str| (name == "OS_CLOUD").then(|| "test".to_owned());
    let err = ClientBuilder::<Config>::from_env_with(env, std::slice::from_ref(&dir))
        .err()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(err.setting(), "OS_CLOUD");
    assert!(err.problem().ends_with("(its clouds: dev, prod)"), "{err}");
}

#[test]
fn unknown_clouds_yaml_keys_are_warnings_with_their_line() {
    let yaml = "\
clouds:
  other:
    bogus: 1
  otc:
    region_name: eu-de
    interface: public
    volume_api_version: 3
    bogus: 1
    auth:
      ak: AK
      sk: SK
      project_id: p1
      project_domain_name: x
      acess_key: typo
";
    let dir = clouds_dir("keys", yaml);
    let env = |name: &str| (name == "OS_CLOUD").then(|| "otc".to_owned());
    let builder = ClientBuilder::<Config>::from_env_with(env, std::slice::from_ref(&dir)).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let file = dir.join("clouds.yaml").display().to_string();
    assert_eq!(
        builder.warnings(),
        [
            format!("{file}:8: cloud \"otc\": unknown key bogus (ignored)"),
            format!("{file}:14: cloud \"otc\": unknown key auth.acess_key (ignored)"),
        ]
    );
    // The cloud is still read.
    assert_eq!(
        builder.build().unwrap().project(),
        &Project::Id("p1".into())
    );
}
