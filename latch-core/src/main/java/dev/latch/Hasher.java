package dev.latch;

import dev.latch.spi.KeyedHmac;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keyed hashing of codes at rest: HMAC-SHA256 with the pepper over a domain tag, the latch, the
 * subject and the canonical code, each separated by NUL (which none of them may contain). One
 * {@link KeyedHmac} (the pepper's pad blocks hashed once, shared by all threads) and one input
 * buffer per thread; the secret's bytes are zeroed in the buffer after each hash.
 */
final class Hasher {
    private final KeyedHmac hmac;
    private final ThreadLocal<PerThread> local = ThreadLocal.withInitial(PerThread::new);

    /** A thread's buffer, its inputs are built in (no array per hash). */
    private static final class PerThread {
        final byte[] buffer = new byte[BUFFER];
    }

    /** Hashes buffer[0, n) and zeroes buffer[secretFrom, n), where the secret was. */
    private byte[] hash(byte[] buffer, int n, int secretFrom) {
        byte[] digest = hmac.mac(buffer, 0, n);
        Arrays.fill(buffer, secretFrom, n, (byte) 0);
        return digest;
    }

    /** Inputs that fit (every static key, and codes for latch and subject ids of usual length) use the buffer. */
    private static final int BUFFER = 512;

    Hasher(Pepper pepper) {
        this.hmac = KeyedHmac.of("HmacSHA256", pepper.bytes()); // copies; the pepper keeps its own
    }

    /*
     * Domain tags: distinct, versioned, and short, because SHA-256 hashes 64-byte blocks and at
     * most 55 message bytes fit the last one. With 4-byte tags a static key with a prefix of up
     * to 13 characters ({@code tag prefix NUL id NUL secret} = 4 + p + 1 + 12 + 1 + 24) is one
     * block; the earlier 13-byte tag made a 7-character prefix cost a second block (+40 ns).
     */
    private static final byte[] CODE_DOMAIN = "lc1\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_DOMAIN = "lk1\0".getBytes(StandardCharsets.US_ASCII);

    byte[] code(String latchId, String subject, String canonical) {
        byte[] b = local.get().buffer;
        int o = put(CODE_DOMAIN, b, 0);
        o = putAscii(latchId, b, o);
        o = o < 0 ? -1 : putAscii(subject, b, o + 1);
        int secretFrom = o + 1;
        o = o < 0 ? -1 : putAscii(canonical, b, secretFrom);
        if (o < 0) {
            return slowCode(b, latchId, subject, canonical); // non-ASCII ids, or too long for the buffer
        }
        return hash(b, o, secretFrom);
    }

    /**
     * HMAC over key-domain NUL prefix NUL keyId NUL secret, read in place from a parsed key's
     * ASCII bytes {@code prefix "_" keyId "_" secret checksum}: no strings are made of its
     * parts. Issue and authenticate both hash through here.
     */
    byte[] key(StaticKeys.Parsed parsed) {
        byte[] key = parsed.bytes;
        int idStart = parsed.idStart;
        int secretStart = parsed.secretStart;
        int prefixLength = idStart - 1;
        int idLength = secretStart - 1 - idStart;
        byte[] b = local.get().buffer; // a key is at most 256 characters, so it always fits
        int o = put(KEY_DOMAIN, b, 0);
        System.arraycopy(key, 0, b, o, prefixLength);
        o += prefixLength;
        b[o++] = 0;
        System.arraycopy(key, idStart, b, o, idLength);
        o += idLength;
        b[o++] = 0;
        int secretFrom = o;
        System.arraycopy(key, secretStart, b, o, StaticKeys.SECRET_LENGTH);
        return hash(b, o + StaticKeys.SECRET_LENGTH, secretFrom);
    }

    private static int put(byte[] bytes, byte[] b, int o) {
        System.arraycopy(bytes, 0, b, o, bytes.length);
        return o + bytes.length;
    }

    /**
     * Writes ASCII text and the NUL after it at o; returns the offset of that NUL, or -1 when
     * the text is not all ASCII or does not fit (the caller then takes the UTF-8 path).
     */
    private static int putAscii(String s, byte[] b, int o) {
        int n = s.length();
        if (o + n + 1 > b.length) {
            return -1;
        }
        int high = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            high |= c >>> 7;
            b[o + i] = (byte) c;
        }
        b[o + n] = 0;
        return high == 0 ? o + n : -1;
    }

    /** HMAC over domain NUL latch NUL subject NUL code with UTF-8 text, in a fresh array. */
    private byte[] slowCode(byte[] buffer, String latchId, String subject, String canonical) {
        Arrays.fill(buffer, (byte) 0); // a partly written code may be in it
        byte[] ab = latchId.getBytes(StandardCharsets.UTF_8);
        byte[] bb = subject.getBytes(StandardCharsets.UTF_8);
        int n = CODE_DOMAIN.length + ab.length + 1 + bb.length + 1 + canonical.length();
        byte[] input = new byte[n];
        System.arraycopy(CODE_DOMAIN, 0, input, 0, CODE_DOMAIN.length);
        int o = CODE_DOMAIN.length;
        System.arraycopy(ab, 0, input, o, ab.length);
        o += ab.length + 1;
        System.arraycopy(bb, 0, input, o, bb.length);
        o += bb.length + 1;
        for (int i = 0; i < canonical.length(); i++) {
            input[o + i] = (byte) canonical.charAt(i); // canonical codes are ASCII
        }
        byte[] digest = hmac.mac(input, 0, n);
        Arrays.fill(input, (byte) 0);
        return digest;
    }
}
