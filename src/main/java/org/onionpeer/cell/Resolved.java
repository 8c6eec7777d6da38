package org.onionpeer.cell;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_RESOLVED (tor-spec §6.4): any number of answers Type(1) Length(1) Value TTL(4). Types 00 hostname,
 * 04 IPv4 (length 4), 06 IPv6 (length 16), F0/F1 errors; an IPv4/IPv6 answer of another length or an empty
 * hostname is an error (as in tor's resolved_cell_parse); unknown types are kept so callers can skip them.
 */
public final class Resolved extends RelayMessage {
    public static final int TYPE_HOSTNAME = 0x00;
    public static final int TYPE_IPV4 = 0x04;
    public static final int TYPE_IPV6 = 0x06;
    public static final int TYPE_ERROR_TRANSIENT = 0xf0;
    public static final int TYPE_ERROR = 0xf1;

    /** One answer. */
    public static final class Answer {
        private final int type;
        private final byte[] value;
        private final long ttl;

        public Answer(int type, byte[] value, long ttl) {
            this.type = FixedFields.u8(type, "answer type");
            if (value.length > 255) {
                throw new ProtocolException("answer value too long");
            }
            if ((type == TYPE_IPV4 && value.length != 4) || (type == TYPE_IPV6 && value.length != 16)) {
                throw new ProtocolException("RESOLVED address answer has length " + value.length);
            }
            if (type == TYPE_HOSTNAME && value.length == 0) {
                throw new ProtocolException("RESOLVED hostname answer is empty");
            }
            this.value = value.clone();
            this.ttl = FixedFields.u32(ttl, "TTL");
        }

        public static Answer address(IpAddress a, long ttl) {
            return new Answer(a.isIpv4() ? TYPE_IPV4 : TYPE_IPV6, a.bytes(), ttl);
        }

        public static Answer hostname(String name, long ttl) {
            return new Answer(TYPE_HOSTNAME, RelayData.ascii(name, "hostname"), ttl);
        }

        public int type() {
            return type;
        }

        public byte[] value() {
            return value.clone();
        }

        public long ttl() {
            return ttl;
        }

        public boolean isError() {
            return type == TYPE_ERROR_TRANSIENT || type == TYPE_ERROR;
        }

        /** For IPv4/IPv6 answers, the address; otherwise null. */
        public IpAddress address() {
            return type == TYPE_IPV4 || type == TYPE_IPV6 ? IpAddress.of(value) : null;
        }

        /** For hostname answers, the name (bytes as Latin-1); otherwise null. */
        public String hostname() {
            if (type != TYPE_HOSTNAME) {
                return null;
            }
            char[] c = new char[value.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = (char) (value[i] & 0xff);
            }
            return new String(c);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Answer && ((Answer) o).type == type && ((Answer) o).ttl == ttl
                    && Arrays.equals(((Answer) o).value, value);
        }

        @Override
        public int hashCode() {
            return (type * 31 + (int) ttl) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "answer[" + type + " " + Bytes.hex(value) + " ttl " + ttl + "]";
        }
    }

    private final List<Answer> answers;

    public Resolved(List<Answer> answers) {
        this.answers = Collections.unmodifiableList(new ArrayList<>(answers));
        RelayData.fits(encode(), "RESOLVED");
    }

    public List<Answer> answers() {
        return answers;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.RESOLVED;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(64);
        for (Answer a : answers) {
            w.u8(a.type).u8(a.value.length).bytes(a.value).u32(a.ttl);
        }
        return w.toByteArray();
    }

    public static Resolved decode(byte[] data) {
        ByteReader r = new ByteReader(data);
        List<Answer> list = new ArrayList<>();
        while (r.hasRemaining()) {
            int type = r.u8();
            int len = r.u8();
            byte[] value = r.bytes(len);
            list.add(new Answer(type, value, r.u32()));
        }
        return new Resolved(list);
    }
}
