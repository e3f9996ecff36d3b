package dev.latch.redis;

import dev.latch.LatchStoreException;
import dev.latch.spi.LatchStore.OpenResult;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client's half of open.lua's common case: the time it sends (13 hex digits of the time plus
 * 2^51) and the reply it reads ('+', the head the script wrote, then rev|tail). The conformance
 * suite checks both against a real Redis; these say where a mismatch lies.
 */
class SlotHeadTest {
    static String now(long ms) {
        return RedisLatchStore.appendNow(new StringBuilder(), ms).toString();
    }

    @Test
    void now_isThirteenHexDigitsOfTheTimePlus2To51() {
        assertEquals("8000000000000", now(0));
        assertEquals("7ffffffffffff", now(-1));
        assertEquals("8000000000001", now(1));
        assertEquals("fffffffffffff", now((1L << 51) - 1));
        assertEquals("0000000000001", now(-(1L << 51) + 1));
        assertEquals(Long.toHexString((1L << 51) + 1_795_470_865_874L), now(1_795_470_865_874L));
        assertThrows(LatchStoreException.class, () -> now(1L << 51));
        assertThrows(LatchStoreException.class, () -> now(-(1L << 51)));
        assertThrows(LatchStoreException.class, () -> now(Long.MIN_VALUE));
    }

    /** The six uses digits as open.lua writes them: base 64, most significant first, '0' + digit. */
    static String head(char gate, long uses) {
        char[] d = new char[6];
        for (int i = 5; i >= 0; i--) {
            d[i] = (char) ('0' + uses % 64);
            uses /= 64;
        }
        return gate + new String(d);
    }

    @Test
    void fastReply_givesTheUsesLeftReviewAndCode() {
        for (long uses : new long[]{0, 1, 63, 64, 999, 4095, 4096, 262_143, 262_144, Integer.MAX_VALUE}) {
            OpenResult r = RedisLatchStore.openResult("+" + head('F', uses) + "0|4:5:c_ab" + "daily");
            assertEquals(OpenResult.Outcome.OPENED, r.outcome());
            assertEquals(uses, r.code().usesLeft(), "uses " + uses);
            assertEquals("c_ab", r.code().codeId());
            assertEquals("daily", r.code().policy());
            assertFalse(r.code().reviewRequired());
            assertEquals(0, r.failures());
            assertNull(r.lockedUntil());
            assertNull(r.sighting());
        }
        OpenResult review = RedisLatchStore.openResult("+" + head('C', 0) + "1|4:5:c_abdailyk=v");
        assertTrue(review.code().reviewRequired());
        assertEquals("k=v", review.code().conditions());
    }

    @Test
    void malformedFastReply_isATypedError() {
        for (String bad : new String[]{"+", "+F00000", "+F0000010", "+F000001x|4:5:c_abdaily", "+F00000/0|4:5:c_abdaily",
                "+F00000p0|4:5:c_abdaily", "+F0000010|", "+F0000010|4",
                "+F0000010|9:5:c_abdaily", "+F0000010|x:5:c_abdaily", "+F0000010|4:-1:c_abdaily", "+" + head('F', 1L << 31) + "0|4:5:c_abdaily"}) {
            assertThrows(LatchStoreException.class, () -> RedisLatchStore.openResult(bad), bad);
        }
    }

    /** The general form: outcome|failures|locked until|locked now|burned now|sighting|uses|review|tail. */
    @Test
    void generalReply_isRead_andAMalformedOneIsATypedError() {
        OpenResult locked = RedisLatchStore.openResult("LOCKED|3|1700000000000|1|0||2|0|4:5:c_abdaily");
        assertEquals(OpenResult.Outcome.LOCKED, locked.outcome());
        assertEquals(3, locked.failures());
        assertEquals(1_700_000_000_000L, locked.lockedUntil().toEpochMilli());
        assertTrue(locked.lockedNow());
        assertEquals(2, locked.code().usesLeft());
        assertNull(RedisLatchStore.openResult("NO_CODE|0||0|0||0|0|0:0:").code());
        for (String bad : new String[]{"", "OPENED", "OPENED|0||0|0||1|0|", "NOT_AN_OUTCOME|0||0|0||1|0|4:5:c_abdaily",
                "OPENED|x||0|0||1|0|4:5:c_abdaily", "OPENED|0|soon|0|0||1|0|4:5:c_abdaily",
                "OPENED|0||0|0|NOWHERE|1|0|4:5:c_abdaily", "OPENED|0||0|0||one|0|4:5:c_abdaily",
                "OPENED|0||0|0||1|0|40:5:c_abdaily"}) {
            assertThrows(LatchStoreException.class, () -> RedisLatchStore.openResult(bad), bad);
        }
    }
}
