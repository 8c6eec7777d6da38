/**
 * A TLS 1.3 client (RFC 8446) for HTTPS from the page through a circuit, so the exit sees only TLS records;
 * TLS 1.2 (RFC 5246; ECDHE + AEAD, extended master secret required) for servers without 1.3, unless
 * {@link org.onionpeer.tls.TlsConfig#withMinimumVersion} turns it off.
 *
 * <p>Sans-I/O and event-driven like the rest of the core: {@link org.onionpeer.tls.TlsClient} takes the bytes
 * that arrive and hands out the bytes to send; it never blocks, starts no thread and reads no clock (the
 * validation time comes in {@link org.onionpeer.tls.TlsConfig}). Public-key operations and record encryption
 * go through {@link org.onionpeer.tls.TlsCrypto}, whose answers are callbacks so that the page can implement it
 * on WebCrypto; {@link org.onionpeer.tls.BcTlsCrypto} implements it on Bouncy Castle's lightweight classes for
 * the JVM. Hashing, HKDF and the TLS 1.2 PRF stay in the core ({@link org.onionpeer.tls.KeySchedule}).
 *
 * <p>Certificates: {@link org.onionpeer.tls.Certificate} parses X.509 DER strictly,
 * {@link org.onionpeer.tls.ChainValidator} builds and checks the path to a
 * {@link org.onionpeer.tls.TrustStore} anchor and the host name ({@link org.onionpeer.tls.Hostnames}), and every
 * failure is a {@link org.onionpeer.tls.TlsException} whose message names the problem ("certificate expired on
 * 2026-01-01T00:00:00Z", "no trust anchor for issuer CN=Test CA", "certificate for 127.0.0.1 does not match
 * host example.test").
 *
 * <p>Root store (decided, not yet shipped): the app will ship Mozilla's root program (the NSS built-in roots with
 * the websites trust bit, as published through CCADB and mirrored by curl's {@code cacert.pem}), as a resource
 * of the second (TLS) bundle, loaded with {@link org.onionpeer.tls.TrustStore#fromPem}. It is updated by a script
 * run at release time that fetches the list, checks it against a pinned SHA-256, and commits it with its date;
 * the page never fetches roots at run time. Tests and private deployments add anchors with
 * {@link org.onionpeer.tls.TrustStore#with} (the page API will be {@code onionpeer.start({trustAnchors: [pem]})}).
 * See src/docs/tls-in-the-page.md.
 */
package org.onionpeer.tls;
