package org.onionpeer.tls;

import org.onionpeer.bytes.ProtocolException;

/**
 * Every failure of a TLS connection or of a certificate check: stackless like every decoder error in the
 * project ({@link ProtocolException}), with the TLS alert it maps to (RFC 8446 §6) so the client can tell the
 * server why it hangs up. The message says exactly what was wrong, in words a page can show to a person.
 */
public final class TlsException extends ProtocolException {
    private final int alert;
    private final boolean fromPeer;

    public TlsException(int alert, String message) {
        this(alert, message, false);
    }

    private TlsException(int alert, String message, boolean fromPeer) {
        super(message);
        this.alert = alert;
        this.fromPeer = fromPeer;
    }

    /** The server sent a fatal alert (or an unexpected warning alert). */
    static TlsException received(int alert) {
        return new TlsException(alert, "server sent alert " + Alert.name(alert), true);
    }

    /** The server sent a fatal alert whose likely meaning we can say. */
    static TlsException received(int alert, String meaning) {
        return new TlsException(alert, "server sent alert " + Alert.name(alert) + ": " + meaning, true);
    }

    /** The alert description code (RFC 8446 §6): what we send, or what the server sent. */
    public int alert() {
        return alert;
    }

    /** True when the server raised this (its alert), false when we detected it. */
    public boolean fromPeer() {
        return fromPeer;
    }

    /** True for certificate problems (path, validity, hostname), which pages show as "bad certificate". */
    public boolean isCertificateError() {
        return alert == Alert.BAD_CERTIFICATE || alert == Alert.CERTIFICATE_EXPIRED
                || alert == Alert.UNKNOWN_CA || alert == Alert.UNSUPPORTED_CERTIFICATE
                || alert == Alert.CERTIFICATE_UNKNOWN;
    }
}
