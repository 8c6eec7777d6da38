package org.onionpeer.selftest;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.RelayPrimitivesKnownAnswers;

/** Every known-answer suite of the core, in a fixed order. */
public final class SelfTest {
    private SelfTest() {
    }

    /** The suites, given the relay primitives the platform under test plugs in. */
    public static List<KnownAnswers> suites(RelayPrimitives platformPrimitives) {
        List<KnownAnswers> s = new ArrayList<>();
        s.add(new BytesKnownAnswers());
        s.add(new RelayPrimitivesKnownAnswers(new BcRelayPrimitives()));
        if (!platformPrimitives.name().equals("bouncycastle")) {
            s.add(new RelayPrimitivesKnownAnswers(platformPrimitives));
        }
        // Suites of the cell, crypto and cert packages are registered here as they land.
        return s;
    }

    public static Check runAll(RelayPrimitives platformPrimitives) {
        Check c = new Check();
        for (KnownAnswers k : suites(platformPrimitives)) {
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
