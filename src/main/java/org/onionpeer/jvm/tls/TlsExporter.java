package org.onionpeer.jvm.tls;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLSession;

/**
 * RFC 5705 keying-material export from a JSSE session, for AUTH0003 (tor-spec §4.4.2). The API,
 * {@code ExtendedSSLSession.exportKeyingMaterialData}, arrived in Java 25; the project builds with
 * {@code --release 17}, so it is found by reflection and, on older JVMs, export answers null and our relays
 * do not authenticate as initiators (they stay clients to tor, as before).
 */
public final class TlsExporter {
    private static final Method EXPORT = find();

    private TlsExporter() {
    }

    private static Method find() {
        try {
            return ExtendedSSLSession.class.getMethod("exportKeyingMaterialData", String.class, byte[].class,
                    int.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** True when this JVM can export (Java 25+). */
    public static boolean available() {
        return EXPORT != null;
    }

    /** The exported bytes, or null when the JVM, the session or its protocol cannot export. */
    public static byte[] export(SSLSession session, String label, byte[] context, int length) {
        if (EXPORT == null || !(session instanceof ExtendedSSLSession)) {
            return null;
        }
        try {
            Object r = EXPORT.invoke(session, label, context, length);
            return r instanceof byte[] && ((byte[]) r).length == length ? (byte[]) r : null;
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            // e.g. SSLKeyException: TLS 1.2 without extended master secret, or a session not yet established
            return null;
        }
    }
}
