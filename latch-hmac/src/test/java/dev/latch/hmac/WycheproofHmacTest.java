package dev.latch.hmac;

import dev.latch.testing.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Wycheproof HMAC vectors (test resources, Apache 2.0, see wycheproof/LICENSE) through the
 * tag check that token verification uses. latch accepts only full-length tags, so a vector
 * that is valid with a truncated tag must be refused as well.
 */
class WycheproofHmacTest {

    @SuppressWarnings("unchecked")
    static Stream<Arguments> vectors() throws IOException {
        Stream.Builder<Arguments> out = Stream.builder();
        for (HmacAlgorithm alg : HmacAlgorithm.values()) {
            String file = "/wycheproof/hmac_sha" + alg.jcaName().substring(7) + "_test.json";
            Map<String, Object> root;
            try (InputStream in = WycheproofHmacTest.class.getResourceAsStream(file)) {
                root = (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            int count = 0;
            for (Object g : (List<Object>) root.get("testGroups")) {
                Map<String, Object> group = (Map<String, Object>) g;
                long tagBits = (Long) group.get("tagSize");
                for (Object t : (List<Object>) group.get("tests")) {
                    Map<String, Object> test = (Map<String, Object>) t;
                    out.add(Arguments.of(alg, test.get("tcId"), test.get("comment"), test.get("key"), test.get("msg"),
                            test.get("tag"), test.get("result"), tagBits));
                    count++;
                }
            }
            assertEquals(((Long) root.get("numberOfTests")).intValue(), count, file);
        }
        return out.build();
    }

    @ParameterizedTest(name = "{0} #{1} {2} ({6})")
    @MethodSource("vectors")
    void tagCheck_matchesWycheproof(HmacAlgorithm alg, long tcId, String comment, String key, String msg, String tag,
                                    String result, long tagBits) {
        HexFormat hex = HexFormat.of();
        HmacKey k = HmacKey.unchecked("w" + tcId, alg, hex.parseHex(key));
        boolean fullLength = tagBits == alg.tagLength() * 8L;
        boolean expected = "valid".equals(result) && fullLength;
        assertTrue(!"acceptable".equals(result), "HMAC vectors are valid or invalid");
        assertEquals(expected, k.verify(hex.parseHex(msg), hex.parseHex(tag)));
        if ("valid".equals(result)) {
            byte[] full = k.mac(hex.parseHex(msg));
            assertEquals(tag, hex.formatHex(full).substring(0, tag.length()), "our MAC computes the vector's tag");
        }
    }
}
