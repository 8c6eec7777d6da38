package org.onionpeer.jvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.SelfTest;

/**
 * Command line of target/onionpeer.jar.
 *
 * <p>Today the main job checks the core against its known answers and serves the web app (the browser
 * node and its in-browser self-test) on 127.0.0.1. The bridge (WebSocket link endpoint, embedded onion
 * routers, SOCKS5) joins it in the next stage.
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: java -jar target/onionpeer.jar [options] [command]",
            "",
            "commands:",
            "  serve        (default) self-test the core, then serve the web app",
            "  selftest     run the core's known-answer vectors on this JVM and exit (status 1 on failure)",
            "",
            "options:",
            "  --host ADDR  address to listen on (default 127.0.0.1)",
            "  --port N     HTTP port (default 8080; 0 = any free port)",
            "  --webapp DIR serve the web app from DIR instead of the copy inside the jar",
            "  --help       this text");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        String command = "serve";
        String host = "127.0.0.1";
        int port = 8080;
        Path webapp = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return;
                case "--host":
                    host = value(args, ++i, a);
                    break;
                case "--port":
                    port = parsePort(value(args, ++i, a));
                    break;
                case "--webapp":
                    webapp = Paths.get(value(args, ++i, a));
                    if (!Files.isDirectory(webapp)) {
                        fail("--webapp " + webapp + ": not a directory");
                    }
                    break;
                case "serve":
                case "selftest":
                    command = a;
                    break;
                default:
                    fail("unknown argument '" + a + "'\n\n" + USAGE);
            }
        }

        Check check = SelfTest.run(SelfTest.coreSuites());
        if (command.equals("selftest")) {
            System.out.print(check.report());
            System.exit(check.failures() == 0 ? 0 : 1);
        }
        log("core self-test: " + (check.results().size() - check.failures()) + " passed, "
                + check.failures() + " failed");
        if (check.failures() != 0) {
            System.err.print(check.report());
            System.exit(1);
        }
        StaticSite site = new StaticSite(host, port, webapp);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            site.close();
            stopped.countDown();
        }, "shutdown"));
        log("web app on " + site.url("") + "  (self-test page: " + site.url("selftest.html") + ")");
        stopped.await();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String s) {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                fail("--port " + s + ": out of range");
            }
            return p;
        } catch (NumberFormatException e) {
            fail("--port " + s + ": not a number");
            return -1;
        }
    }

    static void log(String msg) {
        System.out.println("[onionpeer] " + msg);
    }

    private static void fail(String msg) {
        System.err.println("onionpeer: " + msg);
        System.exit(2);
    }
}
