package org.onionpeer.jvm;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.crypto.RunningDigest;
import org.onionpeer.crypto.StreamCipher;

/**
 * Relay primitives from the JDK's own providers: "AES/CTR/NoPadding" and "SHA-1", which HotSpot runs on
 * AES-NI and SHA-NI intrinsics. Byte-identical to the Bouncy Castle baseline (the known answers and a
 * randomized cross-check prove it). Not thread-safe, like every relay layer: one instance per hop and
 * direction, driven by its node's event loop.
 */
public final class JcaRelayPrimitives implements RelayPrimitives {
    @Override
    public StreamCipher aes128Ctr(byte[] key16) {
        if (key16 == null || key16.length != 16) {
            throw new IllegalArgumentException("AES-128 key must be 16 bytes");
        }
        try {
            Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
            // Tor's relay cipher starts from an all-zero counter block (tor-spec §0.3); SunJCE's CTR mode
            // increments all 128 bits and keeps a partial block across update calls, as we need.
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key16, "AES"), new IvParameterSpec(new byte[16]));
            return new Ctr(c);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCA lacks AES/CTR/NoPadding", e);
        }
    }

    @Override
    public RunningDigest sha1() {
        try {
            return new Sha1(MessageDigest.getInstance("SHA-1"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCA lacks SHA-1", e);
        }
    }

    @Override
    public String name() {
        return "jca";
    }

    private static final class Ctr implements StreamCipher {
        private final Cipher c;
        /**
         * Output goes here and is copied back: SunJCE copies the input to a fresh array when input and
         * output are the same array, and that per-cell allocation made in-place calls 1.2-5x slower here.
         */
        private final byte[] scratch = new byte[4096];

        Ctr(Cipher c) {
            this.c = c;
        }

        @Override
        public void apply(byte[] buf, int off, int len) {
            try {
                while (len > 0) {
                    int n = Math.min(len, scratch.length);
                    int got = c.update(buf, off, n, scratch, 0);
                    if (got != n) {
                        throw new IllegalStateException("CTR returned " + got + " of " + n + " bytes");
                    }
                    System.arraycopy(scratch, 0, buf, off, n);
                    off += n;
                    len -= n;
                }
            } catch (ShortBufferException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final class Sha1 implements RunningDigest {
        private final MessageDigest d;
        private final byte[] full = new byte[20];

        Sha1(MessageDigest d) {
            this.d = d;
        }

        @Override
        public void update(byte[] b, int off, int len) {
            d.update(b, off, len);
        }

        @Override
        public void peek(byte[] out, int off, int n) {
            if (n < 0 || n > 20) {
                throw new IllegalArgumentException("SHA-1 gives at most 20 bytes");
            }
            try {
                // The clone is the one allocation per cell: MessageDigest cannot finish into a copy otherwise.
                ((MessageDigest) d.clone()).digest(full, 0, 20);
            } catch (CloneNotSupportedException | java.security.DigestException e) {
                throw new IllegalStateException(e);
            }
            System.arraycopy(full, 0, out, off, n);
        }

        @Override
        public RunningDigest copy() {
            try {
                return new Sha1((MessageDigest) d.clone());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
