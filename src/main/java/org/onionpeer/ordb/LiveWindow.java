package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;

/**
 * One window of a live stream, signed by the publisher's Ed25519 key (the key in the stream's
 * {@link Manifest}, so the hash_name commits to it). This replaces the seed's per-chunk "signature" of a
 * 4-byte timestamp and the first 4 bytes of a signature, which nobody can verify (a signature cut to 4 bytes
 * checks nothing): here the publisher signs, once per window, the Merkle root over that window's chunks
 * with the window number and a timestamp; each chunk then travels with its proof to that root.
 *
 * <p>Window w holds chunks w * windowChunks .. w * windowChunks + count - 1 (global numbers, never reused;
 * a u32 of windows lasts for ever at any real rate). Chunks of a live window may be 1..chunkSize bytes.
 *
 * <pre>
 * window = hashName(32) window(4) count(2, 1..windowChunks) timestamp(4, Unix seconds) root(32) signature(64)
 * signed = "onionpeer ordb live window v1\0" | the 74 bytes before the signature
 * </pre>
 * A receiver checks the signature, that the window is for this stream, and the timestamp: not more than
 * {@link #MAX_SKEW} seconds in the future, not older than its playback allows (an ORDB replaying an old
 * window is refused as stale); the caller also keeps window numbers increasing.
 */
public final class LiveWindow {
    public static final int LENGTH = 32 + 4 + 2 + 4 + 32 + 64;
    public static final long MAX_SKEW = 30;
    static final byte[] CONTEXT = Bytes.ascii("onionpeer ordb live window v1\0");

    public static final String BAD_SIGNATURE = "live window signature does not verify";
    public static final String OTHER_STREAM = "live window is for another stream";

    private final HashName stream;
    private final long window;
    private final int count;
    private final long timestamp;
    private final byte[] root;
    private final byte[] signature;

    private LiveWindow(HashName stream, long window, int count, long timestamp, byte[] root, byte[] signature) {
        if (window < 0 || window > 0xffffffffL || timestamp < 0 || timestamp > 0xffffffffL) {
            throw new ProtocolException("live window number or timestamp out of range");
        }
        if (count < 1 || count > Manifest.MAX_WINDOW_CHUNKS) {
            throw new ProtocolException("live window of " + count + " chunks is not in 1.." + Manifest.MAX_WINDOW_CHUNKS);
        }
        if (root.length != MerkleTree.HASH || signature.length != Ed25519.SIGNATURE_LENGTH) {
            throw new ProtocolException("live window root or signature of the wrong length");
        }
        this.stream = stream;
        this.window = window;
        this.count = count;
        this.timestamp = timestamp;
        this.root = root;
        this.signature = signature;
    }

    /** The publisher signs window {@code window} of {@code stream}, whose chunks have Merkle root {@code root}. */
    public static LiveWindow sign(Ed25519.KeyPair key, Manifest stream, long window, int count, long timestamp,
            byte[] root) {
        if (!stream.isLive() || !Bytes.constantTimeEquals(key.publicKey(), stream.publisherKey())) {
            throw new IllegalArgumentException("not this stream's publisher key");
        }
        if (count > stream.windowChunks()) {
            throw new IllegalArgumentException("window larger than the stream's");
        }
        LiveWindow unsigned = new LiveWindow(stream.hashName(), window, count, timestamp, root.clone(),
                new byte[Ed25519.SIGNATURE_LENGTH]);
        return new LiveWindow(stream.hashName(), window, count, timestamp, root.clone(),
                key.sign(unsigned.signedPart()));
    }

    /**
     * What the publisher signs for a window (for a signer that answers later, e.g. WebCrypto): the context
     * and the 74 bytes before the signature. {@link #of} then puts the window together with the signature.
     */
    public static byte[] toBeSigned(Manifest stream, long window, int count, long timestamp, byte[] root) {
        return new LiveWindow(stream.hashName(), window, count, timestamp, root.clone(),
                new byte[Ed25519.SIGNATURE_LENGTH]).signedPart();
    }

    /** A window with a signature made elsewhere over {@link #toBeSigned}; not checked here ({@link #verify}). */
    public static LiveWindow of(Manifest stream, long window, int count, long timestamp, byte[] root,
            byte[] signature) {
        if (count > stream.windowChunks()) {
            throw new IllegalArgumentException("window larger than the stream's");
        }
        return new LiveWindow(stream.hashName(), window, count, timestamp, root.clone(), signature.clone());
    }

    private byte[] signedPart() {
        ByteWriter w = new ByteWriter(CONTEXT.length + LENGTH);
        w.bytes(CONTEXT).bytes(stream.bytes()).u32(window).u16(count).u32(timestamp).bytes(root);
        return w.toByteArray();
    }

    public byte[] encode() {
        return new ByteWriter(LENGTH).bytes(stream.bytes()).u32(window).u16(count).u32(timestamp).bytes(root)
                .bytes(signature).toByteArray();
    }

    public static LiveWindow read(ByteReader r) {
        return new LiveWindow(HashName.of(r.bytes(32)), r.u32(), r.u16(), r.u32(), r.bytes(32), r.bytes(64));
    }

    public static LiveWindow decode(byte[] b) {
        if (b.length != LENGTH) {
            throw new ProtocolException("live window is " + b.length + " bytes, not " + LENGTH);
        }
        return read(new ByteReader(b));
    }

    /**
     * Checks this window against the stream's manifest at {@code nowSeconds}: for this stream, within its
     * window size, signed by its publisher, dated at most {@link #MAX_SKEW} s ahead and at most
     * {@code maxAgeSeconds} behind. Throws with the reason.
     */
    public void verify(Manifest m, long nowSeconds, long maxAgeSeconds) {
        if (!m.isLive() || !m.hashName().equals(stream)) {
            throw new ProtocolException(OTHER_STREAM);
        }
        if (count > m.windowChunks()) {
            throw new ProtocolException("live window of " + count + " chunks over the stream's " + m.windowChunks());
        }
        if (!Ed25519.verify(m.publisherKey(), signedPart(), signature)) {
            throw new ProtocolException(BAD_SIGNATURE);
        }
        if (timestamp > nowSeconds + MAX_SKEW) {
            throw new ProtocolException("live window dated " + (timestamp - nowSeconds) + " s in the future");
        }
        if (nowSeconds - timestamp > maxAgeSeconds) {
            throw new ProtocolException("live window is stale: " + (nowSeconds - timestamp) + " s old, over "
                    + maxAgeSeconds);
        }
    }

    /** Checks chunk {@code index} (a global number) of this (verified) window against its root. */
    public void verifyChunk(Manifest m, long index, byte[] data, byte[][] proof) {
        long first = window * m.windowChunks();
        if (index < first || index >= first + count) {
            throw new ProtocolException("chunk " + index + " is not in live window " + window);
        }
        if (data.length < 1 || data.length > m.chunkSize()) {
            throw new ProtocolException("live chunk of " + data.length + " bytes is not in 1.." + m.chunkSize());
        }
        MerkleTree.verify(root, count, index - first, MerkleTree.leafHash(data), proof);
    }

    public HashName stream() {
        return stream;
    }

    public long window() {
        return window;
    }

    public int count() {
        return count;
    }

    public long timestamp() {
        return timestamp;
    }

    public byte[] root() {
        return root.clone();
    }
}
