package org.onionpeer.circuit;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Text;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.LinkTarget;

/** The link specifiers of an EXTEND2 (tor-spec §5.1.2) for a relay we know from the directory. */
final class LinkSpecifiers {
    private LinkSpecifiers() {
    }

    /** tor-spec §5.1.2: send 00 (IPv4), 02 (RSA id), 03 (Ed25519 id, when known), in that order. */
    static List<LinkSpecifier> of(RelayInfo r) {
        List<LinkSpecifier> out = new ArrayList<>();
        for (LinkTarget t : r.targets()) {
            LinkSpecifier v4 = tlsIpv4(t);
            if (v4 != null) {
                out.add(v4);
                break;
            }
        }
        out.add(LinkSpecifier.rsaId(r.identity().rsaIdentity()));
        if (r.identity().hasEd25519()) {
            out.add(LinkSpecifier.ed25519Id(r.identity().ed25519Identity()));
        }
        return out;
    }

    /** {@code tls://a.b.c.d:port} as link specifier 00, or null for any other address form. */
    static LinkSpecifier tlsIpv4(String address) {
        LinkTarget t = LinkTarget.parseOrNull(address);
        return t == null ? null : tlsIpv4(t);
    }

    static LinkSpecifier tlsIpv4(LinkTarget target) {
        if (target.kind() != LinkTarget.TLS) {
            return null;
        }
        String[] quad = Text.split(target.host(), ".");
        if (quad.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = decimal(quad[i], 255);
            if (v < 0) {
                return null;
            }
            b[i] = (byte) v;
        }
        return LinkSpecifier.ipv4(IpAddress.of(b), target.port());
    }

    private static int decimal(String s, int max) {
        if (s.isEmpty() || s.length() > 5) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }
}
