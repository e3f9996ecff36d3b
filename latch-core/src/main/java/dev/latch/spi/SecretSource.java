package dev.latch.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Where secrets come from, by id: peppers (for hashes at rest) and HMAC or JWT signing keys.
 * Secrets have ids so they can rotate: stored hashes record the id of the pepper they were made
 * with, and signed tokens the id of their key. The factories read the environment, a directory
 * of files or a Java {@link KeyStore}; for a vault, the interface is one method:
 *
 * <pre>{@code
 * SecretSource vault = id -> Optional.ofNullable(vaultClient.read("secret/latch/" + id)).map(Base64.getDecoder()::decode);
 * Latches latches = Latches.builder().peppers(SecretSource.environment("LATCH_PEPPER_"), "2026-12", "2026-06").build();
 * }</pre>
 *
 * <p>Ids are 1 to 64 characters of {@code A-Z a-z 0-9 . _ -} ({@link #validId}); they are not
 * secret and appear in audit events. A source answers empty for an id it does not have, and
 * whoever asked turns that into a typed error when it builds: a missing secret is never replaced
 * by a default. Secrets are handed out as fresh arrays the caller may wipe; no factory logs,
 * prints or puts a secret in an exception message.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface SecretSource {

    /**
     * @param id the secret's id
     * @return the secret's bytes, a copy the caller owns; empty when this source has none of that id
     * @throws IllegalStateException when the source cannot be read (a file unreadable, a key store locked)
     */
    Optional<byte[]> secret(String id);

    /**
     * @param id a secret id
     * @return whether it is 1 to 64 characters of {@code A-Z a-z 0-9 . _ -}
     */
    static boolean validId(String id) {
        if (id == null || id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param id a secret id
     * @return the id, when valid
     * @throws IllegalArgumentException when it is not
     */
    static String checkId(String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException("a secret id has 1 to 64 characters of A-Z a-z 0-9 . _ -");
        }
        return id;
    }

    /**
     * Environment variables holding base64: the secret {@code id} is in the variable
     * {@code prefix + id}, upper-cased, with {@code .} and {@code -} as {@code _} (id
     * {@code 2026-12} with prefix {@code LATCH_PEPPER_} is {@code LATCH_PEPPER_2026_12}).
     *
     * @param prefix the variables' prefix, letters, digits and {@code _}
     * @return the source
     */
    static SecretSource environment(String prefix) {
        return variables(System.getenv(), prefix);
    }

    /**
     * The same rule as {@link #environment(String)} over a map of names to base64 values (for
     * tests, or configuration already read).
     *
     * @param variables names to base64 values; copied
     * @param prefix    the names' prefix, letters, digits and {@code _}
     * @return the source
     */
    static SecretSource variables(Map<String, String> variables, String prefix) {
        Names.required(variables, "variables");
        Names.required(prefix, "prefix");
        if (!prefix.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
            throw new IllegalArgumentException("an environment prefix has only letters, digits and _");
        }
        Map<String, String> copy = Map.copyOf(variables);
        return new SecretSource() {
            @Override
            public Optional<byte[]> secret(String id) {
                checkId(id);
                String name = (prefix + id).toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
                String value = copy.get(name);
                return value == null || value.isBlank() ? Optional.empty() : Optional.of(decode(value, "variable " + name));
            }

            @Override
            public String toString() {
                return "SecretSource.environment(" + prefix + "*)";
            }
        };
    }

    /**
     * Files in a directory, one per secret, named by the id and holding base64 text (as mounted
     * Kubernetes or Docker secrets are).
     *
     * @param directory the directory
     * @return the source
     */
    static SecretSource directory(Path directory) {
        Names.required(directory, "directory");
        return new SecretSource() {
            @Override
            public Optional<byte[]> secret(String id) {
                checkId(id);
                Path file = directory.resolve(id);
                String text;
                try {
                    text = Files.readString(file, StandardCharsets.US_ASCII);
                } catch (NoSuchFileException e) {
                    return Optional.empty();
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException("the secret file of id " + id + " cannot be read: "
                            + e.getClass().getSimpleName());
                }
                return text.isBlank() ? Optional.empty() : Optional.of(decode(text, "file " + id));
            }

            @Override
            public String toString() {
                return "SecretSource.directory(" + directory + ")";
            }
        };
    }

    /**
     * Secret-key entries of a Java {@link KeyStore} (PKCS12 holds them), the alias being the id.
     *
     * @param store    a loaded key store
     * @param password the entries' password; copied
     * @return the source
     */
    static SecretSource keyStore(KeyStore store, char[] password) {
        Names.required(store, "store");
        Names.required(password, "password");
        char[] pass = password.clone();
        return new SecretSource() {
            @Override
            public Optional<byte[]> secret(String id) {
                checkId(id);
                try {
                    if (!store.containsAlias(id)) {
                        return Optional.empty();
                    }
                    Key key = store.getKey(id, pass);
                    byte[] bytes = key == null ? null : key.getEncoded();
                    return bytes == null || bytes.length == 0 ? Optional.empty() : Optional.of(bytes);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("the key store entry of id " + id + " cannot be read: "
                            + e.getClass().getSimpleName());
                }
            }

            @Override
            public String toString() {
                return "SecretSource.keyStore(" + store.getType() + ")";
            }
        };
    }

    private static byte[] decode(String text, String where) {
        String t = text.trim();
        try {
            return t.indexOf('-') >= 0 || t.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(t)
                    : Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the secret in " + where + " is not base64");
        }
    }
}
