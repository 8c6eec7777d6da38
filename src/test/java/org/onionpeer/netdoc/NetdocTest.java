package org.onionpeer.netdoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.exit.ExitPolicy;

class NetdocTest {
    private static final long NOW = Captured.now();

    @Test
    void authorityLineFromTheCapturedNetwork() {
        AuthorityLine a = AuthorityLine.parse(Captured.authorityLine());
        assertEquals("auth0", a.nickname());
        assertEquals("127.0.0.1", a.address());
        assertEquals(17100, a.orPort());
        assertEquals(17101, a.dirPort());
        assertEquals("35e76c300c0fb8c808c78281665ef02e9652974d", Bytes.hex(a.v3Identity()));
        assertEquals("c9d0131600d427703c3372840843d5561d5df93a", Bytes.hex(a.rsaFingerprint()));
    }

    @Test
    void authorityLineWithSpacedFingerprintAndExtraFlags() {
        // The form of tor's built-in authority list (auth_dirs.inc): fingerprint in groups of four.
        AuthorityLine a = AuthorityLine.parse("DirAuthority moria1 orport=9201 no-v2 "
                + "v3ident=F533C81CEF0BC0267857C99B2F471ADF249FA232 ipv6=[2001:db8::1]:9201 hs weight=3 "
                + "128.31.0.39:9231 1A25 C633 9E73 9C2C 0E76 C5CA 1A6D F74A 4E1D 1C87");
        assertEquals("moria1", a.nickname());
        assertEquals(9201, a.orPort());
        assertEquals(9231, a.dirPort());
        assertEquals("128.31.0.39", a.address());
        assertEquals("[2001:db8::1]:9201", a.ipv6());
        assertEquals("1a25c6339e739c2c0e76c5ca1a6df74a4e1d1c87", Bytes.hex(a.rsaFingerprint()));
        assertEquals("f533c81cef0bc0267857c99b2f471adf249fa232", Bytes.hex(a.v3Identity()));
        // Without a nickname.
        AuthorityLine b = AuthorityLine.parse("orport=1 v3ident=" + "AB".repeat(20) + " 10.0.0.1:80 " + "CD".repeat(20));
        assertNull(b.nickname());
    }

    @Test
    void authorityLineRejects() {
        String fp = "C9D0131600D427703C3372840843D5561D5DF93A";
        String v3 = "v3ident=35E76C300C0FB8C808C78281665EF02E9652974D";
        for (String bad : new String[] {"", "auth0", "auth0 orport=1 " + v3 + " 127.0.0.1:80",
            "auth0 orport=1 " + v3 + " 127.0.0.1:80 " + fp + "00", "auth0 orport=1 " + v3 + " 127.0.0.1 " + fp,
            "auth0 orport=1 127.0.0.1:80 " + fp, "auth0 " + v3 + " 127.0.0.1:80 " + fp,
            "auth0 orport=1 " + v3 + " 127.0.0.1:0 " + fp, "auth0 orport=1 " + v3 + " 127.0.0.256:80 " + fp,
            "auth0 orport=70000 " + v3 + " 127.0.0.1:80 " + fp, "auth0 orport=1 " + v3 + "0 127.0.0.1:80 " + fp,
            "auth0 orport=1 " + v3 + " 127.0.0.1:80 " + fp.replace('C', 'G')}) {
            assertThrows(ProtocolException.class, () -> AuthorityLine.parse(bad), bad);
        }
    }

    @Test
    void keyCertificatesParseAndVerify() {
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys());
        assertEquals(1, certs.size());
        AuthorityCertificate c = certs.get(0);
        c.verify(NOW);
        assertEquals("35e76c300c0fb8c808c78281665ef02e9652974d", Bytes.hex(c.identityFingerprint()));
        // The consensus names the signing key by this digest.
        assertEquals("2f851543afd5d9da21ac29e9b795073e59e90524", Bytes.hex(c.signingKeyDigest()));
        assertEquals(3072, c.identityKey().bits());
        assertEquals(2048, c.signingKey().bits());
        assertEquals("127.0.0.1:17101", c.address());
        assertEquals("2026-11-26 01:47:24", NetDoc.formatTime(c.published()));
        assertEquals("2027-11-26 01:47:24", NetDoc.formatTime(c.expires()));
        assertThrows(ProtocolException.class, () -> c.verify(c.expires() + 1));
        assertThrows(ProtocolException.class, () -> c.verify(c.published() - 2 * 86400));
    }

    @Test
    void consensusParsesAndVerifies() {
        Consensus c = Consensus.parse(Captured.consensus());
        assertEquals("ns", c.flavor());
        assertEquals(35, c.consensusMethod());
        assertEquals("2026-11-26 01:47:40", NetDoc.formatTime(c.validAfter()));
        assertEquals("2026-11-26 01:47:50", NetDoc.formatTime(c.freshUntil()));
        assertEquals("2026-11-26 01:48:00", NetDoc.formatTime(c.validUntil()));
        assertTrue(NOW >= c.validAfter() && NOW <= c.validUntil(), "capture time inside the window");
        assertTrue(c.knownFlags().contains("Running"));
        assertEquals("Cons=2 Desc=2 FlowCtrl=1 Link=4 Microdesc=2 Relay=2", c.requiredClientProtocols());
        assertTrue(c.requiredRelayProtocols().startsWith("Cons=2 Desc=2 DirCache=2"));
        assertEquals(4, c.routers().size());
        Consensus.Router exit = c.routers().get(3);
        assertEquals("exit1", exit.nickname());
        assertEquals("e94cfcaab2524726641b05d3b1eae2e8502a6acd", Bytes.hex(exit.rsaIdentity()));
        assertEquals("127.0.0.1", exit.address());
        assertEquals(17105, exit.orPort());
        assertEquals(0, exit.dirPort());
        assertEquals(1, exit.bandwidth());
        assertEquals("Tor 0.4.9.11", exit.version());
        assertEquals("reject 1-65535", exit.policySummary());
        assertTrue(exit.protocols().startsWith("Conflux=1 Cons=1-2"));
        assertTrue(exit.hasFlag("Exit") && exit.hasFlag("Running") && exit.hasFlag("Valid"));
        assertEquals("2026-11-26 01:47:31", NetDoc.formatTime(exit.published()));
        Consensus.Router auth = c.routers().get(1);
        assertEquals(17101, auth.dirPort());
        assertTrue(auth.hasFlag("Authority"));
        c.verify(AuthorityCertificate.parseAll(Captured.keys()), Captured.trusted(), NOW);
        // The same from the bytes as received.
        String k = Captured.keys();
        String t = Captured.consensus();
        Consensus.parse(NetDoc.bytes(t, 0, t.length())).verify(
                AuthorityCertificate.parseAll(NetDoc.bytes(k, 0, k.length())), Captured.trusted(), NOW);
        String s = Captured.servers();
        assertEquals(4, ServerDescriptor.parseAll(NetDoc.bytes(s, 0, s.length())).size());
    }

    @Test
    void microdescConsensusParsesAndVerifies() {
        Consensus c = Consensus.parse(Captured.text("consensus-microdesc.txt"));
        assertEquals("microdesc", c.flavor());
        assertEquals(4, c.routers().size());
        for (Consensus.Router r : c.routers()) {
            assertNull(r.descriptorDigest());
            assertEquals(32, r.microdescDigest().length);
        }
        c.verify(AuthorityCertificate.parseAll(Captured.keys()), Captured.trusted(), NOW);
    }

    @Test
    void consensusTimeRules() {
        Consensus c = Consensus.parse(Captured.consensus());
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys());
        c.verify(certs, Captured.trusted(), c.validUntil() + Consensus.REASONABLY_LIVE);
        c.verify(certs, Captured.trusted(), c.validAfter() - Consensus.EARLY_SLOP);
        ProtocolException old = assertThrows(ProtocolException.class,
                () -> c.verify(certs, Captured.trusted(), c.validUntil() + Consensus.REASONABLY_LIVE + 1));
        assertTrue(old.getMessage().contains("too old"), old.getMessage());
        assertThrows(ProtocolException.class,
                () -> c.verify(certs, Captured.trusted(), c.validAfter() - Consensus.EARLY_SLOP - 1));
        assertThrows(ProtocolException.class, () -> c.verify(certs, Captured.trusted(), NOW + 400L * 86400));
    }

    @Test
    void consensusRejectsWrongOrUnknownAuthority() {
        Consensus c = Consensus.parse(Captured.consensus());
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys());
        List<byte[]> other = new ArrayList<>();
        other.add(Bytes.unhex("35e76c300c0fb8c808c78281665ef02e9652974e"));
        ProtocolException e = assertThrows(ProtocolException.class, () -> c.verify(certs, other, NOW));
        assertTrue(e.getMessage().contains("signed by 0 of 1"), e.getMessage());
        // Two trusted authorities, only one signed: one is not more than half.
        List<byte[]> two = new ArrayList<>(Captured.trusted());
        two.add(Bytes.unhex("35e76c300c0fb8c808c78281665ef02e9652974e"));
        assertThrows(ProtocolException.class, () -> c.verify(certs, two, NOW));
        // No certificate at all.
        assertThrows(ProtocolException.class, () -> c.verify(new ArrayList<>(), Captured.trusted(), NOW));
        assertThrows(ProtocolException.class, () -> c.verify(certs, new ArrayList<>(), NOW));
    }

    @Test
    void tamperingAnySignedByteOfTheConsensusFailsVerification() {
        String text = Captured.consensus();
        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(Captured.keys());
        int signedEnd = text.indexOf("directory-signature ") + "directory-signature ".length();
        int tested = 0;
        for (int i = 0; i < signedEnd; i += 7) {
            String t = flip(text, i);
            try {
                Consensus.parse(t).verify(certs, Captured.trusted(), NOW);
            } catch (ProtocolException expected) {
                tested++;
                continue;
            }
            throw new AssertionError("changed byte " + i + " still verifies");
        }
        assertTrue(tested > 300, "tested " + tested);
        // Changing a byte of the signature object itself also fails.
        int sig = text.indexOf("-----BEGIN SIGNATURE-----") + 30;
        assertThrows(ProtocolException.class,
                () -> Consensus.parse(flipBase64(text, sig)).verify(certs, Captured.trusted(), NOW));
        // Nothing may follow the signatures.
        assertThrows(ProtocolException.class, () -> Consensus.parse(text + "r x y\n"));
    }

    @Test
    void tamperingTheKeyCertificateFailsVerification() {
        String text = Captured.keys();
        int end = text.indexOf("dir-key-certification\n") + "dir-key-certification\n".length();
        for (int i = 0; i < end; i += 5) {
            String t = flip(text, i);
            try {
                AuthorityCertificate.parse(t).verify(NOW);
            } catch (ProtocolException expected) {
                continue;
            }
            throw new AssertionError("changed byte " + i + " still verifies");
        }
    }

    @Test
    void serverDescriptorsParseVerifyAndMatchTheConsensus() {
        List<ServerDescriptor> descs = ServerDescriptor.parseAll(Captured.servers());
        assertEquals(4, descs.size());
        Consensus c = Consensus.parse(Captured.consensus());
        for (ServerDescriptor d : descs) {
            d.verify(NOW);
            Consensus.Router r = c.router(d.rsaIdentity());
            assertNotNull(r, d.nickname());
            assertEquals(r.nickname(), d.nickname());
            assertArrayEquals(r.descriptorDigest(), d.digest(), d.nickname());
            assertEquals(32, d.ed25519Identity().length);
            assertEquals(32, d.ntorOnionKey().length);
            assertEquals("Tor 0.4.9.11 on Linux", d.platform());
            assertEquals(r.orPort(), d.orPort());
        }
        ServerDescriptor exit = descs.get(0);
        assertEquals("exit1", exit.nickname());
        assertEquals(List.of("accept 127.0.0.0/8:*", "reject *:*"), exit.exitPolicy());
        assertEquals("3de0c35d81d6dd025af111d6b55cee8a0f331903f1feaf0e69599ca3142ec457",
                Bytes.hex(exit.ed25519Identity()));
        // ntor-onion-key 4d1X7pnmgEVMG8HSIAB/YN5o59aFiUyWGsCp7GpfzTQ (unpadded base64 in the descriptor)
        assertEquals("e1dd57ee99e680454c1bc1d220007f60de68e7d685894c961ac0a9ec6a5fcd34",
                Bytes.hex(exit.ntorOnionKey()));
        ServerDescriptor auth = ServerDescriptor.parse(Captured.text("server-authority.txt"));
        auth.verify(NOW);
        assertEquals("auth0", auth.nickname());
        assertEquals(17101, auth.dirPort());
    }

    @Test
    void tamperingAnySignedByteOfADescriptorFailsVerification() {
        String all = Captured.servers();
        int second = all.indexOf("\nrouter ", 1) + 1;
        String one = all.substring(0, second);
        ServerDescriptor.parse(one).verify(NOW);
        int end = one.indexOf("router-signature\n") + "router-signature\n".length();
        int tested = 0;
        for (int i = 0; i < end; i += 3) {
            String t = flip(one, i);
            try {
                ServerDescriptor.parse(t).verify(NOW);
            } catch (ProtocolException expected) {
                tested++;
                continue;
            }
            throw new AssertionError("changed byte " + i + " (" + one.charAt(i) + ") still verifies");
        }
        assertTrue(tested > 500, "tested " + tested);
        // A changed byte in the RSA signature object itself.
        int sig = one.indexOf("-----BEGIN SIGNATURE-----") + 30;
        assertThrows(ProtocolException.class, () -> ServerDescriptor.parse(flipBase64(one, sig)).verify(NOW));
        // Removing the Ed25519 signature line or the RSA one is rejected at parse.
        assertThrows(ProtocolException.class, () -> ServerDescriptor.parse(
                one.replaceAll("router-sig-ed25519 [^\n]*\n", "")));
        assertThrows(ProtocolException.class, () -> ServerDescriptor.parse(one.substring(0,
                one.indexOf("router-signature\n"))));
        // The identity certificate expires: verification at a later time fails.
        assertThrows(ProtocolException.class, () -> ServerDescriptor.parse(one).verify(NOW + 400L * 86400));
    }

    @Test
    void ntorCrossCertificateIsChecked() {
        String all = Captured.servers();
        String one = all.substring(0, all.indexOf("\nrouter ", 1) + 1);
        // Flip the sign bit: the converted key differs, so the cross-certificate no longer verifies.
        String t = one.replace("ntor-onion-key-crosscert 1", "ntor-onion-key-crosscert 0");
        assertFalse(t.equals(one));
        ProtocolException e = assertThrows(ProtocolException.class, () -> ServerDescriptor.parse(t).verify(NOW));
        assertTrue(e.getMessage().contains("ntor") || e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void torDirectoryGivesFourRelaysAndOneRealExit() {
        Consensus c = Consensus.parse(Captured.consensus());
        c.verify(AuthorityCertificate.parseAll(Captured.keys()), Captured.trusted(), NOW);
        List<ServerDescriptor> descs = ServerDescriptor.parseAll(Captured.servers());
        List<RelayInfo> relays = TorDirectory.relays(c, descs, NOW);
        assertEquals(4, relays.size());
        int exits = 0;
        for (RelayInfo r : relays) {
            assertEquals(1, r.addresses().size());
            assertTrue(r.addresses().get(0).startsWith("tls://127.0.0.1:171"), r.addresses().get(0));
            assertTrue(r.hasFlag(RelayInfo.FLAG_GUARD));
            ExitPolicy p = ExitPolicy.parse(r.exitPolicy());
            if (r.hasFlag(RelayInfo.FLAG_EXIT)) {
                exits++;
                assertEquals("exit1", r.nickname());
                assertEquals("accept 127.0.0.0/8:*, reject *:*", r.exitPolicy());
                assertTrue(p.allows(new byte[] {127, 0, 0, 1}, 80));
                assertFalse(p.allows(new byte[] {8, 8, 8, 8}, 80));
                assertEquals("tls://127.0.0.1:17105", r.addresses().get(0));
            } else {
                assertFalse(p.allows(new byte[] {127, 0, 0, 1}, 80), r.nickname());
            }
        }
        assertEquals(1, exits);
        assertTrue(TorDirectory.missingDescriptors(c, descs).isEmpty());
        List<String> missing = TorDirectory.missingDescriptors(c, descs.subList(1, 4));
        assertEquals(List.of("88C8707E85D0A0F4400D77528AD1E1DF0E76DC20"), missing);
        // A descriptor that is not the one the consensus names is not used.
        assertEquals(3, TorDirectory.relays(c, descs.subList(1, 4), NOW).size());
    }

    @Test
    void acceptsSomethingFollowsTorsRejectStarRule() {
        assertTrue(TorDirectory.acceptsSomething(List.of("accept 127.0.0.0/8:*", "reject *:*")));
        assertFalse(TorDirectory.acceptsSomething(List.of("reject *:*")));
        assertFalse(TorDirectory.acceptsSomething(List.of("reject *:*", "accept *:80")));
        assertFalse(TorDirectory.acceptsSomething(List.of("accept6 [::]/0:*", "reject *4:*")));
        assertFalse(TorDirectory.acceptsSomething(List.of("accept [::1]:80", "reject *:1-65535")));
        assertTrue(TorDirectory.acceptsSomething(List.of("reject 10.0.0.0/8:*", "accept *:443")));
        assertFalse(TorDirectory.acceptsSomething(List.of()));
    }

    @Test
    void base64IsStrict() {
        assertArrayEquals(Bytes.ascii("foob"), Base64.decode("Zm9vYg=="));
        assertArrayEquals(Bytes.ascii("foob"), Base64.decode("Zm9vYg"));
        assertArrayEquals(Bytes.ascii("fooba"), Base64.decode("Zm9vYmE"));
        assertArrayEquals(Bytes.ascii("foobar"), Base64.decode("Zm9vYmFy"));
        assertArrayEquals(new byte[0], Base64.decode(""));
        for (String bad : new String[] {"Zm9vYh", "Zm9vYg=", "Zm9vY", "Zm9v YmFy", "Zm9vYmE==", "Zm9-",
            "=", "Zg===", "Zm9vYg==="}) {
            assertThrows(ProtocolException.class, () -> Base64.decode(bad), bad);
        }
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        for (int n = 0; n < 40; n++) {
            byte[] b = java.util.Arrays.copyOf(all, n);
            assertArrayEquals(b, Base64.decode(Base64.encode(b)));
            assertArrayEquals(b, Base64.decode(Base64.encodeUnpadded(b)));
            assertEquals(java.util.Base64.getEncoder().encodeToString(b), Base64.encode(b));
        }
    }

    @Test
    void timesMatchTheJdk() {
        long[] samples = {0, 951782400L, 1795657662L, 4102444800L, 253402300799L, 1709164800L};
        for (long t : samples) {
            String s = java.time.LocalDateTime.ofEpochSecond(t, 0, java.time.ZoneOffset.UTC).toString()
                    .replace('T', ' ');
            if (s.length() == 16) {
                s += ":00";
            }
            assertEquals(s, NetDoc.formatTime(t));
            assertEquals(t, NetDoc.time(s.substring(0, 10), s.substring(11), "t"));
        }
        assertThrows(ProtocolException.class, () -> NetDoc.time("2026-02-29", "00:00:00", "t"));
        assertThrows(ProtocolException.class, () -> NetDoc.time("2026-13-01", "00:00:00", "t"));
        assertThrows(ProtocolException.class, () -> NetDoc.time("2026-01-01", "24:00:00", "t"));
        assertThrows(ProtocolException.class, () -> NetDoc.time("2026-1-01", "00:00:00", "t"));
        assertEquals(951782400L, NetDoc.time("2000-02-29", "00:00:00", "t"));
    }

    /** Changes the character at {@code i} to another printable one (newline stays newline-free). */
    static String flip(String s, int i) {
        char c = s.charAt(i);
        char d = c == 'A' ? 'B' : c == '\n' ? ' ' : c == ' ' ? '\t' : 'A';
        return s.substring(0, i) + d + s.substring(i + 1);
    }

    private static String flipBase64(String s, int i) {
        char c = s.charAt(i);
        char d = c == 'A' ? 'B' : 'A';
        return s.substring(0, i) + d + s.substring(i + 1);
    }
}
