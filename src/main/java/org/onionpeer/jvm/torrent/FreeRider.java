package org.onionpeer.jvm.torrent;

import org.libtorrent4j.SettingsPack;
import org.libtorrent4j.swig.address;
import org.libtorrent4j.swig.error_code;
import org.libtorrent4j.swig.ip_filter;
import org.libtorrent4j.swig.settings_pack.bool_types;
import org.libtorrent4j.swig.settings_pack.int_types;

/**
 * What makes a libtorrent session a free rider: it downloads but never sends a piece. libtorrent has no
 * single "never upload" switch, so this is a set of settings, each closing one way a piece could leave;
 * TorrentFetcherTest's leecher checks them together.
 */
final class FreeRider {
    private FreeRider() {
    }

    /**
     * The free-rider settings. libtorrent's upload_rate_limit cannot say "nothing" (0 means unlimited), so
     * uploads are refused at the protocol level: no unchoke slot (libtorrent then makes no optimistic unchoke
     * either), no BEP 6 allowed-fast set (which would let choked peers request pieces), and no
     * DHT/LSD/UPnP/NAT-PMP announcing us. {@link #everyoneGlobal} does the rest.
     */
    static SettingsPack settings(String listenInterfaces) {
        SettingsPack sp = new SettingsPack();
        sp.listenInterfaces(listenInterfaces);
        sp.setEnableDht(false);
        sp.setEnableLsd(false);
        sp.setBoolean(bool_types.enable_upnp.swigValue(), false);
        sp.setBoolean(bool_types.enable_natpmp.swigValue(), false);
        sp.setInteger(int_types.unchoke_slots_limit.swigValue(), 0);
        sp.setInteger(int_types.num_optimistic_unchoke_slots.swigValue(), 0);
        sp.setInteger(int_types.allowed_fast_set_size.swigValue(), 0);
        sp.setBoolean(bool_types.seeding_outgoing_connections.swigValue(), false);
        // Ask each peer for whole pieces: a piece that fails its hash then has one author, whom libtorrent bans
        // at once, rather than costing every peer that sent a block of it trust (four such failures and an
        // honest peer is banned too: a liar could empty the swarm that way).
        sp.setInteger(int_types.whole_pieces_threshold.swigValue(), 3600);
        // An OpenTorrent wants no piece between queries, which libtorrent takes as "finished": by default it would
        // then drop its connections to seeds, and the next query would wait for the swarm to be found again.
        sp.setBoolean(bool_types.close_redundant_connections.swigValue(), false);
        // Several seeders may share one address (a NAT, or loopback in tests).
        sp.setBoolean(bool_types.allow_multiple_connections_per_ip.swigValue(), true);
        return sp;
    }

    /**
     * libtorrent puts LAN and loopback peers in its "local" peer class, which ignores unchoke slots ("local
     * peers are always unchoked"): a leecher on the facilitator's network would be served despite
     * unchoke_slots_limit 0. Putting every address in the global class alone closes that door.
     */
    static ip_filter everyoneGlobal() {
        ip_filter f = new ip_filter();
        long globalOnly = 1L << 0; // session_handle::global_peer_class_id
        f.add_rule(address.from_string("0.0.0.0", new error_code()), address.from_string("255.255.255.255",
            new error_code()), globalOnly);
        f.add_rule(address.from_string("::", new error_code()), address.from_string(
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", new error_code()), globalOnly);
        return f;
    }
}
