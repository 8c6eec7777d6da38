package org.onionpeer.ordb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.platform.Scheduler;

/**
 * The publisher of a live stream: cuts the bytes it is given into chunks, closes windows, has each signed
 * (asynchronously: WebCrypto answers later) and keeps what joiners can fetch.
 *
 * <ul>
 * <li><b>Window 0 is the init segment</b> ({@link #setInit}: the container header a player needs before any
 * media, fMP4 ftyp+moov, WebM EBML header + Segment info + Tracks), at most windowChunks chunks, signed like
 * any window and kept for the life of the stream. A joiner fetches window 0 first, then media from the live
 * edge. Window 0 is signed once per stream (the hash_name commits to the key), so its age is not checked:
 * there is no older init an ORDB could replay.</li>
 * <li>Media windows are 1, 2, ...: a window closes when it holds windowChunks chunks or on {@link #flush}
 * (the caller flushes at media fragment boundaries, so a window starts on a fragment a player can begin
 * with, or on a timer). The last chunk of a flushed window may be short.</li>
 * <li>Only the last {@link #KEEP} media windows are kept (older chunks are dropped), plus window 0.
 * Windows waiting for their signature count too: if more than {@link #KEEP} wait, the oldest is dropped
 * unsigned (its chunk numbers never exist; downloaders skip them).</li>
 * </ul>
 * Single-threaded on its scheduler; the signer may answer in a later task.
 */
public final class LivePublisher {
    public static final int KEEP = 4;

    /** Signs {@code toBeSigned} with the stream's key and hands the 64-byte signature back, now or later. */
    public interface Signer {
        void sign(byte[] toBeSigned, Consumer<byte[]> signature);
    }

    /** A signer holding the key pair in memory (the JVM). */
    public static Signer signer(Ed25519.KeyPair key) {
        return (tbs, out) -> out.accept(key.sign(tbs));
    }

    /** A closed, signed window with its chunks and tree, as served. */
    public static final class Published {
        public final LiveWindow window;
        final byte[][] chunks;
        final MerkleTree tree;

        Published(LiveWindow window, byte[][] chunks, MerkleTree tree) {
            this.window = window;
            this.chunks = chunks;
            this.tree = tree;
        }

        public long first(int windowChunks) {
            return window.window() * windowChunks;
        }

        public byte[] chunk(int i) {
            return chunks[i].clone();
        }

        public byte[][] proof(int i) {
            return tree.proof(i);
        }
    }

    private static final class Closed {
        final long number;
        final byte[][] chunks;
        final MerkleTree tree;
        LiveWindow signed;

        Closed(long number, byte[][] chunks, MerkleTree tree) {
            this.number = number;
            this.chunks = chunks;
            this.tree = tree;
        }
    }

    private final Scheduler scheduler;
    private final Manifest manifest;
    private final Signer signer;
    private final List<Consumer<Published>> listeners = new ArrayList<>();
    private final ArrayDeque<Closed> signing = new ArrayDeque<>();
    private final ArrayDeque<Published> kept = new ArrayDeque<>();
    private Published init;
    private boolean initGiven;
    private long nextWindow = 1;
    private final List<byte[]> open = new ArrayList<>();
    private byte[] partial;
    private int partialLength;
    private long droppedUnsigned;

    public LivePublisher(Scheduler scheduler, Manifest manifest, Signer signer) {
        if (!manifest.isLive()) {
            throw new IllegalArgumentException("not a live manifest");
        }
        this.scheduler = scheduler;
        this.manifest = manifest;
        this.signer = signer;
        this.partial = new byte[manifest.chunkSize()];
    }

    public Manifest manifest() {
        return manifest;
    }

    public HashName hashName() {
        return manifest.hashName();
    }

    /** Hears each window as it is published (in order; window 0 first). */
    public void addListener(Consumer<Published> l) {
        listeners.add(l);
    }

    /** The init segment (window 0); once, before any media, 1..windowChunks x chunkSize bytes. */
    public void setInit(byte[] header) {
        if (initGiven) {
            throw new IllegalStateException("the init segment is given once");
        }
        int max = manifest.windowChunks() * manifest.chunkSize();
        if (header.length < 1 || header.length > max) {
            throw new IllegalArgumentException("init segment of " + header.length + " bytes is not in 1.." + max);
        }
        initGiven = true;
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < header.length; off += manifest.chunkSize()) {
            chunks.add(java.util.Arrays.copyOfRange(header, off, Math.min(header.length, off + manifest.chunkSize())));
        }
        close(0, chunks);
    }

    /** Media bytes as they are produced. */
    public void append(byte[] b) {
        if (!initGiven) {
            throw new IllegalStateException("setInit first: joiners need the init segment");
        }
        int off = 0;
        while (off < b.length) {
            int n = Math.min(b.length - off, partial.length - partialLength);
            System.arraycopy(b, off, partial, partialLength, n);
            partialLength += n;
            off += n;
            if (partialLength == partial.length) {
                cutChunk();
            }
        }
    }

    /** Closes the current window now (a media fragment boundary, or a timer). */
    public void flush() {
        if (partialLength > 0) {
            cutChunk();
        }
        if (!open.isEmpty()) {
            closeOpen();
        }
    }

    private void cutChunk() {
        open.add(java.util.Arrays.copyOf(partial, partialLength));
        partialLength = 0;
        if (open.size() == manifest.windowChunks()) {
            closeOpen();
        }
    }

    private void closeOpen() {
        List<byte[]> chunks = new ArrayList<>(open);
        open.clear();
        close(nextWindow++, chunks);
    }

    private void close(long number, List<byte[]> list) {
        byte[][] chunks = list.toArray(new byte[0][]);
        byte[][] leaves = new byte[chunks.length][];
        for (int i = 0; i < chunks.length; i++) {
            leaves[i] = MerkleTree.leafHash(chunks[i]);
        }
        MerkleTree tree = MerkleTree.of(leaves);
        Closed c = new Closed(number, chunks, tree);
        signing.addLast(c);
        if (signing.size() > KEEP + 1) {
            droppedUnsigned++; // the signer is far behind: keep memory bounded, lose the oldest media window
            for (Closed x : signing) {
                if (x.number != 0) {
                    signing.remove(x);
                    break;
                }
            }
        }
        long timestamp = scheduler.epochSeconds();
        byte[] tbs = LiveWindow.toBeSigned(manifest, number, chunks.length, timestamp, tree.root());
        signer.sign(tbs, sig -> signed(c, LiveWindow.of(manifest, number, chunks.length, timestamp, tree.root(), sig)));
    }

    private void signed(Closed c, LiveWindow w) {
        try {
            w.verify(manifest, w.timestamp(), LiveWindow.MAX_SKEW);
        } catch (ProtocolException e) {
            throw new IllegalStateException("the signer does not sign with the stream's key: " + e.getMessage());
        }
        c.signed = w;
        // publish in window order, whatever order the signatures come back in
        while (!signing.isEmpty() && signing.peekFirst().signed != null) {
            Closed d = signing.pollFirst();
            Published p = new Published(d.signed, d.chunks, d.tree);
            if (d.number == 0) {
                init = p;
            } else {
                kept.addLast(p);
                while (kept.size() > KEEP) {
                    kept.pollFirst();
                }
            }
            for (Consumer<Published> l : new ArrayList<>(listeners)) {
                l.accept(p);
            }
        }
    }

    /** Window 0 once signed, else null. */
    public Published init() {
        return init;
    }

    /** The newest published media window, else window 0, else null. */
    public Published latest() {
        return kept.isEmpty() ? init : kept.peekLast();
    }

    /** Published window {@code w} if it is kept (0 is kept for ever), else null. */
    public Published window(long w) {
        if (w == 0) {
            return init;
        }
        for (Published p : kept) {
            if (p.window.window() == w) {
                return p;
            }
        }
        return null;
    }

    /** The number the next media window to be published will have (later ones may be closed, unsigned). */
    public long nextToPublish() {
        Published l = kept.peekLast();
        return l == null ? 1 : l.window.window() + 1;
    }

    /** The oldest media window kept, or the next if none. */
    public long oldestKept() {
        return kept.isEmpty() ? nextToPublish() : kept.peekFirst().window.window();
    }

    /** Chunks held in memory: kept windows, window 0, windows being signed, the open window. */
    public int heldChunks() {
        int n = open.size() + (init == null ? 0 : init.chunks.length);
        for (Published p : kept) {
            n += p.chunks.length;
        }
        for (Closed c : signing) {
            n += c.chunks.length;
        }
        return n;
    }

    public int keptWindows() {
        return kept.size();
    }

    public long droppedUnsigned() {
        return droppedUnsigned;
    }
}
