package dev.latch.redis;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Strings as UTF-8, with the exact encoded size known before encoding. Lettuce's own
 * {@code StringCodec.UTF8} only estimates the size (an upper bound), so Lettuce encodes each of
 * its arguments into a temporary buffer and copies it: thirteen pooled buffers for one open.
 * Knowing the size, Lettuce writes each argument's header and bytes straight into the command's
 * buffer. {@link ByteBufUtil#utf8Bytes(CharSequence)} counts exactly what
 * {@link ByteBufUtil#writeUtf8(ByteBuf, CharSequence)} writes, an unpaired surrogate included (as
 * {@code '?'}, as {@code StringCodec.UTF8} writes it), so the announced length always matches.
 * Stateless and thread-safe.
 */
final class Utf8Codec implements RedisCodec<String, String>, ToByteBufEncoder<String, String> {
    static final Utf8Codec INSTANCE = new Utf8Codec();

    private Utf8Codec() {
    }

    /**
     * Copies the bytes out (an absolute read: the buffer's position is left alone) and decodes
     * them: one array and the string, where wrapping the buffer in a Netty {@code ByteBuf} first
     * made four more objects per reply.
     */
    private static String decode(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining(),
                    StandardCharsets.UTF_8);
        }
        byte[] b = new byte[bytes.remaining()];
        bytes.get(bytes.position(), b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ByteBuffer encode(String s) {
        if (s == null) {
            return ByteBuffer.allocate(0);
        }
        ByteBuf buf = Unpooled.buffer(ByteBufUtil.utf8Bytes(s));
        ByteBufUtil.writeUtf8(buf, s);
        return buf.nioBuffer();
    }

    @Override
    public String decodeKey(ByteBuffer bytes) {
        return decode(bytes);
    }

    @Override
    public String decodeValue(ByteBuffer bytes) {
        return decode(bytes);
    }

    @Override
    public ByteBuffer encodeKey(String key) {
        return encode(key);
    }

    @Override
    public ByteBuffer encodeValue(String value) {
        return encode(value);
    }

    @Override
    public void encodeKey(String key, ByteBuf target) {
        if (key != null) {
            ByteBufUtil.writeUtf8(target, key);
        }
    }

    @Override
    public void encodeValue(String value, ByteBuf target) {
        if (value != null) {
            ByteBufUtil.writeUtf8(target, value);
        }
    }

    @Override
    public int estimateSize(Object keyOrValue) {
        return keyOrValue instanceof CharSequence s ? ByteBufUtil.utf8Bytes(s) : 0;
    }

    @Override
    public boolean isEstimateExact() {
        return true;
    }
}
