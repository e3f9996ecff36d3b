package dev.latch.redis;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The client's half of the digest comparison must equal what open.lua's slots hold for each stored
 * digest: {@code redis.sha1hex} of the digest's lower-case hex. (The conformance suite checks the
 * same end to end against a real Redis; these vectors, from Python's hashlib, say where a
 * mismatch lies.)
 */
class DigestCheckTest {
    @Test
    void isTheSha1HexOfTheDigestsLowerCaseHex() {
        byte[] counting = new byte[32];
        for (int i = 0; i < 32; i++) {
            counting[i] = (byte) i;
        }
        assertEquals("4c6a606a90bd84c0402ee2a81783d6e844f28548", RedisLatchStore.digestCheck(counting));
        byte[] ones = new byte[32];
        Arrays.fill(ones, (byte) 0xff);
        assertEquals("c94ef4d05222e95a58f0d4957a0e53338fe48ae0", RedisLatchStore.digestCheck(ones));
    }
}
