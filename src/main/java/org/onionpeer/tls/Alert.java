package org.onionpeer.tls;

/** TLS alert descriptions (RFC 8446 §6, RFC 5246 §7.2) and their names for messages. */
public final class Alert {
    public static final int CLOSE_NOTIFY = 0;
    public static final int UNEXPECTED_MESSAGE = 10;
    public static final int BAD_RECORD_MAC = 20;
    public static final int RECORD_OVERFLOW = 22;
    public static final int HANDSHAKE_FAILURE = 40;
    public static final int BAD_CERTIFICATE = 42;
    public static final int UNSUPPORTED_CERTIFICATE = 43;
    public static final int CERTIFICATE_REVOKED = 44;
    public static final int CERTIFICATE_EXPIRED = 45;
    public static final int CERTIFICATE_UNKNOWN = 46;
    public static final int ILLEGAL_PARAMETER = 47;
    public static final int UNKNOWN_CA = 48;
    public static final int ACCESS_DENIED = 49;
    public static final int DECODE_ERROR = 50;
    public static final int DECRYPT_ERROR = 51;
    public static final int PROTOCOL_VERSION = 70;
    public static final int INSUFFICIENT_SECURITY = 71;
    public static final int INTERNAL_ERROR = 80;
    public static final int INAPPROPRIATE_FALLBACK = 86;
    public static final int USER_CANCELED = 90;
    public static final int NO_RENEGOTIATION = 100; // TLS 1.2, a warning (RFC 5246 §7.2.2)
    public static final int MISSING_EXTENSION = 109;
    public static final int UNSUPPORTED_EXTENSION = 110;
    public static final int UNRECOGNIZED_NAME = 112;
    public static final int BAD_CERTIFICATE_STATUS_RESPONSE = 113;
    public static final int UNKNOWN_PSK_IDENTITY = 115;
    public static final int CERTIFICATE_REQUIRED = 116;
    public static final int NO_APPLICATION_PROTOCOL = 120;

    private Alert() {
    }

    public static String name(int alert) {
        switch (alert) {
            case CLOSE_NOTIFY: return "close_notify";
            case UNEXPECTED_MESSAGE: return "unexpected_message";
            case BAD_RECORD_MAC: return "bad_record_mac";
            case RECORD_OVERFLOW: return "record_overflow";
            case HANDSHAKE_FAILURE: return "handshake_failure";
            case BAD_CERTIFICATE: return "bad_certificate";
            case UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
            case CERTIFICATE_REVOKED: return "certificate_revoked";
            case CERTIFICATE_EXPIRED: return "certificate_expired";
            case CERTIFICATE_UNKNOWN: return "certificate_unknown";
            case ILLEGAL_PARAMETER: return "illegal_parameter";
            case UNKNOWN_CA: return "unknown_ca";
            case ACCESS_DENIED: return "access_denied";
            case DECODE_ERROR: return "decode_error";
            case DECRYPT_ERROR: return "decrypt_error";
            case PROTOCOL_VERSION: return "protocol_version";
            case INSUFFICIENT_SECURITY: return "insufficient_security";
            case INTERNAL_ERROR: return "internal_error";
            case INAPPROPRIATE_FALLBACK: return "inappropriate_fallback";
            case USER_CANCELED: return "user_canceled";
            case NO_RENEGOTIATION: return "no_renegotiation";
            case MISSING_EXTENSION: return "missing_extension";
            case UNSUPPORTED_EXTENSION: return "unsupported_extension";
            case UNRECOGNIZED_NAME: return "unrecognized_name";
            case BAD_CERTIFICATE_STATUS_RESPONSE: return "bad_certificate_status_response";
            case UNKNOWN_PSK_IDENTITY: return "unknown_psk_identity";
            case CERTIFICATE_REQUIRED: return "certificate_required";
            case NO_APPLICATION_PROTOCOL: return "no_application_protocol";
            default: return "alert " + alert;
        }
    }
}
