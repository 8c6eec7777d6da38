package org.onionpeer.browser.shim;

/**
 * Stands in for {@code javax.security.auth.Destroyable} under TeaVM. Bouncy Castle's key parameter classes
 * implement it; nothing in our code calls it, so the JDK's default behaviour (not destroyable) is kept.
 */
public interface TDestroyable {
    default void destroy() {
    }

    default boolean isDestroyed() {
        return false;
    }
}
