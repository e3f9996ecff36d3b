package dev.latch;

/**
 * How a dynamic code looks. Every format draws each character uniformly from
 * {@link java.security.SecureRandom} with rejection sampling, so there is no modulo bias.
 *
 * <table>
 * <caption>Formats and their entropy</caption>
 * <tr><th>format</th><th>example</th><th>entropy</th><th>input accepted on open</th></tr>
 * <tr><td>{@link #numeric(int) numeric(6..10)}</td><td>{@code 047311}</td><td>3.32 bits per digit (6 digits: 19.9 bits)</td>
 *     <td>ASCII digits; spaces and hyphens ignored; leading zeros kept</td></tr>
 * <tr><td>{@link #base32(int) base32(8..20)}</td><td>{@code 7KQ2M9XZ}</td><td>5 bits per character</td>
 *     <td>Crockford alphabet, case-insensitive; I and L read as 1, O as 0; spaces and hyphens ignored</td></tr>
 * <tr><td>{@link #opaque(int) opaque(16..64 bytes)}</td><td>{@code q3H0…} (base64url)</td><td>8 bits per byte (at least 128)</td>
 *     <td>exactly the base64url text, case-sensitive</td></tr>
 * </table>
 *
 * <pre>{@code
 * LatchPolicy policy = LatchPolicy.custom().format(CodeFormat.base32(10)).build();
 * }</pre>
 *
 * <p>Thread-safe: immutable.
 */
public final class CodeFormat {
    /**
     * The kinds of code; stored with each code so any instance can check presented input. For
     * example {@code CodeFormat.numeric(6).kind() == CodeFormat.Kind.NUMERIC}.
     *
     * <p>Thread-safe: enum constants are immutable.
     */
    public enum Kind {
        /** ASCII digits. */
        NUMERIC,
        /** Crockford base32. */
        BASE32,
        /** Random bytes in base64url. */
        OPAQUE
    }

    /** Six ASCII digits, the default for {@link LatchPolicy#LOW} and {@link LatchPolicy#HIGH}. */
    public static final CodeFormat SIX_DIGITS = new CodeFormat(Kind.NUMERIC, 6);

    private final Kind kind;
    private final int size;

    private CodeFormat(Kind kind, int size) {
        this.kind = kind;
        this.size = size;
    }

    /**
     * @param digits 6 to 10; fewer than 6 are refused (a 4-digit code falls to 10,000 guesses)
     * @return a numeric format
     */
    public static CodeFormat numeric(int digits) {
        if (digits < 6 || digits > 10) {
            throw new IllegalArgumentException("numeric codes need 6 to 10 digits, got " + digits);
        }
        return new CodeFormat(Kind.NUMERIC, digits);
    }

    /**
     * @param length 8 to 20 characters (40 to 100 bits)
     * @return a Crockford base32 format
     */
    public static CodeFormat base32(int length) {
        if (length < 8 || length > 20) {
            throw new IllegalArgumentException("base32 codes need 8 to 20 characters, got " + length);
        }
        return new CodeFormat(Kind.BASE32, length);
    }

    /**
     * @param bytes 16 to 64 random bytes (128 to 512 bits)
     * @return an opaque token format, written in base64url without padding
     */
    public static CodeFormat opaque(int bytes) {
        if (bytes < 16 || bytes > 64) {
            throw new IllegalArgumentException("opaque tokens need 16 to 64 bytes, got " + bytes);
        }
        return new CodeFormat(Kind.OPAQUE, bytes);
    }

    /** @return the kind */
    public Kind kind() {
        return kind;
    }

    /** @return digits, characters or bytes, by kind */
    public int size() {
        return size;
    }

    /** @return the length of a code's text */
    public int length() {
        return kind == Kind.OPAQUE ? (size * 4 + 2) / 3 : size;
    }

    /** @return bits of entropy of one code */
    public double entropyBits() {
        switch (kind) {
            case NUMERIC:
                return size * Math.log(10) / Math.log(2);
            case BASE32:
                return size * 5.0;
            default:
                return size * 8.0;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodeFormat f && f.kind == kind && f.size == size;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + size;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "(" + size + ")";
    }
}
