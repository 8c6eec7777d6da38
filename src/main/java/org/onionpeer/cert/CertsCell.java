package org.onionpeer.cert;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * The body of a CERTS cell (tor-spec §4.2): N(1) then N times {CertType(1) CLEN(2) Certificate(CLEN)}.
 * Entries keep their wire order; duplicates are kept so that the validator can reject them by name
 * ("A CERTS cell may have no more than one certificate of each CertType"). Immutable.
 */
public final class CertsCell {
    /** CertType values (tor-spec §4.2). Types 1-3 are DER X.509, 4-6 Ed25519 certs, 7 the cross-cert. */
    public static final int TYPE_RSA_LINK = 1;
    public static final int TYPE_RSA_IDENTITY = 2;
    public static final int TYPE_RSA_AUTH = 3;
    public static final int TYPE_ED_IDENTITY_V_SIGNING = 4;
    public static final int TYPE_ED_SIGNING_V_TLS = 5;
    public static final int TYPE_ED_SIGNING_V_AUTH = 6;
    public static final int TYPE_RSA_ED_CROSSCERT = 7;

    /** One certificate as carried in the cell. */
    public static final class Entry {
        public final int type;
        private final byte[] body;

        public Entry(int type, byte[] body) {
            if (type < 0 || type > 255 || body.length > 0xffff) {
                throw new IllegalArgumentException("CERTS entry out of range");
            }
            this.type = type;
            this.body = body.clone();
        }

        public byte[] body() {
            return body.clone();
        }
    }

    private final List<Entry> entries;

    public CertsCell(List<Entry> entries) {
        if (entries.size() > 255) {
            throw new IllegalArgumentException("a CERTS cell holds at most 255 certificates");
        }
        this.entries = Collections.unmodifiableList(new ArrayList<>(entries));
    }

    /**
     * Parses a CERTS payload. A truncated entry is an error; octets after the N-th entry are ignored, as
     * tor-spec §4.2 requires ("Any extra octets at the end of a CERTS cell MUST be ignored").
     */
    public static CertsCell decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        if (!r.hasRemaining()) {
            throw new ProtocolException("CERTS: empty payload");
        }
        int n = r.u8();
        List<Entry> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (r.remaining() < 3) {
                throw new ProtocolException("CERTS: entry " + i + " of " + n + " truncated");
            }
            int type = r.u8();
            int len = r.u16();
            if (len > r.remaining()) {
                throw new ProtocolException("CERTS: certificate " + i + " (type " + type + ") claims " + len
                        + " bytes, " + r.remaining() + " left");
            }
            list.add(new Entry(type, r.bytes(len)));
        }
        return new CertsCell(list);
    }

    public byte[] encode() {
        int size = 1;
        for (Entry e : entries) {
            size += 3 + e.body.length;
        }
        ByteWriter w = new ByteWriter(size);
        w.u8(entries.size());
        for (Entry e : entries) {
            w.u8(e.type).u16(e.body.length).bytes(e.body);
        }
        return w.toByteArray();
    }

    public List<Entry> entries() {
        return entries;
    }

    public int count(int type) {
        int n = 0;
        for (Entry e : entries) {
            if (e.type == type) {
                n++;
            }
        }
        return n;
    }

    /** The first type that occurs more than once, or -1 when every type is unique. */
    public int firstDuplicateType() {
        boolean[] seen = new boolean[256];
        for (Entry e : entries) {
            if (seen[e.type]) {
                return e.type;
            }
            seen[e.type] = true;
        }
        return -1;
    }

    /**
     * The body of the single certificate of {@code type}, or null when there is none.
     *
     * @throws ProtocolException when the type occurs more than once
     */
    public byte[] body(int type) {
        byte[] found = null;
        for (Entry e : entries) {
            if (e.type == type) {
                if (found != null) {
                    throw new ProtocolException("CERTS: duplicate certificate of type " + type);
                }
                found = e.body;
            }
        }
        return found == null ? null : found.clone();
    }
}
