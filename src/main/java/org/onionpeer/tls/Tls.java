package org.onionpeer.tls;

/** Code points of TLS 1.3 (RFC 8446 §B) and TLS 1.2 (RFC 5246, 5289, 7905, 8422) the client speaks, and their names. */
public final class Tls {
    // Record content types (§5.1).
    public static final int CHANGE_CIPHER_SPEC = 20;
    public static final int ALERT = 21;
    public static final int HANDSHAKE = 22;
    public static final int APPLICATION_DATA = 23;

    // Handshake message types (§4; HelloRequest, ServerKeyExchange, ServerHelloDone, ClientKeyExchange: RFC 5246).
    public static final int HELLO_REQUEST = 0;
    public static final int CLIENT_HELLO = 1;
    public static final int SERVER_HELLO = 2;
    public static final int NEW_SESSION_TICKET = 4;
    public static final int END_OF_EARLY_DATA = 5;
    public static final int ENCRYPTED_EXTENSIONS = 8;
    public static final int CERTIFICATE = 11;
    public static final int SERVER_KEY_EXCHANGE = 12;
    public static final int CERTIFICATE_REQUEST = 13;
    public static final int SERVER_HELLO_DONE = 14;
    public static final int CERTIFICATE_VERIFY = 15;
    public static final int CLIENT_KEY_EXCHANGE = 16;
    public static final int FINISHED = 20;
    public static final int KEY_UPDATE = 24;
    public static final int MESSAGE_HASH = 254;

    // Extensions (§4.2).
    public static final int EXT_SERVER_NAME = 0;
    public static final int EXT_SUPPORTED_GROUPS = 10;
    public static final int EXT_EC_POINT_FORMATS = 11; // TLS 1.2 (RFC 8422 §5.1.2)
    public static final int EXT_SIGNATURE_ALGORITHMS = 13;
    public static final int EXT_ALPN = 16;
    public static final int EXT_EXTENDED_MASTER_SECRET = 23; // TLS 1.2 (RFC 7627)
    public static final int EXT_PRE_SHARED_KEY = 41;
    public static final int EXT_SUPPORTED_VERSIONS = 43;
    public static final int EXT_COOKIE = 44;
    public static final int EXT_KEY_SHARE = 51;
    public static final int EXT_RENEGOTIATION_INFO = 0xff01; // TLS 1.2 (RFC 5746)

    // Versions.
    public static final int TLS12 = 0x0303;
    public static final int TLS13 = 0x0304;

    // Cipher suites (§B.4).
    public static final int TLS_AES_128_GCM_SHA256 = 0x1301;
    public static final int TLS_AES_256_GCM_SHA384 = 0x1302;
    public static final int TLS_CHACHA20_POLY1305_SHA256 = 0x1303;

    // TLS 1.2 cipher suites: ECDHE with an AEAD only (RFC 5289, RFC 7905).
    public static final int TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b;
    public static final int TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c;
    public static final int TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f;
    public static final int TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030;
    public static final int TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca8;
    public static final int TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xcca9;

    // Named groups (§4.2.7).
    public static final int SECP256R1 = 0x0017;
    public static final int X25519 = 0x001d;

    // Signature schemes (§4.2.3).
    public static final int RSA_PKCS1_SHA256 = 0x0401;
    public static final int RSA_PKCS1_SHA384 = 0x0501;
    public static final int RSA_PKCS1_SHA512 = 0x0601;
    public static final int ECDSA_SECP256R1_SHA256 = 0x0403;
    public static final int ECDSA_SECP384R1_SHA384 = 0x0503;
    public static final int RSA_PSS_RSAE_SHA256 = 0x0804;
    public static final int RSA_PSS_RSAE_SHA384 = 0x0805;
    public static final int RSA_PSS_RSAE_SHA512 = 0x0806;
    public static final int ED25519 = 0x0807;

    /** Largest TLSPlaintext / TLSInnerPlaintext content (§5.1). */
    public static final int MAX_PLAINTEXT = 1 << 14;
    /** Largest TLSCiphertext fragment (§5.2): 2^14 + 256. */
    public static final int MAX_CIPHERTEXT = (1 << 14) + 256;
    public static final int AEAD_TAG = 16;

    private Tls() {
    }

    public static String suiteName(int suite) {
        switch (suite) {
            case TLS_AES_128_GCM_SHA256: return "TLS_AES_128_GCM_SHA256";
            case TLS_AES_256_GCM_SHA384: return "TLS_AES_256_GCM_SHA384";
            case TLS_CHACHA20_POLY1305_SHA256: return "TLS_CHACHA20_POLY1305_SHA256";
            case TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
            case TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
            case TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
            case TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
            case TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
            case TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
            default: return "cipher suite 0x" + hex4(suite);
        }
    }

    public static String groupName(int group) {
        switch (group) {
            case X25519: return "x25519";
            case SECP256R1: return "secp256r1";
            default: return "group 0x" + hex4(group);
        }
    }

    public static String schemeName(int scheme) {
        switch (scheme) {
            case RSA_PKCS1_SHA256: return "rsa_pkcs1_sha256";
            case RSA_PKCS1_SHA384: return "rsa_pkcs1_sha384";
            case RSA_PKCS1_SHA512: return "rsa_pkcs1_sha512";
            case ECDSA_SECP256R1_SHA256: return "ecdsa_secp256r1_sha256";
            case ECDSA_SECP384R1_SHA384: return "ecdsa_secp384r1_sha384";
            case RSA_PSS_RSAE_SHA256: return "rsa_pss_rsae_sha256";
            case RSA_PSS_RSAE_SHA384: return "rsa_pss_rsae_sha384";
            case RSA_PSS_RSAE_SHA512: return "rsa_pss_rsae_sha512";
            case ED25519: return "ed25519";
            default: return "signature scheme 0x" + hex4(scheme);
        }
    }

    public static String messageName(int type) {
        switch (type) {
            case CLIENT_HELLO: return "ClientHello";
            case SERVER_HELLO: return "ServerHello";
            case NEW_SESSION_TICKET: return "NewSessionTicket";
            case END_OF_EARLY_DATA: return "EndOfEarlyData";
            case ENCRYPTED_EXTENSIONS: return "EncryptedExtensions";
            case CERTIFICATE: return "Certificate";
            case CERTIFICATE_REQUEST: return "CertificateRequest";
            case HELLO_REQUEST: return "HelloRequest";
            case SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
            case SERVER_HELLO_DONE: return "ServerHelloDone";
            case CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
            case CERTIFICATE_VERIFY: return "CertificateVerify";
            case FINISHED: return "Finished";
            case KEY_UPDATE: return "KeyUpdate";
            default: return "handshake message " + type;
        }
    }

    /** Hash length of a suite's PRF hash: 48 for SHA-384, 32 otherwise. */
    static int hashLength(int suite) {
        return suite == TLS_AES_256_GCM_SHA384 || suite == TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                || suite == TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ? 48 : 32;
    }

    static int keyLength(int suite) {
        return aeadOf(suite) == TLS_AES_128_GCM_SHA256 ? 16 : 32;
    }

    /** True for the TLS 1.3 suites (0x13xx), false for the TLS 1.2 ones. */
    static boolean isTls13Suite(int suite) {
        return suite >>> 8 == 0x13;
    }

    /**
     * The TLS 1.3 suite with the same AEAD as {@code suite}: what {@link TlsCrypto#aead} is asked for, so a
     * provider only ever sees the three TLS 1.3 codes whatever the version.
     */
    static int aeadOf(int suite) {
        switch (suite) {
            case TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: case TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
                return TLS_AES_128_GCM_SHA256;
            case TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: case TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
                return TLS_AES_256_GCM_SHA384;
            case TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: case TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
                return TLS_CHACHA20_POLY1305_SHA256;
            default:
                return suite;
        }
    }

    /** True for the TLS 1.2 suites authenticated by an ECDSA (or EdDSA, RFC 8422) certificate. */
    static boolean isEcdsaSuite(int suite) {
        return suite == TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 || suite == TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                || suite == TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    }

    static String hex4(int v) {
        String s = Integer.toHexString(v);
        while (s.length() < 4) {
            s = "0" + s;
        }
        return s;
    }
}
