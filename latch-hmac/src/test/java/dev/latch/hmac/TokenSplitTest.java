package dev.latch.hmac;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The split of a token into its fields, eight bytes at a time, against a plain search. */
class TokenSplitTest {
    static final String TAG = "." + "A".repeat(43); // an HMAC-SHA256 tag's length

    /** The '~' positions before the tag, the plain way, or null for any count but 11. */
    static int[] plainEnds(String token) {
        int dot = token.length() - TAG.length();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < dot; i++) {
            if (token.charAt(i) == '~') {
                ends.add(i);
            }
        }
        if (ends.size() != 11) {
            return null;
        }
        ends.add(dot);
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void agreesWithAPlainSearch_forTildesAtEveryPlaceAndEveryCount() {
        Random random = new Random(11);
        String chars = "~~~abcXYZ019%,*/:@-_.\u00fe\u007e\u00ff";
        for (int round = 0; round < 50_000; round++) {
            int n = 4 + random.nextInt(120);
            StringBuilder payload = new StringBuilder("lt1~");
            for (int i = 4; i < n; i++) {
                payload.append(chars.charAt(random.nextInt(chars.length())));
            }
            String token = payload + TAG;
            int[] expected = plainEnds(token);
            TokenFormat.Parsed parsed = TokenFormat.parse(token);
            if (expected == null) {
                assertNull(parsed, token);
            } else {
                assertEquals(n, parsed.payloadEnd);
                assertArrayEquals(expected, parsed.ends, token);
            }
        }
    }
}
