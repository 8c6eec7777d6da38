package org.onionpeer.selftest;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.cell.CellKnownAnswers;
import org.onionpeer.cert.CertKnownAnswers;
import org.onionpeer.circuit.RelayCryptoKnownAnswers;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519ExpandedKnownAnswers;
import org.onionpeer.crypto.HandshakeKnownAnswers;
import org.onionpeer.crypto.NtorV3KnownAnswers;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.RelayPrimitivesKnownAnswers;
import org.onionpeer.crypto.TunedRelayPrimitives;
import org.onionpeer.exit.ExitPolicyKnownAnswers;
import org.onionpeer.netdoc.NetdocKnownAnswers;
import org.onionpeer.netdoc.ServerDescriptorWriterKnownAnswers;
import org.onionpeer.node.OnionProxyKnownAnswers;

/**
 * Every known-answer suite of the core. The core suites are platform-neutral and must produce the same
 * report, byte for byte, on the JVM and in the TeaVM-compiled JavaScript; the platform suites run the same
 * checks against whichever fast primitives a platform plugs in (JCA, the TeaVM-tuned ones, ...).
 */
public final class SelfTest {
    private SelfTest() {
    }

    public static List<KnownAnswers> coreSuites() {
        List<KnownAnswers> s = new ArrayList<>();
        s.add(new BytesKnownAnswers());
        s.add(new CellKnownAnswers());
        s.add(new HandshakeKnownAnswers());
        s.add(new CertKnownAnswers());
        s.add(new ExitPolicyKnownAnswers());
        s.add(new OnionProxyKnownAnswers());
        s.add(new NetdocKnownAnswers());
        s.add(new Ed25519ExpandedKnownAnswers());
        s.add(new ServerDescriptorWriterKnownAnswers());
        s.add(new NtorV3KnownAnswers());
        s.addAll(platformSuites(new BcRelayPrimitives()));
        // The TeaVM-tuned primitives are plain Java: compare them across platforms too.
        s.addAll(platformSuites(new TunedRelayPrimitives()));
        return s;
    }

    /** The checks that a platform's own relay primitives must also pass. */
    public static List<KnownAnswers> platformSuites(RelayPrimitives p) {
        List<KnownAnswers> s = new ArrayList<>();
        s.add(new RelayPrimitivesKnownAnswers(p));
        s.add(new RelayCryptoKnownAnswers(p));
        return s;
    }

    public static Check run(List<KnownAnswers> suites) {
        Check c = new Check();
        for (KnownAnswers k : suites) {
            c.suite(k.name());
            try {
                k.run(c);
            } catch (RuntimeException | Error e) {
                c.crashed(e);
            }
        }
        return c;
    }
}
