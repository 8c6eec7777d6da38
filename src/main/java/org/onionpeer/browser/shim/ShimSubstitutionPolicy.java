package org.onionpeer.browser.shim;

import org.teavm.extension.spi.substitution.SimpleSubstitutionPolicy;
import org.teavm.extension.spi.substitution.SubstitutionSink;

/**
 * Tells the TeaVM compiler to map the two JDK classes that Bouncy Castle's lightweight API needs and that
 * TeaVM's class library does not have, and BC's heavy service registrar, onto our {@code T}-prefixed shims. Used only at build time, by the
 * TeaVM Maven plugin (registered in META-INF/services).
 */
public final class ShimSubstitutionPolicy extends SimpleSubstitutionPolicy {
    private static final String SHIMS = "org.onionpeer.browser.shim";

    @Override
    public void contribute(SubstitutionSink sink) {
        sink.selectClasses(named("java.security.Security"))
                .replacePackage("java.security", SHIMS).simpleNamePrefix("T");
        sink.selectClasses(named("javax.security.auth.Destroyable"))
                .replacePackage("javax.security.auth", SHIMS).simpleNamePrefix("T");
        // Not missing, but heavy: see TCryptoServicesRegistrar.
        sink.selectClasses(named("org.bouncycastle.crypto.CryptoServicesRegistrar"))
                .replacePackage("org.bouncycastle.crypto", SHIMS).simpleNamePrefix("T");
    }
}
