package org.onionpeer.browser.shim;

/**
 * Stands in for {@code java.security.Security} under TeaVM, whose class library lacks it. Bouncy Castle's
 * lightweight API only asks it for optional tuning properties; "not set" (null) is the right answer in a
 * browser, where there is no JCA provider configuration.
 */
public final class TSecurity {
    private TSecurity() {
    }

    public static String getProperty(String key) {
        return null;
    }
}
