package org.onionpeer.jvm.net;

import org.onionpeer.transport.Connector;
import org.onionpeer.transport.Isolation;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;

/**
 * A {@link StreamOpener} that connects straight to the destination through a {@link Connector}, judged by
 * an address filter: no circuit, no anonymity. For tests and for a local "direct" mode only.
 */
public final class DirectOpener implements StreamOpener {
    private final Connector connector;
    private final Connector.AddressFilter filter;

    public DirectOpener(Connector connector, Connector.AddressFilter filter) {
        this.connector = connector;
        this.filter = filter;
    }

    /** Isolation is moot here: no circuit is shared. */
    @Override
    public void open(String host, int port, Isolation isolation, OpenCallback callback) {
        connector.connect(host, port, filter, new Connector.ConnectCallback() {
            @Override
            public void connected(Transport transport, byte[] resolvedAddress) {
                callback.opened(transport);
            }

            @Override
            public void failed(int endReason, String message) {
                callback.failed(endReason, message);
            }
        });
    }
}
