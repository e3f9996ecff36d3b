package dev.latch.spi;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * HMAC (RFC 2104) with one key, for code hashing and signers that verify many inputs under the
 * same key. The key's inner and outer pad blocks are hashed once, here; each {@link #mac} then
 * continues from copies of those two digest states. That is two compressions per short input,
 * where {@link Mac#doFinal} does four (it hashes the inner pad block again after every result).
 * The output is the HMAC of the JDK's {@link Mac}, byte for byte.
 *
 * <pre>{@code
 * KeyedHmac hmac = KeyedHmac.of("HmacSHA256", key);
 * byte[] tag = hmac.mac(data, 0, data.length);
 * }</pre>
 *
 * <p>Supports HmacSHA1, HmacSHA256, HmacSHA384 and HmacSHA512. Where the platform's digest
 * cannot be cloned (some providers), it falls back to one {@link Mac} per thread.
 *
 * <p>The padded key exists only while this is built, and is zeroed after; the two digest
 * states that stand for it stay in this object, as a {@code Mac} keeps its padded key. Each call
 * leaves its two copies (about 380 bytes) to the garbage collector, as a {@code Mac} leaves its
 * results; the inner hash is written over by the result, in the one array returned.
 * {@code toString} names the algorithm only.
 *
 * <p>Thread-safe: immutable; the two prototype states are only ever copied.
 */
public final class KeyedHmac {
    private final String algorithm;
    private final MessageDigest inner;
    private final MessageDigest outer;
    private final ThreadLocal<Mac> fallback;
    private final int length;

    private KeyedHmac(String algorithm, MessageDigest inner, MessageDigest outer, ThreadLocal<Mac> fallback, int length) {
        this.algorithm = algorithm;
        this.inner = inner;
        this.outer = outer;
        this.fallback = fallback;
        this.length = length;
    }

    /**
     * @param algorithm HmacSHA1, HmacSHA256, HmacSHA384 or HmacSHA512
     * @param key       the key, at least one byte; it is copied, never kept
     * @return the keyed HMAC
     * @throws IllegalArgumentException for another algorithm or an empty key
     */
    public static KeyedHmac of(String algorithm, byte[] key) {
        return of(algorithm, key, true);
    }

    /** @param clone false to take the fallback (one Mac per thread) even where digests clone, for tests */
    static KeyedHmac of(String algorithm, byte[] key, boolean clone) {
        Names.required(algorithm, "algorithm");
        Names.required(key, "key");
        if (key.length == 0) {
            throw new IllegalArgumentException("an HMAC key has at least one byte");
        }
        String digestName;
        int block;
        switch (algorithm) {
            case "HmacSHA1":
                digestName = "SHA-1";
                block = 64;
                break;
            case "HmacSHA256":
                digestName = "SHA-256";
                block = 64;
                break;
            case "HmacSHA384":
                digestName = "SHA-384";
                block = 128;
                break;
            case "HmacSHA512":
                digestName = "SHA-512";
                block = 128;
                break;
            default:
                throw new IllegalArgumentException("the HMAC algorithm must be HmacSHA1, HmacSHA256, HmacSHA384 or HmacSHA512");
        }
        try {
            MessageDigest inner = MessageDigest.getInstance(digestName);
            MessageDigest outer = MessageDigest.getInstance(digestName);
            int length = inner.getDigestLength();
            byte[] k = key.length > block ? inner.digest(key) : key.clone(); // RFC 2104: long keys are hashed first
            byte[] pad = new byte[block];
            try {
                for (int i = 0; i < block; i++) {
                    pad[i] = (byte) ((i < k.length ? k[i] : 0) ^ 0x36);
                }
                inner.update(pad);
                for (int i = 0; i < block; i++) {
                    pad[i] = (byte) ((i < k.length ? k[i] : 0) ^ 0x5c);
                }
                outer.update(pad);
            } finally {
                Arrays.fill(pad, (byte) 0);
            }
            try {
                if (!clone) {
                    throw new CloneNotSupportedException("fallback requested");
                }
                copy(inner);
                Arrays.fill(k, (byte) 0);
                return new KeyedHmac(algorithm, inner, outer, null, length);
            } catch (CloneNotSupportedException e) {
                ThreadLocal<Mac> macs = macs(algorithm, k);
                Arrays.fill(k, (byte) 0);
                return new KeyedHmac(algorithm, null, null, macs, length);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the platform has no " + digestName, e);
        }
    }

    private static ThreadLocal<Mac> macs(String algorithm, byte[] key) throws GeneralSecurityException {
        Mac prototype = Mac.getInstance(algorithm);
        prototype.init(new SecretKeySpec(key, algorithm));
        return ThreadLocal.withInitial(() -> {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the " + algorithm + " provider can neither clone digests nor Macs", e);
            }
        });
    }

    private static MessageDigest copy(MessageDigest prototype) throws CloneNotSupportedException {
        return (MessageDigest) prototype.clone();
    }

    /**
     * @param data   the input
     * @param offset where it starts
     * @param length how many bytes
     * @return the HMAC, {@link #length()} bytes
     */
    public byte[] mac(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (inner == null) {
            Mac mac = fallback.get();
            mac.update(data, offset, length);
            return mac.doFinal();
        }
        try {
            // One array holds the inner hash and then, written over it, the result: the inner
            // hash is gone when this returns, and no second array is made.
            byte[] result = new byte[this.length];
            MessageDigest in = copy(inner);
            in.update(data, offset, length);
            in.digest(result, 0, result.length);
            MessageDigest out = copy(outer);
            out.update(result);
            out.digest(result, 0, result.length);
            return result;
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("a digest that could be cloned no longer can", e);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("a digest refused an output of its own length", e);
        }
    }

    /** @return the HMAC's length in bytes */
    public int length() {
        return length;
    }

    /** @return the JCA name of the algorithm, such as HmacSHA256 */
    public String algorithm() {
        return algorithm;
    }

    @Override
    public String toString() {
        return "KeyedHmac[" + algorithm + "]";
    }
}
