//! The process-wide rustls crypto provider. reqwest is built with `rustls-no-provider`,
//! so it takes its provider from the process default and panics when building a client
//! if none is installed.

/// Installs rustls's `ring` provider as the process default. Safe to call any number of
/// times: when a provider is already installed, that one stays.
pub fn install_crypto_provider() {
    // `install_default` fails only when a provider is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_twice_is_harmless() {
        install_crypto_provider();
        install_crypto_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
