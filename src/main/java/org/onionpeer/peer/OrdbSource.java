package org.onionpeer.peer;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dht.Contact;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dht.ValueValidator;
import org.onionpeer.ordb.DbInfo;
import org.onionpeer.ordb.HashName;

/**
 * A DHT value saying "ask me for this hash_name" (the seed's STORE ['abcd', ID, modulus, IP:port, P]): the
 * node's contact with its router entry (a {@link PeerCert} naming its ntor onion key, so an ORDB can build a
 * circuit to it), how much it has (P, F as in DB_INFO) and an expiry, signed by the contact's Ed25519
 * identity key. The signer is the node that answers queries: the publisher itself if it accepts circuits,
 * else the ORDB it advertised to (which STOREs its own record on learning a new hash_name), so the
 * publisher's identity need not be in the DHT.
 *
 * <p>DHT key: the first 160 bits of the hash_name ({@link #keyOf}). The DHT's keys are 160 bits; the
 * hash_name is a SHA-256 output, uniform, so its prefix is as good a key as a second hash, and whoever has
 * the link computes it with nothing else. The record carries the whole hash_name, signed, so it cannot be
 * moved under another hash_name that shares the prefix.
 *
 * <p>Wire: version (1) = 1, hash_name (32), P (1, 0..3), F (1, 0/1), expiry (4, seconds since the epoch),
 * contact length (2), contact (with router entry), Ed25519 signature (64) over {@link #CONTEXT} followed by
 * everything before it.
 */
public final class OrdbSource {
    public static final int VERSION = 1;
    /** A record lives at most this long (it is re-signed at each republish). */
    public static final long MAX_LIFETIME_SECONDS = 2 * 3600;
    static final byte[] CONTEXT = Bytes.ascii("onionpeer ordb source v1\0");

    public static final String WRONG_KEY = "source record is for another key";
    public static final String NOT_ED25519 = "source record signer key is not Ed25519";
    public static final String BAD_SIGNATURE = "source record signature does not verify";
    public static final String EXPIRED = "source record expired";
    public static final String TOO_LONG = "source record expires more than 2 h ahead";
    public static final String NO_ROUTER = "source record contact has no router entry";
    public static final String ROUTER_OF_ANOTHER = "source record router entry is signed by another key";

    /** The DHT validator: values must be records that verify for their key, signed by their STOREr. */
    public static final ValueValidator VALIDATOR = (key, value, now) -> decode(value).verify(key, now).id();

    private final HashName hashName;
    private final int pieces;
    private final boolean facilitator;
    private final long expires;
    private final Contact contact;
    private final byte[] signature;

    private OrdbSource(HashName hashName, int pieces, boolean facilitator, long expires, Contact contact,
            byte[] signature) {
        if (pieces < DbInfo.P25 || pieces > DbInfo.P100) {
            throw new ProtocolException("source record P " + pieces + " is not 0..3");
        }
        if (expires < 0 || expires > 0xffffffffL) {
            throw new ProtocolException("source record expiry out of range");
        }
        this.hashName = hashName;
        this.pieces = pieces;
        this.facilitator = facilitator;
        this.expires = expires;
        this.contact = contact;
        this.signature = signature;
    }

    public static NodeId keyOf(HashName h) {
        return NodeId.of(Bytes.slice(h.bytes(), 0, 20));
    }

    /** What the contact's key signs for these fields. */
    public static byte[] toBeSigned(HashName h, int pieces, boolean facilitator, long expires, Contact contact) {
        return Bytes.concat(CONTEXT, new OrdbSource(h, pieces, facilitator, expires, contact, null).body());
    }

    /** A record from its fields and the signature over {@link #toBeSigned} (a page signs with WebCrypto). */
    public static OrdbSource of(HashName h, int pieces, boolean facilitator, long expires, Contact contact,
            byte[] signature) {
        if (signature.length != Ed25519.SIGNATURE_LENGTH) {
            throw new ProtocolException("source record signature is not 64 bytes");
        }
        return new OrdbSource(h, pieces, facilitator, expires, contact, signature.clone());
    }

    /** Signs with a key pair in memory (JVM nodes, tests); {@code contact}'s key must be its SPKI. */
    public static OrdbSource sign(Ed25519.KeyPair key, HashName h, int pieces, boolean facilitator, long expires,
            Contact contact) {
        return of(h, pieces, facilitator, expires, contact, key.sign(toBeSigned(h, pieces, facilitator, expires, contact)));
    }

    private byte[] body() {
        byte[] c = contact.encode();
        ByteWriter w = new ByteWriter(45 + c.length);
        w.u8(VERSION).bytes(hashName.bytes()).u8(pieces).u8(facilitator ? 1 : 0).u32(expires).u16(c.length).bytes(c);
        return w.toByteArray();
    }

    public byte[] encode() {
        return Bytes.concat(body(), signature);
    }

    /** Decodes (the contact's ID is checked against its key here: {@link Contact#BAD_ID}); see {@link #verify}. */
    public static OrdbSource decode(byte[] b) {
        ByteReader r = new ByteReader(b);
        int v = r.u8();
        if (v != VERSION) {
            throw new ProtocolException("source record version " + v + " is not 1");
        }
        HashName h = HashName.of(r.bytes(HashName.BYTES));
        int p = r.u8();
        int f = r.u8();
        if (f > 1) {
            throw new ProtocolException("source record F " + f + " is not 0 or 1");
        }
        long expires = r.u32();
        Contact c = Contact.decode(r.bytes(r.u16()));
        byte[] sig = r.bytes(Ed25519.SIGNATURE_LENGTH);
        if (r.hasRemaining()) {
            throw new ProtocolException("trailing bytes after source record");
        }
        return new OrdbSource(h, p, f == 1, expires, c, sig);
    }

    /**
     * Checks that this record is for {@code key}, signed by its contact's key, not expired nor too long-lived,
     * and that its router entry is the contact's, signed and not expired. Returns the router entry; throws
     * with one of this class's reasons (or the router entry's, prefixed).
     */
    public PeerCert verify(NodeId key, long nowSeconds) {
        if (!keyOf(hashName).equals(key)) {
            throw new ProtocolException(WRONG_KEY);
        }
        byte[] ed = PeerCert.ed25519FromSpki(contact.key());
        if (ed == null) {
            throw new ProtocolException(NOT_ED25519);
        }
        if (!Ed25519.verify(ed, Bytes.concat(CONTEXT, body()), signature)) {
            throw new ProtocolException(BAD_SIGNATURE);
        }
        if (nowSeconds > expires) {
            throw new ProtocolException(EXPIRED);
        }
        if (expires - nowSeconds > MAX_LIFETIME_SECONDS) {
            throw new ProtocolException(TOO_LONG);
        }
        byte[] router = contact.router();
        if (router == null) {
            throw new ProtocolException(NO_ROUTER);
        }
        PeerCert cert;
        try {
            cert = PeerCert.decode(router);
            cert.verify(null, null, nowSeconds);
        } catch (ProtocolException e) {
            throw new ProtocolException("source record router entry: " + e.getMessage());
        }
        if (!cert.id().equals(contact.id())) {
            throw new ProtocolException(ROUTER_OF_ANOTHER);
        }
        return cert;
    }

    public HashName hashName() {
        return hashName;
    }

    public int pieces() {
        return pieces;
    }

    public boolean facilitator() {
        return facilitator;
    }

    public long expires() {
        return expires;
    }

    public Contact contact() {
        return contact;
    }
}
