package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.netdoc.Base64;

/**
 * The trust anchors a client accepts: an immutable set of root certificates, built from PEM or DER. Only
 * an anchor's subject name, key and constraints are used (RFC 5280 §6.1.1 (d)); its own signature and
 * validity are not checked, as browsers do. Tests add their own CA with {@link #with}; the app's default
 * store (Mozilla's, see package-info) will be loaded from a resource with {@link #fromPem}.
 */
public final class TrustStore {
    private static final TrustStore EMPTY = new TrustStore(Collections.<Certificate>emptyList());

    private final List<Certificate> anchors;

    private TrustStore(List<Certificate> anchors) {
        this.anchors = Collections.unmodifiableList(anchors);
    }

    public static TrustStore empty() {
        return EMPTY;
    }

    public static TrustStore of(List<Certificate> anchors) {
        return new TrustStore(new ArrayList<>(anchors));
    }

    /** Every "-----BEGIN CERTIFICATE-----" block of {@code pem}; other blocks and text are ignored. */
    public static TrustStore fromPem(String pem) {
        return EMPTY.withPem(pem);
    }

    /** This store plus {@code anchor}. */
    public TrustStore with(Certificate anchor) {
        List<Certificate> all = new ArrayList<>(anchors);
        if (!all.contains(anchor)) {
            all.add(anchor);
        }
        return new TrustStore(all);
    }

    /** This store plus every certificate in {@code pem}. */
    public TrustStore withPem(String pem) {
        TrustStore s = this;
        for (byte[] der : pemCertificates(pem)) {
            s = s.with(Certificate.parse(der));
        }
        return s;
    }

    public List<Certificate> anchors() {
        return anchors;
    }

    public int size() {
        return anchors.size();
    }

    /** The DER of every CERTIFICATE block in {@code pem}, in order. */
    public static List<byte[]> pemCertificates(String pem) {
        String begin = "-----BEGIN CERTIFICATE-----";
        String end = "-----END CERTIFICATE-----";
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = pem.indexOf(begin, from);
            if (b < 0) {
                break;
            }
            int e = pem.indexOf(end, b);
            if (e < 0) {
                throw new TlsException(Alert.BAD_CERTIFICATE, "PEM certificate without its END line");
            }
            StringBuilder body = new StringBuilder();
            for (int i = b + begin.length(); i < e; i++) {
                char c = pem.charAt(i);
                if (c != '\n' && c != '\r' && c != ' ' && c != '\t') {
                    body.append(c);
                }
            }
            try {
                out.add(Base64.decode(body.toString()));
            } catch (ProtocolException ex) {
                throw new TlsException(Alert.BAD_CERTIFICATE, "PEM certificate is not valid base64");
            }
            from = e + end.length();
        }
        return out;
    }

    /** PEM text of one DER certificate (64-character lines). */
    public static String toPem(byte[] der) {
        String b64 = Base64.encode(der);
        StringBuilder sb = new StringBuilder("-----BEGIN CERTIFICATE-----\n");
        for (int i = 0; i < b64.length(); i += 64) {
            sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        return sb.append("-----END CERTIFICATE-----\n").toString();
    }
}
