package dev.latch.spi;

import dev.latch.Latches;
import dev.latch.Pepper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.spec.SecretKeySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretSourceTest {
    private static final byte[] SECRET = new byte[32];

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) (17 * i + 3);
        }
    }

    private static final String B64 = Base64.getEncoder().encodeToString(SECRET);

    @Test
    void variables_mapIdsToNames_andDecodeBase64() {
        SecretSource s = SecretSource.variables(Map.of("LATCH_PEPPER_2026_12", B64,
                "LATCH_PEPPER_URL", Base64.getUrlEncoder().withoutPadding().encodeToString(SECRET)), "LATCH_PEPPER_");
        assertArrayEquals(SECRET, s.secret("2026-12").orElseThrow());
        assertArrayEquals(SECRET, s.secret("url").orElseThrow(), "URL-safe base64 too");
        assertEquals(Optional.empty(), s.secret("2026-06"));
        assertThrows(IllegalArgumentException.class, () -> s.secret("a b"));
        assertThrows(IllegalArgumentException.class, () -> SecretSource.variables(Map.of(), "BAD PREFIX"));
    }

    /** Surefire sets LATCH_TEST_SECRET_ENV (see the pom) for this test. */
    @Test
    void environment_readsTheProcessEnvironment() {
        SecretSource s = SecretSource.environment("LATCH_TEST_SECRET_");
        assertEquals(System.getenv("LATCH_TEST_SECRET_ENV") != null, s.secret("env").isPresent(),
                "the variable and the source agree");
        assertTrue(s.secret("env").isPresent(), "the pom sets LATCH_TEST_SECRET_ENV for the tests");
        assertEquals(32, s.secret("env").orElseThrow().length);
        assertEquals(Optional.empty(), s.secret("absent"));
    }

    @Test
    void directory_readsOneFilePerId(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pepper-1"), B64 + "\n");
        Files.writeString(dir.resolve("broken"), "not base64 %%% " + "zz");
        SecretSource s = SecretSource.directory(dir);
        assertArrayEquals(SECRET, s.secret("pepper-1").orElseThrow());
        assertEquals(Optional.empty(), s.secret("pepper-2"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.secret("broken"));
        assertFalse(e.getMessage().contains("%%%"), "the content is never repeated");
        assertThrows(IllegalArgumentException.class, () -> s.secret("../etc/passwd"), "ids cannot leave the directory");
    }

    @Test
    void keyStore_readsSecretKeyEntries() throws Exception {
        char[] pw = "changeit".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, pw);
        ks.setEntry("hmac-1", new KeyStore.SecretKeyEntry(new SecretKeySpec(SECRET, "HmacSHA256")),
                new KeyStore.PasswordProtection(pw));
        SecretSource s = SecretSource.keyStore(ks, pw);
        assertArrayEquals(SECRET, s.secret("hmac-1").orElseThrow());
        assertEquals(Optional.empty(), s.secret("hmac-2"));
        SecretSource wrongPassword = SecretSource.keyStore(ks, "nope".toCharArray());
        assertThrows(IllegalStateException.class, () -> wrongPassword.secret("hmac-1"));
    }

    @Test
    void aCallbackIsASource_andAMissingPepperIsATypedErrorAtBuild() {
        SecretSource vault = id -> id.equals("p1") ? Optional.of(SECRET.clone()) : Optional.empty();
        Pepper p = Pepper.from(vault, "p1");
        assertEquals("p1", p.id());
        assertEquals("Pepper[p1, ***]", p.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Latches.builder().peppers(vault, "p1", "p0"));
        assertTrue(e.getMessage().contains("p0"), "names the missing id: " + e.getMessage());
        assertFalse(e.getMessage().contains(B64));
        assertThrows(IllegalArgumentException.class, () -> Latches.builder().peppers(vault, "p1", "p1"));
        assertThrows(IllegalArgumentException.class, () -> Latches.builder().peppers(vault, "p 1"));
        assertThrows(IllegalStateException.class, () -> Latches.builder().pepper(p).peppers(vault, "p1"),
                "one pepper configuration");
        SecretSource shortOne = id -> Optional.of(new byte[8]);
        assertThrows(IllegalArgumentException.class, () -> Pepper.from(shortOne, "x"));
    }
}
