package dev.latch;

import dev.latch.internal.Alphabets;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * The static key format {@code <prefix>_<id>_<secret><checksum>}: id 12 base62 characters,
 * secret 24 base62 characters (142.9 bits), checksum 6 base62 characters of the CRC32 of
 * everything before it.
 */
final class StaticKeys {
    static final int ID_LENGTH = 12;
    static final int SECRET_LENGTH = 24;
    static final int CHECKSUM_LENGTH = 6;

    /**
     * A parsed key. The secret is not copied out: it stays in {@code bytes} (the key's ASCII
     * bytes, which are sensitive) at {@code secretStart}, for the hasher to read in place with
     * the prefix (from 0) and the id (from {@code idStart}).
     */
    static final class Parsed {
        final String keyId;
        final byte[] bytes;
        final int idStart;
        final int secretStart;

        Parsed(String keyId, byte[] bytes, int idStart, int secretStart) {
            this.keyId = keyId;
            this.bytes = bytes;
            this.idStart = idStart;
            this.secretStart = secretStart;
        }

        /** @return the prefix as a string (made on demand: a successful authentication needs none) */
        String prefix() {
            return new String(bytes, 0, idStart - 1, StandardCharsets.ISO_8859_1);
        }

        /** @return whether the key's prefix is exactly {@code prefix}, compared in place */
        boolean prefixIs(String prefix) {
            int n = idStart - 1;
            if (prefix.length() != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (bytes[i] != prefix.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return "Parsed[prefix=" + prefix() + ", id=" + keyId + ", secret=***]";
        }
    }

    private StaticKeys() {
    }

    static String newId(SecureRandom random) {
        return new String(Alphabets.draw(random, Alphabets.BASE62, ID_LENGTH));
    }

    static String newSecret(SecureRandom random) {
        return new String(Alphabets.draw(random, Alphabets.BASE62, SECRET_LENGTH));
    }

    static String format(String prefix, String keyId, String secret) {
        String body = prefix + "_" + keyId + "_" + secret;
        return body + checksum(body);
    }

    static String checksum(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return Alphabets.base62(crc.getValue(), CHECKSUM_LENGTH);
    }

    /**
     * @param key the presented key
     * @return the parts, or null when the text is not a well-formed key with a valid checksum
     */
    static Parsed parse(String key) {
        if (key == null || key.length() > PresentedCode.MAX_INPUT) {
            return null;
        }
        int tail = SECRET_LENGTH + CHECKSUM_LENGTH;
        int minimum = 1 + 1 + ID_LENGTH + 1 + tail;
        if (key.length() < minimum) {
            return null;
        }
        int secretStart = key.length() - tail;
        int idStart = secretStart - 1 - ID_LENGTH;
        if (key.charAt(secretStart - 1) != '_' || key.charAt(idStart - 1) != '_') {
            return null;
        }
        if (!StaticKeySpec.validPrefix(key, idStart - 1)) {
            return null;
        }
        // ISO-8859-1 copies a compact string's bytes as they are; a character above U+00FF
        // becomes '?', which is no more base62 than the character was.
        byte[] bytes = key.getBytes(StandardCharsets.ISO_8859_1);
        if (!Alphabets.allBase62(bytes, idStart, secretStart - 1) || !Alphabets.allBase62(bytes, secretStart, bytes.length)) {
            return null;
        }
        int body = bytes.length - CHECKSUM_LENGTH;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, body);
        // The checksum's base62 digits read as a number: each value has one 6-digit spelling,
        // so this is the same test as comparing with the formatted checksum, without a string.
        long written = 0;
        for (int i = body; i < bytes.length; i++) {
            written = written * 62 + Alphabets.base62Value((char) bytes[i]);
        }
        if (written != crc.getValue()) {
            return null;
        }
        return new Parsed(key.substring(idStart, secretStart - 1), bytes, idStart, secretStart);
    }
}
