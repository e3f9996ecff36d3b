package dev.latch.hmac;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The test vectors of RFC 4226 Appendix D and RFC 6238 Appendix B. */
class OtpVectorsTest {
    private static final OtpSecret RFC4226_SECRET = OtpSecret.of("12345678901234567890".getBytes(StandardCharsets.US_ASCII));

    static Stream<Arguments> rfc4226AppendixD() {
        String[] codes = {"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"};
        return Stream.iterate(0, i -> i + 1).limit(codes.length).map(i -> Arguments.of((long) i, codes[i]));
    }

    @ParameterizedTest(name = "counter {0} -> {1}")
    @MethodSource("rfc4226AppendixD")
    void hotp_rfc4226AppendixD(long counter, String code) {
        assertEquals(code, Hotp.builder().build().generate(RFC4226_SECRET, counter));
    }

    /** RFC 6238 Appendix B: each algorithm has its own seed (20, 32 and 64 bytes); 8 digits, 30 s. */
    static Stream<Arguments> rfc6238AppendixB() {
        String sha1 = "12345678901234567890";
        String sha256 = "12345678901234567890123456789012";
        String sha512 = "1234567890123456789012345678901234567890123456789012345678901234";
        long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
        String[][] codes = {
                {"94287082", "46119246", "90693936"},
                {"07081804", "68084774", "25091201"},
                {"14050471", "67062674", "99943326"},
                {"89005924", "91819424", "93441116"},
                {"69279037", "90698825", "38618901"},
                {"65353130", "77737706", "47863826"}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (int i = 0; i < times.length; i++) {
            b.add(Arguments.of(OtpAlgorithm.SHA1, sha1, times[i], codes[i][0]));
            b.add(Arguments.of(OtpAlgorithm.SHA256, sha256, times[i], codes[i][1]));
            b.add(Arguments.of(OtpAlgorithm.SHA512, sha512, times[i], codes[i][2]));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} at {2} -> {3}")
    @MethodSource("rfc6238AppendixB")
    void totp_rfc6238AppendixB(OtpAlgorithm algorithm, String seed, long time, String code) {
        Totp totp = Totp.builder().algorithm(algorithm).digits(8).period(Duration.ofSeconds(30)).build();
        OtpSecret secret = OtpSecret.of(seed.getBytes(StandardCharsets.US_ASCII));
        assertEquals(code, totp.generate(secret, Instant.ofEpochSecond(time)));
    }
}
