package org.onionpeer.tls;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The record layer of {@link TlsClient} (RFC 8446 §5, RFC 5246 §6.2): it cuts the server's bytes into
 * records, protects and unprotects them under the current keys ({@link Protection}: the TLS 1.3 or the TLS
 * 1.2 AEAD construction), and hands the client's records out in the order they were made, whatever order
 * the AEAD answers in. What the records mean (which type may come when) is the client's business.
 */
final class RecordLayer {
    /** Where finished records go, and where a failed encryption is reported. */
    interface Sink {
        void send(byte[] records);

        void sealFailed(TlsException e);
    }

    /**
     * One record: its type, its 5-byte header, its body (or, once opened, its content: the first
     * {@code length} bytes of body, so a decrypted record need not be copied to drop its inner type).
     */
    static final class Record {
        final int type;
        final byte[] header;
        final byte[] body;
        final int length;

        Record(int type, byte[] header, byte[] body) {
            this(type, header, body, body.length);
        }

        Record(int type, byte[] header, byte[] body, int length) {
            this.type = type;
            this.header = header;
            this.body = body;
            this.length = length;
        }
    }

    private final Sink sink;

    // Input: the server's bytes come in relay-cell-sized pieces and are copied once, straight into the
    // record they belong to (no input buffer to compact, no slice per record). Whole records wait in
    // `complete`; `header`/`body` is the record being filled.
    private final ArrayDeque<Record> complete = new ArrayDeque<>();
    private byte[] header = new byte[5];
    private int headerLen;
    private byte[] body;
    private int bodyLen;

    // Output: records in the order they were made; encrypted ones fill their slot when the AEAD answers.
    private final ArrayDeque<byte[][]> outSlots = new ArrayDeque<>();

    /** Current protection per direction; null while records go in the clear. */
    Protection read;
    Protection write;

    RecordLayer(Sink sink) {
        this.sink = sink;
    }

    void append(byte[] data, int off, int len) {
        while (len > 0) {
            if (headerLen < 5) {
                int n = Math.min(5 - headerLen, len);
                System.arraycopy(data, off, header, headerLen, n);
                headerLen += n;
                off += n;
                len -= n;
                if (headerLen < 5) {
                    return;
                }
                body = new byte[Bytes.u16(header, 3)]; // at most 64 KB; next() refuses what is too long
                bodyLen = 0;
            }
            int n = Math.min(body.length - bodyLen, len);
            System.arraycopy(data, off, body, bodyLen, n);
            bodyLen += n;
            off += n;
            len -= n;
            if (bodyLen == body.length) {
                complete.add(new Record(header[0] & 0xff, header, body));
                header = new byte[5];
                headerLen = 0;
                body = null;
            }
        }
    }

    /** The next whole record, or null until more bytes come. Refuses what is not a TLS record or too long. */
    Record next() {
        Record r = complete.peekFirst();
        if (r != null) {
            check(r.header);
            return complete.pollFirst();
        }
        if (headerLen == 5) {
            check(header); // refused as soon as its header is in, as a record that will never fit would be
        }
        return null;
    }

    private void check(byte[] h) {
        int type = h[0] & 0xff;
        int major = h[1] & 0xff;
        int length = Bytes.u16(h, 3);
        if (type < Tls.CHANGE_CIPHER_SPEC || type > Tls.APPLICATION_DATA) {
            throw new TlsException(Alert.UNEXPECTED_MESSAGE, "record of unknown content type " + type);
        }
        if (major != 3) {
            throw new TlsException(Alert.PROTOCOL_VERSION, "record with version " + major + "." + (h[2] & 0xff)
                    + " is not TLS");
        }
        boolean protectedType = read != null && (type == Tls.APPLICATION_DATA || read.protectsEveryType());
        int limit = protectedType ? Tls.MAX_CIPHERTEXT : Tls.MAX_PLAINTEXT;
        if (length > limit) {
            throw new TlsException(Alert.RECORD_OVERFLOW, "record of " + length + " bytes exceeds " + limit);
        }
    }

    /**
     * Queues a record of {@code type}: in the clear with {@code clearVersion} in its header while there are
     * no write keys, else sealed. It leaves through the sink after every record made before it.
     */
    void write(int type, byte[] content, int clearVersion) {
        byte[][] slot = new byte[1][];
        outSlots.add(slot);
        if (write == null) {
            slot[0] = new ByteWriter(content.length + 5).u8(type).u16(clearVersion).u16(content.length).bytes(content)
                    .toByteArray();
            flush();
            return;
        }
        write.seal(type, content, record -> {
            if (record == null) {
                slot[0] = new byte[0];
                sink.sealFailed(new TlsException(Alert.INTERNAL_ERROR, "record encryption failed"));
            } else {
                slot[0] = record;
            }
            flush();
        });
    }

    /** Hands over every finished record at the head of the queue, in one piece. */
    private void flush() {
        List<byte[]> ready = new ArrayList<>();
        while (!outSlots.isEmpty() && outSlots.peekFirst()[0] != null) {
            ready.add(outSlots.pollFirst()[0]);
        }
        if (!ready.isEmpty()) {
            sink.send(ready.size() == 1 ? ready.get(0) : Bytes.concat(ready.toArray(new byte[0][])));
        }
    }

    /** One direction's record protection: an AEAD, its IV and the record sequence number. */
    abstract static class Protection {
        final TlsCrypto.Aead aead;
        final byte[] iv;
        long seq;

        Protection(TlsCrypto.Aead aead, byte[] iv) {
            this.aead = aead;
            this.iv = iv;
        }

        /** The per-record nonce of RFC 8446 §5.3 and RFC 7905: the IV XOR the padded sequence number. */
        byte[] xorNonce(long s) {
            byte[] nonce = iv.clone();
            for (int i = 0; i < 8; i++) {
                nonce[nonce.length - 1 - i] ^= (byte) (s >>> (8 * i));
            }
            return nonce;
        }

        /** True if every record type is encrypted (TLS 1.2); false if only application_data is (TLS 1.3). */
        abstract boolean protectsEveryType();

        /** Decrypts {@code r}'s body: the plaintext, or null if it does not authenticate. */
        abstract void open(Record r, TlsCrypto.Done<byte[]> done);

        /** The record's real type and content, from its header and its decrypted body. */
        abstract Record content(Record r, byte[] plaintext);

        /** Encrypts {@code content} as a record of {@code type}: the whole record, header included, or null. */
        abstract void seal(int type, byte[] content, TlsCrypto.Done<byte[]> done);
    }

    /** TLS 1.3 (RFC 8446 §5.2): everything is application_data outside; the real type ends the plaintext. */
    static final class Tls13 extends Protection {
        Tls13(TlsCrypto.Aead aead, byte[] iv) {
            super(aead, iv);
        }

        @Override
        boolean protectsEveryType() {
            return false;
        }

        @Override
        void open(Record r, TlsCrypto.Done<byte[]> done) {
            if (r.body.length < Tls.AEAD_TAG + 1) {
                throw new TlsException(Alert.DECODE_ERROR, "encrypted record of " + r.body.length + " bytes is too short");
            }
            aead.open(xorNonce(seq++), r.header, r.body, done);
        }

        @Override
        Record content(Record r, byte[] plain) {
            int end = plain.length;
            while (end > 0 && plain[end - 1] == 0) {
                end--;
            }
            if (end == 0) {
                throw new TlsException(Alert.UNEXPECTED_MESSAGE, "encrypted record without a content type");
            }
            if (end - 1 > Tls.MAX_PLAINTEXT) {
                throw new TlsException(Alert.RECORD_OVERFLOW, "decrypted record of " + (end - 1) + " bytes exceeds "
                        + Tls.MAX_PLAINTEXT);
            }
            return new Record(plain[end - 1] & 0xff, r.header, plain, end - 1);
        }

        @Override
        void seal(int type, byte[] content, TlsCrypto.Done<byte[]> done) {
            byte[] inner = new byte[content.length + 1];
            System.arraycopy(content, 0, inner, 0, content.length);
            inner[content.length] = (byte) type;
            byte[] header = new ByteWriter(5).u8(Tls.APPLICATION_DATA).u16(Tls.TLS12).u16(inner.length + Tls.AEAD_TAG)
                    .toByteArray();
            aead.seal(xorNonce(seq++), header, inner, sealed -> done.done(
                    sealed == null || sealed.length != inner.length + Tls.AEAD_TAG ? null : Bytes.concat(header, sealed)));
        }
    }

    /**
     * TLS 1.2 AEAD records (RFC 5246 §6.2.3.3): the type stays in the header and the additional data is
     * seq_num || type || version || length. AES-GCM (RFC 5288) takes a 4-byte salt from the key block and an
     * 8-byte explicit nonce carried at the front of each record (we send the sequence number, unique per
     * key); ChaCha20-Poly1305 (RFC 7905) has a 12-byte IV XORed with the sequence number and no explicit part.
     */
    static final class Tls12 extends Protection {
        private final boolean explicitNonce;

        Tls12(TlsCrypto.Aead aead, byte[] iv) {
            super(aead, iv);
            this.explicitNonce = iv.length == 4;
        }

        @Override
        boolean protectsEveryType() {
            return true;
        }

        private static byte[] aad(long s, int type, int length) {
            return new ByteWriter(13).u32(s >>> 32).u32(s & 0xffffffffL).u8(type).u16(Tls.TLS12).u16(length)
                    .toByteArray();
        }

        @Override
        void open(Record r, TlsCrypto.Done<byte[]> done) {
            int explicit = explicitNonce ? 8 : 0;
            if (r.body.length < explicit + Tls.AEAD_TAG) {
                throw new TlsException(Alert.DECODE_ERROR, "encrypted record of " + r.body.length + " bytes is too short");
            }
            long s = seq++;
            byte[] nonce = explicitNonce ? Bytes.concat(iv, Bytes.slice(r.body, 0, 8)) : xorNonce(s);
            byte[] ciphertext = Bytes.slice(r.body, explicit, r.body.length - explicit);
            aead.open(nonce, aad(s, r.type, ciphertext.length - Tls.AEAD_TAG), ciphertext, done);
        }

        @Override
        Record content(Record r, byte[] plain) {
            if (plain.length > Tls.MAX_PLAINTEXT) {
                throw new TlsException(Alert.RECORD_OVERFLOW, "decrypted record of " + plain.length + " bytes exceeds "
                        + Tls.MAX_PLAINTEXT);
            }
            return new Record(r.type, r.header, plain);
        }

        @Override
        void seal(int type, byte[] content, TlsCrypto.Done<byte[]> done) {
            long s = seq++;
            byte[] explicit = explicitNonce ? new ByteWriter(8).u32(s >>> 32).u32(s & 0xffffffffL).toByteArray()
                    : new byte[0];
            byte[] nonce = explicitNonce ? Bytes.concat(iv, explicit) : xorNonce(s);
            byte[] header = new ByteWriter(5).u8(type).u16(Tls.TLS12)
                    .u16(explicit.length + content.length + Tls.AEAD_TAG).toByteArray();
            aead.seal(nonce, aad(s, type, content.length), content, sealed -> done.done(
                    sealed == null || sealed.length != content.length + Tls.AEAD_TAG ? null
                            : Bytes.concat(header, explicit, sealed)));
        }
    }
}
