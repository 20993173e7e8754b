//! TLS, when [`EmulatorConfig::tls`](crate::EmulatorConfig::tls) asks for it: a CA and a
//! server certificate made at start, served with rustls (ring).

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names the server certificate is valid for.
const SERVER_NAMES: [&str; 3] = ["127.0.0.1", "localhost", "::1"];

/// What a TLS emulator serves with, and the CA its clients trust.
#[derive(Clone)]
pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) ca_pem: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("cannot set up TLS ({what}): {e}"))
}

impl Tls {
    /// A fresh CA (its key is forgotten once it has signed) and a server certificate for
    /// 127.0.0.1, localhost and ::1 signed by it.
    pub(crate) fn generate() -> std::io::Result<Tls> {
        let ca_key = KeyPair::generate().map_err(|e| invalid("CA key", e))?;
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| invalid("CA", e))?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "otc-jobs-emulator test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = ca_params
            .self_signed(&ca_key)
            .map_err(|e| invalid("CA", e))?;
        let issuer = Issuer::new(ca_params, ca_key);

        let names: Vec<String> = SERVER_NAMES.iter().map(|&n| n.to_owned()).collect();
        let mut params = CertificateParams::new(names).map_err(|e| invalid("server", e))?;
        params
            .distinguished_name
            .push(DnType::CommonName, "otc-jobs-emulator");
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().map_err(|e| invalid("server key", e))?;
        let server = params
            .signed_by(&key, &issuer)
            .map_err(|e| invalid("server", e))?;

        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        // ring, as the async client (see its tls.rs): deprecated in rustls 0.23.48 only for
        // its lack of post-quantum key exchange, which a loopback test server does not need.
        #[allow(deprecated)]
        let provider = Arc::new(ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| invalid("protocol versions", e))?
            .with_no_client_auth()
            .with_single_cert(vec![server.der().clone()], private)
            .map_err(|e| invalid("certificate", e))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            ca_pem: ca.pem(),
        })
    }
}
