//! `clouds.yaml`, with the keys OTC users put there, and `secure.yaml` beside it (the same
//! layout, for the secrets: its values win, as in openstacksdk).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, SERVICE_OVERRIDES, Settings};

#[derive(Deserialize)]
struct CloudsFile {
    #[serde(default)]
    clouds: BTreeMap<String, Cloud>,
}

#[derive(Deserialize, Default)]
struct Cloud {
    #[serde(default)]
    auth: Keys,
    region_name: Option<String>,
    /// Every service at one base URL (otc-jobs' own key, like `OS_ENDPOINT_OVERRIDE`).
    endpoint_override: Option<String>,
    modelarts_endpoint_override: Option<String>,
    dli_endpoint_override: Option<String>,
    mrs_endpoint_override: Option<String>,
    identity_endpoint_override: Option<String>,
    #[serde(flatten)]
    top: Keys,
}

impl Cloud {
    /// The `<service_type>_endpoint_override` value for `key`.
    fn service_override(&self, key: &str) -> Option<String> {
        match key {
            "modelarts_endpoint_override" => self.modelarts_endpoint_override.clone(),
            "dli_endpoint_override" => self.dli_endpoint_override.clone(),
            "mrs_endpoint_override" => self.mrs_endpoint_override.clone(),
            "identity_endpoint_override" => self.identity_endpoint_override.clone(),
            _ => None,
        }
    }
}

#[derive(Deserialize, Default)]
struct Keys {
    auth_url: Option<String>,
    username: Option<String>,
    password: Option<String>,
    project_name: Option<String>,
    project_id: Option<String>,
    user_domain_name: Option<String>,
    ak: Option<String>,
    sk: Option<String>,
    security_token: Option<String>,
    token: Option<String>,
}

/// `./`, `~/.config/openstack/` (or `$XDG_CONFIG_HOME/openstack/`), `/etc/openstack/`.
pub(crate) fn default_search_paths() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(".")];
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|x| !x.is_empty()) {
        dirs.push(PathBuf::from(xdg).join("openstack"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        dirs.push(PathBuf::from(home).join(".config").join("openstack"));
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    dirs
}

/// The first `clouds.yaml` in `dirs`.
pub(crate) fn find(dirs: &[PathBuf]) -> Option<PathBuf> {
    find_named(dirs, "clouds.yaml")
}

/// The first `secure.yaml` in `dirs`.
pub(crate) fn find_secure(dirs: &[PathBuf]) -> Option<PathBuf> {
    find_named(dirs, "secure.yaml")
}

fn find_named(dirs: &[PathBuf], file: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(file)).find(|p| p.is_file())
}

pub(crate) fn show(dirs: &[PathBuf]) -> String {
    let shown: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    shown.join(", ")
}

/// Reads cloud `name` of the `clouds.yaml` at `path` into `settings`.
pub(crate) fn load(settings: &mut Settings, path: &Path, name: &str) -> Result<(), ConfigError> {
    let text = read(path)?;
    parse_into(settings, &text, &path.display().to_string(), name)
}

/// Reads cloud `name` of the `secure.yaml` at `path` over `settings`, when it has one.
pub(crate) fn load_secure(
    settings: &mut Settings,
    path: &Path,
    name: &str,
) -> Result<(), ConfigError> {
    let text = read(path)?;
    let file = path.display().to_string();
    match parse(&text, &file)?.clouds.get(name) {
        Some(cloud) => {
            apply(settings, cloud, &file, name);
            Ok(())
        }
        None => Ok(()),
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(path.display().to_string(), format!("cannot read: {e}")))
}

fn parse(text: &str, file: &str) -> Result<CloudsFile, ConfigError> {
    serde_norway::from_str(text)
        .map_err(|e| ConfigError::new(file, format!("not a valid clouds.yaml: {e}")))
}

pub(crate) fn parse_into(
    settings: &mut Settings,
    text: &str,
    file: &str,
    name: &str,
) -> Result<(), ConfigError> {
    let parsed = parse(text, file)?;
    let cloud = parsed.clouds.get(name).ok_or_else(|| {
        let present: Vec<&str> = parsed.clouds.keys().map(String::as_str).collect();
        let present = match present.as_slice() {
            [] => "it has none".to_owned(),
            names => format!("its clouds: {}", names.join(", ")),
        };
        ConfigError::new(
            "OS_CLOUD",
            format!("no cloud {name:?} in {file} ({present})"),
        )
    })?;
    apply(settings, cloud, file, name);
    settings.warnings.extend(unknown_keys(text, file, name));
    Ok(())
}

/// The keys of cloud `name` that otc-jobs reads (beside the `auth` ones, in [`AUTH_KEYS`]).
const CLOUD_KEYS: &[&str] = &[
    "auth",
    "region_name",
    "endpoint_override",
    "modelarts_endpoint_override",
    "dli_endpoint_override",
    "mrs_endpoint_override",
    "identity_endpoint_override",
    "ak",
    "sk",
    "security_token",
    "project_id",
    "project_name",
];
/// The keys of `auth` that otc-jobs reads.
const AUTH_KEYS: &[&str] = &[
    "auth_url",
    "username",
    "password",
    "project_name",
    "project_id",
    "user_domain_name",
    "ak",
    "sk",
    "security_token",
    "token",
];
/// Keys openstacksdk defines that mean nothing to these APIs: read by other tools from the
/// same file, so not worth a warning.
const OTHER_TOOLS_KEYS: &[&str] = &[
    "auth_type",
    "interface",
    "identity_api_version",
    "identity_interface",
    "verify",
    "cacert",
    "cert",
    "key",
    "profile",
    "api_timeout",
    "region",
    "regions",
    "user_domain_id",
    "project_domain_name",
    "project_domain_id",
    "domain_name",
    "domain_id",
    "user_id",
    "tenant_id",
    "tenant_name",
    "default_domain",
];

/// A warning for each key of cloud `name` that no one reads (a typo, most likely), with
/// its line, e.g. `./clouds.yaml:5: cloud "otc": unknown key region_nme (ignored)`.
fn unknown_keys(text: &str, file: &str, name: &str) -> Vec<String> {
    let Ok(value) = serde_norway::from_str::<serde_norway::Value>(text) else {
        return Vec::new();
    };
    let Some(cloud) = value.get("clouds").and_then(|c| c.get(name)) else {
        return Vec::new();
    };
    let keys = |v: &serde_norway::Value| -> Vec<String> {
        v.as_mapping()
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let known = |key: &str, ours: &[&str]| {
        ours.contains(&key)
            || OTHER_TOOLS_KEYS.contains(&key)
            // openstacksdk's per-service settings (`volume_api_version`, `dns_endpoint_type`…)
            || ["_api_version", "_endpoint_type", "_service_type", "_service_name"]
                .iter()
                .any(|suffix| key.ends_with(suffix))
    };
    let mut unknown: Vec<String> = keys(cloud)
        .into_iter()
        .filter(|k| !known(k, CLOUD_KEYS))
        .collect();
    if let Some(auth) = cloud.get("auth") {
        unknown.extend(
            keys(auth)
                .into_iter()
                .filter(|k| !known(k, AUTH_KEYS))
                .map(|k| format!("auth.{k}")),
        );
    }
    let start = line_of(text, name, 0).unwrap_or(0);
    unknown
        .into_iter()
        .map(|key| {
            let leaf = key.rsplit('.').next().unwrap_or(&key);
            let at = line_of(text, leaf, start).map_or_else(String::new, |n| format!(":{n}"));
            format!("{file}{at}: cloud {name:?}: unknown key {key} (ignored)")
        })
        .collect()
}

/// The number (1-based) of the first line from index `from` on that opens `key:`.
fn line_of(text: &str, key: &str, from: usize) -> Option<usize> {
    text.lines().enumerate().skip(from).find_map(|(i, line)| {
        let rest = line.trim_start().strip_prefix(key)?;
        let rest = rest.strip_prefix(['"', '\''].as_slice()).unwrap_or(rest);
        rest.trim_start().starts_with(':').then_some(i + 1)
    })
}

/// Puts the values `cloud` has into `settings` (values it lacks are left as they are).
fn apply(settings: &mut Settings, cloud: &Cloud, file: &str, name: &str) {
    let at = |key: &str| format!("{file} cloud {name:?}: {key}");
    let (a, t) = (&cloud.auth, &cloud.top);
    let s = settings;
    let pairs = [
        (&mut s.auth_url, a.auth_url.clone(), "auth.auth_url"),
        (&mut s.username, a.username.clone(), "auth.username"),
        (&mut s.password, a.password.clone(), "auth.password"),
        (
            &mut s.project_name,
            a.project_name.clone(),
            "auth.project_name",
        ),
        (&mut s.project_id, a.project_id.clone(), "auth.project_id"),
        (
            &mut s.user_domain_name,
            a.user_domain_name.clone(),
            "auth.user_domain_name",
        ),
        (&mut s.access_key, a.ak.clone(), "auth.ak"),
        (&mut s.secret_key, a.sk.clone(), "auth.sk"),
        (
            &mut s.security_token,
            a.security_token.clone(),
            "auth.security_token",
        ),
        (&mut s.auth_token, a.token.clone(), "auth.token"),
        (&mut s.region, cloud.region_name.clone(), "region_name"),
    ];
    for (field, value, key) in pairs {
        Settings::put(field, value, at(key));
    }
    // Some tools put the keys beside `auth` rather than in it.
    let beside = [
        (&mut s.access_key, t.ak.clone(), "ak"),
        (&mut s.secret_key, t.sk.clone(), "sk"),
        (
            &mut s.security_token,
            t.security_token.clone(),
            "security_token",
        ),
        (&mut s.project_id, t.project_id.clone(), "project_id"),
        (&mut s.project_name, t.project_name.clone(), "project_name"),
    ];
    for (field, value, key) in beside {
        if field.is_none() {
            Settings::put(field, value, at(key));
        }
    }
    // The all-services override first, so that the per-service ones win over it.
    let mut all = None;
    Settings::put(
        &mut all,
        cloud.endpoint_override.clone(),
        at("endpoint_override"),
    );
    s.endpoints.extend(all.map(|url| (None, url)));
    for (service, _, key) in SERVICE_OVERRIDES {
        let mut one = None;
        Settings::put(&mut one, cloud.service_override(key), at(key));
        s.endpoints.extend(one.map(|url| (Some(service), url)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Auth, ClientBuilder, Config, Project};
    use otc_jobs_core::Service;
    use otc_jobs_core::auth::Credentials;

    const FILE: &str = r#"
clouds:
  otc:
    auth:
      auth_url: https://iam.eu-de.otc.t-systems.com/v3
      username: alice
      password: secret-pw
      project_name: eu-de_demo
      user_domain_name: OTC-EU-DE-00000000001000000001
    region_name: eu-de
  keys:
    auth:
      ak: HPUAEXAMPLEAK0000001
      project_id: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
    region_name: eu-nl
"#;

    fn dir_with_file() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("otc-jobs-clouds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("clouds.yaml"), FILE).unwrap();
        dir
    }

    #[test]
    fn reads_a_cloud_and_env_overrides_it() {
        let dir = dir_with_file();
        let env = |name: &str| match name {
            "OS_CLOUD" => Some("otc".to_owned()),
            "OS_REGION_NAME" => Some("eu-de".to_owned()),
            _ => None,
        };
        let c = ClientBuilder::<Config>::from_env_with(
            env,
            &[PathBuf::from("/nonexistent"), dir.clone()],
        )
        .unwrap()
        .build()
        .unwrap();
        assert!(
            matches!(c.auth(), Auth::Password(l) if l.domain_name == "OTC-EU-DE-00000000001000000001")
        );
        assert_eq!(c.project(), &Project::Name("eu-de_demo".into()));

        let e = ClientBuilder::<Config>::from_clouds_yaml(dir.join("clouds.yaml"), "keys")
            .unwrap()
            .build()
            .err()
            .unwrap();
        assert!(
            e.setting().ends_with("cloud \"keys\": auth.sk") || e.setting() == "OS_SECRET_KEY",
            "{e}"
        );
        assert!(e.to_string().contains("auth.ak is set"), "{e}");

        let e = ClientBuilder::<Config>::from_clouds_yaml(dir.join("clouds.yaml"), "nope")
            .err()
            .unwrap();
        assert_eq!(e.setting(), "OS_CLOUD");

        let c = ClientBuilder::<Config>::from_clouds_yaml(dir.join("clouds.yaml"), "keys")
            .unwrap()
            .ak_sk("AK", "SK")
            .build()
            .unwrap();
        assert!(matches!(c.auth(), Auth::Fixed(Credentials::AkSk(_))));
        assert_eq!(c.endpoints().region().as_str(), "eu-nl");
    }

    #[test]
    fn secure_yaml_adds_the_secrets() {
        let dir = std::env::temp_dir().join(format!("otc-jobs-secure-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("clouds.yaml"), FILE).unwrap();
        std::fs::write(
            dir.join("secure.yaml"),
            "clouds:\n  keys:\n    auth:\n      sk: ExampleSecretKey0123456789abcdefghijklmnopq\n",
        )
        .unwrap();
        let env = |name: &str| (name == "OS_CLOUD").then(|| "keys".to_owned());
        let c = ClientBuilder::<Config>::from_env_with(env, std::slice::from_ref(&dir))
            .unwrap()
            .build()
            .unwrap();
        assert!(
            matches!(c.auth(), Auth::Fixed(Credentials::AkSk(k)) if k.secret_key().expose().starts_with("ExampleSecretKey"))
        );
        // A secure.yaml without the cloud changes nothing.
        let env = |name: &str| (name == "OS_CLOUD").then(|| "otc".to_owned());
        let c = ClientBuilder::<Config>::from_env_with(env, std::slice::from_ref(&dir))
            .unwrap()
            .build()
            .unwrap();
        assert!(matches!(c.auth(), Auth::Password(_)));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn missing_file_is_named() {
        let env = |name: &str| (name == "OS_CLOUD").then(|| "otc".to_owned());
        let e = ClientBuilder::<Config>::from_env_with(env, &[PathBuf::from("/nonexistent")])
            .err()
            .unwrap();
        assert_eq!(e.setting(), "OS_CLOUD");
    }

    #[test]
    fn bad_yaml_is_named() {
        let mut s = Settings::default();
        let e = parse_into(&mut s, "clouds: [", "clouds.yaml", "otc")
            .err()
            .unwrap();
        assert_eq!(e.setting(), "clouds.yaml");
    }

    #[test]
    fn endpoint_overrides_from_clouds_yaml() {
        let dir = std::env::temp_dir().join(format!("otc-jobs-overrides-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("clouds.yaml");
        std::fs::write(
            &path,
            "clouds:
  emu:
    auth: {token: t, project_id: p}
    endpoint_override: http://127.0.0.1:9
    mrs_endpoint_override: http://127.0.0.1:10
  bad:
    auth: {token: t, project_id: p}
    region_name: eu-de
    dli_endpoint_override: dli.test
",
        )
        .unwrap();
        let c = ClientBuilder::<Config>::from_clouds_yaml(&path, "emu")
            .unwrap()
            .build()
            .unwrap();
        let at = |s| c.endpoints().base_url(s).as_str().to_owned();
        assert_eq!(at(Service::Mrs), "http://127.0.0.1:10");
        assert_eq!(at(Service::Iam), "http://127.0.0.1:9");
        let e = ClientBuilder::<Config>::from_clouds_yaml(&path, "bad")
            .unwrap()
            .build()
            .unwrap_err();
        assert!(
            e.setting()
                .ends_with("cloud \"bad\": dli_endpoint_override"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
