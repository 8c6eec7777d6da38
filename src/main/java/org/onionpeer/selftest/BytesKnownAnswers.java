package org.onionpeer.selftest;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;

/** The byte helpers every codec stands on. */
final class BytesKnownAnswers implements KnownAnswers {
    @Override
    public String name() {
        return "bytes";
    }

    @Override
    public void run(Check c) {
        byte[] w = new ByteWriter().u8(1).u16(0x0203).u32(0x04050607L).bytes(new byte[] {8}).toByteArray();
        c.bytes("writer", "0102030405060708", w);
        ByteReader r = new ByteReader(w);
        c.that("reader", r.u8() == 1 && r.u16() == 0x0203 && r.u32() == 0x04050607L && r.remaining() == 1, "");
        c.rejects("reader-truncated", () -> new ByteReader(new byte[3]).u32());
        c.that("u32-unsigned", Bytes.u32(Bytes.unhex("ffffffff"), 0) == 0xffffffffL, "");
        c.that("ct-equals", Bytes.constantTimeEquals(Bytes.unhex("00ff"), Bytes.unhex("00ff"))
                && !Bytes.constantTimeEquals(Bytes.unhex("00ff"), Bytes.unhex("00fe")), "");
    }
}
