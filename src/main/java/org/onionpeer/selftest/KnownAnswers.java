package org.onionpeer.selftest;

/**
 * A suite of known-answer checks (published vectors, round trips, rejections) written once in
 * platform-neutral Java so that it runs unchanged on the JVM (JUnit) and in the browser (TeaVM).
 */
public interface KnownAnswers {
    String name();

    void run(Check check);
}
