package org.onionpeer.jvm;

/** Command line of target/onionpeer.jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("onionpeer 0.1.0");
    }
}
