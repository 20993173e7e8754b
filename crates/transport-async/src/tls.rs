//! TLS through rustls with the ring provider and the webpki roots (plus the roots the
//! configuration adds), handed to reqwest ready-made: reqwest 0.13's `rustls` feature would
//! bring aws-lc-rs (which needs cmake and nasm to build) and the platform's verifier.

use std::sync::Arc;

use otc_jobs_driver::ConfigError;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The client configuration: TLS 1.2 and 1.3, the webpki roots and `extra_roots` (PEM).
pub(crate) fn client_config(extra_roots: &[Vec<u8>]) -> Result<rustls::ClientConfig, ConfigError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let invalid = |why: String| ConfigError::new("ClientBuilder::root_certificate_pem", why);
    for pem in extra_roots {
        let mut found = false;
        for certificate in CertificateDer::pem_slice_iter(pem) {
            let certificate = certificate.map_err(|e| invalid(e.to_string()))?;
            roots.add(certificate).map_err(|e| invalid(e.to_string()))?;
            found = true;
        }
        if !found {
            return Err(invalid("no certificate in the PEM text".to_owned()));
        }
    }
    // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
    // ring keeps the build free of aws-lc's C and CMake, and TLS 1.2/1.3 with X25519 is what
    // the endpoints offer today. Revisit when ring gains ML-KEM or the gateways ask for it.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::new("ClientBuilder", format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
