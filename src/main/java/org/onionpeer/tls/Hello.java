package org.onionpeer.tls;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/**
 * The hellos of a {@link TlsClient}: the ClientHello it offers (TLS 1.3 and, unless turned off, TLS 1.2),
 * the extension rules both versions share, and the first look at the ServerHello: its version decides
 * whether {@link Tls13Handshake} or {@link Tls12Handshake} takes over. TLS 1.1 and older, TLS 1.2 when
 * turned off or after a HelloRetryRequest, and the RFC 8446 §4.1.3 downgrade sentinel are refused here.
 */
final class Hello {
    private static final byte[] HRR_RANDOM =
            Bytes.unhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
    /** RFC 8446 §4.1.3: a TLS 1.3 server that negotiates TLS 1.2 (…01) or older (…00) ends its random so. */
    private static final byte[] DOWNGRADE_SENTINEL = Bytes.unhex("444f574e47524401");

    private final TlsClient c;
    private final TlsConfig config;
    private final List<Integer> sentExtensions = new ArrayList<>();

    Hello(TlsClient client) {
        this.c = client;
        this.config = client.config;
    }

    // ---- ClientHello -----------------------------------------------------------------------------------

    byte[] clientHello() {
        sentExtensions.clear();
        boolean tls13 = config.offersTls13();
        boolean tls12 = config.offersTls12();
        ByteWriter ext = new ByteWriter();
        boolean ip = Hostnames.parseIp(config.host) != null;
        if (!ip) {
            byte[] name = Bytes.ascii(Hostnames.lower(config.host));
            extension(ext, Tls.EXT_SERVER_NAME,
                    new ByteWriter().u16(name.length + 3).u8(0).u16(name.length).bytes(name).toByteArray());
        }
        ByteWriter versions = new ByteWriter().u8((tls13 ? 2 : 0) + (tls12 ? 2 : 0));
        if (tls13) {
            versions.u16(Tls.TLS13);
        }
        if (tls12) {
            versions.u16(Tls.TLS12);
        }
        extension(ext, Tls.EXT_SUPPORTED_VERSIONS, versions.toByteArray());
        ByteWriter groups = new ByteWriter().u16(2 * config.groups.length);
        for (int g : config.groups) {
            groups.u16(g);
        }
        extension(ext, Tls.EXT_SUPPORTED_GROUPS, groups.toByteArray());
        ByteWriter schemes = new ByteWriter().u16(2 * TlsConfig.SIGNATURE_SCHEMES.length);
        for (int s : TlsConfig.SIGNATURE_SCHEMES) {
            schemes.u16(s);
        }
        extension(ext, Tls.EXT_SIGNATURE_ALGORITHMS, schemes.toByteArray());
        if (tls13) {
            byte[] pub = c.keyShare.publicKey();
            extension(ext, Tls.EXT_KEY_SHARE,
                    new ByteWriter().u16(pub.length + 4).u16(c.keyShare.group()).u16(pub.length).bytes(pub).toByteArray());
        }
        if (!config.alpn.isEmpty()) {
            ByteWriter list = new ByteWriter();
            for (String p : config.alpn) {
                byte[] b = Bytes.ascii(p);
                list.u8(b.length).bytes(b);
            }
            byte[] l = list.toByteArray();
            extension(ext, Tls.EXT_ALPN, new ByteWriter().u16(l.length).bytes(l).toByteArray());
        }
        if (c.cookie != null) {
            extension(ext, Tls.EXT_COOKIE, new ByteWriter().u16(c.cookie.length).bytes(c.cookie).toByteArray());
        }
        if (tls12) {
            extension(ext, Tls.EXT_EC_POINT_FORMATS, new byte[] {1, 0}); // uncompressed only (RFC 8422 §5.1.2)
            extension(ext, Tls.EXT_EXTENDED_MASTER_SECRET, new byte[0]); // RFC 7627, required of the server
            extension(ext, Tls.EXT_RENEGOTIATION_INFO, new byte[] {0}); // RFC 5746: an initial handshake
        }
        byte[] extensions = ext.toByteArray();
        ByteWriter body = new ByteWriter();
        body.u16(Tls.TLS12).bytes(c.clientRandom).u8(0); // legacy_session_id: empty (no middlebox compatibility mode)
        ByteWriter suites = new ByteWriter();
        for (int s : config.suites) {
            if (config.offers(s, Tls.isTls13Suite(s))) {
                suites.u16(s);
            }
        }
        byte[] suiteList = suites.toByteArray();
        body.u16(suiteList.length).bytes(suiteList);
        body.u8(1).u8(0); // legacy_compression_methods: null
        body.u16(extensions.length).bytes(extensions);
        return TlsClient.handshakeMessage(Tls.CLIENT_HELLO, body.toByteArray());
    }

    private void extension(ByteWriter w, int type, byte[] data) {
        sentExtensions.add(type);
        w.u16(type).u16(data.length).bytes(data);
    }

    // ---- extensions, shared by both versions and their handshakes ----------------------------------------------------------

    static final class Extension {
        final int type;
        final byte[] data;

        Extension(int type, byte[] data) {
            this.type = type;
            this.data = data;
        }
    }

    /** Reads an extensions block: no type twice, each one we sent (§4.2), none of {@code forbidden}. */
    List<Extension> extensions(TlsReader r, String where, int... forbidden) {
        return extensionsAllowing(r, where, -1, forbidden);
    }

    /** As above; {@code unsolicited} may come unasked (a HelloRetryRequest's cookie, §4.2.2). */
    private List<Extension> extensionsAllowing(TlsReader r, String where, int unsolicited, int... forbidden) {
        TlsReader block = r.sub(2, 0, 0xffff, "extensions");
        List<Extension> out = new ArrayList<>();
        List<Integer> seen = new ArrayList<>();
        while (block.hasMore()) {
            int type = block.u16("extension type");
            byte[] data = block.vector(2, 0, 0xffff, "extension data");
            if (seen.contains(type)) {
                throw new TlsException(Alert.ILLEGAL_PARAMETER, where + " repeats extension " + type);
            }
            seen.add(type);
            for (int f : forbidden) {
                if (f == type) {
                    throw new TlsException(Alert.ILLEGAL_PARAMETER, "extension " + type + " is not allowed in " + where);
                }
            }
            if (!sentExtensions.contains(type) && type != unsolicited) {
                throw new TlsException(Alert.UNSUPPORTED_EXTENSION, where + " carries extension " + type
                        + ", which the client did not offer");
            }
            out.add(new Extension(type, data));
        }
        return out;
    }

    static Extension find(List<Extension> exts, int type) {
        for (Extension e : exts) {
            if (e.type == type) {
                return e;
            }
        }
        return null;
    }

    /** The server's ALPN answer (EncryptedExtensions in 1.3, ServerHello in 1.2): one protocol we offered. */
    void alpn(Extension alpn) {
        if (alpn == null) {
            return;
        }
        TlsReader ar = new TlsReader(alpn.data, "ALPN");
        TlsReader list = ar.sub(2, 2, 0xffff, "protocol_name_list");
        ar.end();
        byte[] name = list.vector(1, 1, 255, "protocol name");
        String chosen = org.onionpeer.bytes.Text.latin1(name, 0, name.length);
        list.end();
        if (!config.alpn.contains(chosen)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "server chose ALPN protocol " + chosen
                    + ", which the client did not offer");
        }
        c.alpnProtocol = chosen;
    }

    /** The server's server_name answer must be empty (RFC 6066 §3). */
    static void emptyServerName(Extension sni, String where) {
        if (sni != null && sni.data.length != 0) {
            throw new TlsException(Alert.DECODE_ERROR, where + " server_name is not empty");
        }
    }

    // ---- ServerHello: which version ---------------------------------------------------------------------

    void serverHello(byte[] body, byte[] message) {
        TlsReader r = new TlsReader(body, "ServerHello");
        int version = r.u16("legacy_version");
        byte[] random = r.bytes(32, "random");
        byte[] sessionId = r.vector(1, 0, 32, "legacy_session_id_echo");
        int cipherSuite = r.u16("cipher_suite");
        int compression = r.u8("legacy_compression_method");
        boolean hrr = java.util.Arrays.equals(random, HRR_RANDOM);
        String where = hrr ? "HelloRetryRequest" : "ServerHello";
        // A TLS 1.2 ServerHello may end here (RFC 5246 §7.4.1.3); TLS 1.3 always has extensions.
        List<Extension> exts = r.hasMore() ? extensionsAllowing(r, where, hrr ? Tls.EXT_COOKIE : -1)
                : new ArrayList<Extension>();
        r.end();
        Extension versions = find(exts, Tls.EXT_SUPPORTED_VERSIONS);
        if (versions == null && !hrr) {
            tls12ServerHello(version, random, sessionId, cipherSuite, compression, exts, message);
            return;
        }
        if (versions == null || versions.data.length != 2 || Bytes.u16(versions.data, 0) != Tls.TLS13) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, where + " selected a version other than TLS 1.3");
        }
        if (version != Tls.TLS12 || compression != 0 || sessionId.length != 0) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, where + " has bad legacy fields");
        }
        if (c.tls13 == null) {
            c.tls13 = new Tls13Handshake(c);
        }
        c.tls13.serverHello(hrr, cipherSuite, exts, message);
    }

    /** The server chose TLS 1.2 or older (RFC 8446 §4.1.3: no supported_versions in its ServerHello). */
    private void tls12ServerHello(int version, byte[] random, byte[] sessionId, int cipherSuite, int compression,
            List<Extension> exts, byte[] message) {
        if (version < Tls.TLS12) {
            throw new TlsException(Alert.PROTOCOL_VERSION, "server chose TLS 1.1 or older; this client speaks TLS 1.3"
                    + (config.offersTls12() ? " and 1.2 only" : " only"));
        }
        if (version != Tls.TLS12) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello has bad legacy fields");
        }
        if (!config.offersTls12()) {
            throw new TlsException(Alert.PROTOCOL_VERSION,
                    "server chose TLS 1.2 or older; this client is configured for TLS 1.3 only");
        }
        if (c.retried) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "server chose TLS 1.2 after a HelloRetryRequest for TLS 1.3");
        }
        // The downgrade sentinel (§4.1.3): a TLS 1.3 server only writes it when our offer of 1.3 did not reach it.
        byte[] tail = Bytes.slice(random, 24, 8);
        tail[7] |= 1; // ...00 (TLS 1.1 or older) and ...01 (TLS 1.2) alike
        if (config.offersTls13() && java.util.Arrays.equals(tail, DOWNGRADE_SENTINEL)) {
            throw new TlsException(Alert.ILLEGAL_PARAMETER, "ServerHello.random carries the TLS 1.3 downgrade sentinel:"
                    + " the server speaks TLS 1.3, but something between us made it choose an older version");
        }
        c.tls12 = new Tls12Handshake(c);
        c.tls12.serverHello(random, cipherSuite, compression, exts, message);
    }

}
