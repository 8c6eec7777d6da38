package org.onionpeer.crypto;

import org.bouncycastle.crypto.StreamCipher;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/** Relay primitives from Bouncy Castle's lightweight API: the portable baseline on every platform. */
public final class BcRelayPrimitives implements RelayPrimitives {
    @Override
    public org.onionpeer.crypto.StreamCipher aes128Ctr(byte[] key16) {
        if (key16.length != 16) {
            throw new IllegalArgumentException("AES-128 key must be 16 bytes");
        }
        StreamCipher ctr = SICBlockCipher.newInstance(AESEngine.newInstance());
        ctr.init(true, new ParametersWithIV(new KeyParameter(key16), new byte[16]));
        return (buf, off, len) -> ctr.processBytes(buf, off, len, buf, off);
    }

    @Override
    public RunningDigest sha1() {
        return new Sha1(new SHA1Digest());
    }

    @Override
    public String name() {
        return "bouncycastle";
    }

    private static final class Sha1 implements RunningDigest {
        private final SHA1Digest d;

        Sha1(SHA1Digest d) {
            this.d = d;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            d.update(b, off, len);
        }

        @Override
        public void peek(byte[] out, int off, int n) {
            byte[] full = new byte[20];
            new SHA1Digest(d).doFinal(full, 0);
            System.arraycopy(full, 0, out, off, n);
        }

        @Override
        public RunningDigest copy() {
            return new Sha1(new SHA1Digest(d));
        }
    }
}
