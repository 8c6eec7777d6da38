package org.onionpeer.bytes;

/**
 * The one typed error every decoder throws on bad input (truncated, oversized, unknown, wrong length,
 * failed verification). Callers close the circuit or link with a clear reason; nothing else may escape a
 * decoder on hostile bytes, and the fuzz tests enforce it.
 */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        // No stack trace: these are expected on hostile input, and filling one in per rejected cell
        // would hand an attacker a cheap way to burn our CPU. The message says what was wrong.
        super(message, null, false, false);
    }
}
