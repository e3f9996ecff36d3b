package dev.latch.redis;

import io.lettuce.core.codec.StringCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The codec announces each argument's length before writing it, so a wrong count would corrupt
 * the command stream. It must count exactly what it writes, and write what Lettuce's own UTF-8
 * codec writes.
 */
class Utf8CodecTest {
    @Provide
    Arbitrary<String> text() {
        // Every UTF-16 code unit, unpaired surrogates included, and well-formed pairs.
        Arbitrary<String> units = Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMaxLength(40);
        Arbitrary<String> pairs = Arbitraries.integers().between(0x10000, 0x10FFFF)
                .map(cp -> new String(Character.toChars(cp))).list().ofMaxSize(8).map(l -> String.join("", l));
        return Arbitraries.oneOf(units, pairs, Arbitraries.strings().ascii().ofMaxLength(80));
    }

    @Property(tries = 2000)
    void announcedLengthIsTheWrittenLength_andBytesAreLettuces(@ForAll("text") String s) {
        ByteBuf out = Unpooled.buffer();
        out.writeByte('x'); // writes append after what the command already holds
        Utf8Codec.INSTANCE.encodeValue(s, out);
        byte[] written = new byte[out.readableBytes() - 1];
        out.getBytes(1, written);
        assertTrue(Utf8Codec.INSTANCE.isEstimateExact());
        assertEquals(written.length, Utf8Codec.INSTANCE.estimateSize(s), "announced length");
        ByteBuffer lettuce = StringCodec.UTF8.encodeValue(s);
        byte[] expected = new byte[lettuce.remaining()];
        lettuce.get(expected);
        assertArrayEquals(expected, written, "the bytes StringCodec.UTF8 writes");
        ByteBuffer viaBuffer = Utf8Codec.INSTANCE.encodeKey(s);
        byte[] keyBytes = new byte[viaBuffer.remaining()];
        viaBuffer.get(keyBytes);
        assertArrayEquals(expected, keyBytes, "the ByteBuffer form");
        assertEquals(StringCodec.UTF8.decodeValue(ByteBuffer.wrap(expected)),
                Utf8Codec.INSTANCE.decodeValue(ByteBuffer.wrap(expected)), "decoded as Lettuce decodes");
    }

    @Property(tries = 200)
    void wellFormedTextRoundTrips(@ForAll("text") String s) {
        boolean wellFormed = wellFormed(s);
        String back = Utf8Codec.INSTANCE.decodeKey(Utf8Codec.INSTANCE.encodeKey(s));
        if (wellFormed) {
            assertEquals(s, back);
        }
    }

    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
