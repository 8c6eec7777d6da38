package org.onionpeer.jvm;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.dir.Directory;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.netdoc.AuthorityLine;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.SelfTest;

/** Command line of target/onionpeer.jar. */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: java -jar target/onionpeer.jar [options] [command]",
            "",
            "commands:",
            "  bridge       (default) run a bridge: the web app, the WebSocket link endpoint, an embedded",
            "               network of onion routers and a SOCKS5 port into it",
            "  selftest     run the core's known-answer vectors on this JVM and exit (status 1 on failure)",
            "  facilitator  run a node of the peer network in the background that keeps files for pages",
            "               (java -jar target/onionpeer.jar facilitator --help)",
            "",
            "options:",
            "  --host ADDR          address to listen on (default 127.0.0.1)",
            "  --port N             HTTP/WebSocket port (default 8080; 0 = any free port)",
            "  --socks-port N       SOCKS5 port of the onion proxy (default 9350; 0 = any; -1 = none)",
            "  --relays N           embedded onion routers besides the bridge's own (default 5; the last is the exit)",
            "  --exit-policy RULES  rules before the default exit policy, e.g. 'accept 127.0.0.0/8:*'",
            "                       (the default rejects private, loopback and link-local destinations)",
            "  --no-embedded        no embedded network: the bridge's own relay only",
            "  --join URL           add the relays of another bridge (its /tor/directory) to ours",
            "  --webapp DIR         serve the web app from DIR instead of the copy inside the jar",
            "  --tor-authority LINE use the Tor network of this directory authority, a torrc DirAuthority line",
            "                       (repeat for several): the SOCKS proxy builds circuits from its verified",
            "                       consensus, browsers reach its relays behind the bridge; no embedded",
            "                       network unless --relays is given",
            "  --tor-relay          with --tor-authority: the bridge's relay (and the embedded ones, with --relays)",
            "                       join that network as one family, publishing their descriptors; the bridge's",
            "                       relay exits only per --exit-policy, followed by 'reject *:*'",
            "  --max-tls-links N    TLS links all our relays hold at once (default 8192); more are reset",
            "  --max-tls-links-per-address N",
            "                       TLS links from one source address at once (default 64)",
            "  --max-queued-mb N    memory budget of each relay's queues (links, exit streams), like tor's",
            "                       MaxMemInQueues (default 256): above it the longest-waiting queues are shed",
            "  --public-url URL     the bridge's public URL, e.g. https://bridge.example.org/ behind a TLS proxy:",
            "                       the bookmarklet and the pages name it, the directory advertises its link as",
            "                       wss://bridge.example.org:443/link (default http://HOST:PORT/, never a request's Host)",
            "  --max-page-links N   concurrent page links (WebSocket sessions) in all (default 10000); more get 503",
            "  --max-page-links-per-address N",
            "                       ... from one source address, an IPv6 /64 counting as one (default 50, like tor's",
            "                       DoSConnectionMaxConcurrentCount; 0 = no cap, e.g. behind a reverse proxy)",
            "  --max-relay-circuits N  circuits each relay carries at once over all links (default 20000)",
            "  --max-exit-streams N    exit and directory streams each relay holds at once (default 8192)",
            "  --no-congestion-control  the onion proxy keeps tor's classic SENDME windows instead of asking exits",
            "                       for congestion control (proposal 324, Vegas; on by default where the exit",
            "                       and the consensus allow it); conflux goes with it",
            "  --no-conflux         streams to exits that offer conflux (proposal 329, C tor 0.4.8+) use one",
            "                       circuit instead of a linked set of 2, as tor's own client uses",
            "  --help               this text");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("facilitator")) {
            int status = Facilitator.run(java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
            System.exit(status);
        }
        String command = "bridge";
        Bridge.Options o = new Bridge.Options();
        boolean relaysGiven = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return;
                case "--host":
                    o.host = value(args, ++i, a);
                    break;
                case "--port":
                    o.port = port(value(args, ++i, a), a, false);
                    break;
                case "--socks-port":
                    o.socksPort = port(value(args, ++i, a), a, true);
                    break;
                case "--relays":
                    o.relays = number(value(args, ++i, a), a, 1, 64);
                    relaysGiven = true;
                    break;
                case "--exit-policy":
                    o.exitPolicy = value(args, ++i, a);
                    try {
                        ExitPolicy.withDefault(o.exitPolicy);
                    } catch (ProtocolException e) {
                        fail("--exit-policy: " + e.getMessage());
                    }
                    break;
                case "--no-embedded":
                    o.embedded = false;
                    break;
                case "--join":
                    try {
                        o.join = URI.create(value(args, ++i, a));
                    } catch (IllegalArgumentException e) {
                        fail("--join: not a URL");
                    }
                    break;
                case "--webapp":
                    o.webappDir = Paths.get(value(args, ++i, a));
                    if (!Files.isDirectory(o.webappDir)) {
                        fail("--webapp " + o.webappDir + ": not a directory");
                    }
                    break;
                case "--tor-authority":
                    o.torAuthorities.add(value(args, ++i, a));
                    try {
                        AuthorityLine.parse(o.torAuthorities.get(o.torAuthorities.size() - 1));
                    } catch (ProtocolException e) {
                        fail("--tor-authority: " + e.getMessage());
                    }
                    break;
                case "--tor-relay":
                    o.torRelay = true;
                    break;
                case "--no-congestion-control":
                    o.proxy.circuit.congestionControl = null;
                    o.proxy.confluxLegs = 0;
                    break;
                case "--no-conflux":
                    o.proxy.confluxLegs = 0;
                    break;
                case "--max-tls-links":
                    o.maxTlsLinks = number(value(args, ++i, a), a, 1, 1_000_000);
                    break;
                case "--max-queued-mb":
                    o.nodeLimits.maxQueuedBytes = (long) number(value(args, ++i, a), a, 1, 1 << 20) << 20;
                    break;
                case "--max-relay-circuits":
                    o.nodeLimits.maxRelayCircuits = number(value(args, ++i, a), a, 1, 10_000_000);
                    break;
                case "--max-exit-streams":
                    o.nodeLimits.maxExitStreams = number(value(args, ++i, a), a, 1, 10_000_000);
                    break;
                case "--max-tls-links-per-address":
                    o.maxTlsLinksPerAddress = number(value(args, ++i, a), a, 1, 1_000_000);
                    break;
                case "--public-url":
                    o.publicUrl = value(args, ++i, a);
                    try {
                        org.onionpeer.jvm.bridge.BridgeServer.publicOrigin(o.publicUrl);
                    } catch (IllegalArgumentException e) {
                        fail("--public-url: " + e.getMessage());
                    }
                    break;
                case "--max-page-links":
                    o.maxPageLinks = number(value(args, ++i, a), a, 1, 1_000_000);
                    break;
                case "--max-page-links-per-address":
                    o.maxPageLinksPerAddress = number(value(args, ++i, a), a, 0, 1_000_000);
                    break;
                case "facilitator":
                    fail("the facilitator command comes first: java -jar target/onionpeer.jar facilitator --join URL");
                    break;
                case "bridge":
                case "serve":
                case "selftest":
                    command = a;
                    break;
                default:
                    fail("unknown argument '" + a + "'\n\n" + USAGE);
            }
        }

        if (o.torRelay && o.torAuthorities.isEmpty()) {
            fail("--tor-relay needs --tor-authority");
        }
        if (!o.torAuthorities.isEmpty() && !relaysGiven) {
            o.embedded = false; // the Tor network is the network
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

        Bridge bridge = new Bridge(o);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("shutting down");
            bridge.close();
            stopped.countDown();
        }, "shutdown"));
        for (RelayInfo r : bridge.directory().relays()) {
            log("relay " + r.nickname() + " " + r.identity().fingerprint() + " " + String.join(" ", r.flags())
                    + " at " + String.join(", ", r.addresses()));
        }
        log("web app on " + bridge.server().url("") + "  (self-test page: " + bridge.server().url("selftest.html") + ")");
        log("directory at " + bridge.server().url("tor/directory"));
        if (bridge.socksPort() > 0) {
            log("SOCKS5 onion proxy on " + o.host + ":" + bridge.socksPort()
                    + "  (try: curl --socks5-hostname " + o.host + ":" + bridge.socksPort() + " http://...)");
        }
        if (!o.torAuthorities.isEmpty()) {
            try {
                Directory d = bridge.awaitTorNetwork(120_000);
                log("tor network: " + d.relays().size() + " relays from a verified consensus");
            } catch (java.util.concurrent.TimeoutException e) {
                log("tor network: no verified consensus yet (still trying)");
            }
            if (o.torRelay) {
                log("tor relay: " + bridge.lastPublishResult());
            }
        }
        stopped.await();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            fail(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String s, String option, boolean allowNone) {
        return number(s, option, allowNone ? -1 : 0, 65535);
    }

    private static int number(String s, String option, int min, int max) {
        try {
            int v = Integer.parseInt(s);
            if (v < min || v > max) {
                fail(option + " " + s + ": must be " + min + ".." + max);
            }
            return v;
        } catch (NumberFormatException e) {
            fail(option + " " + s + ": not a number");
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
