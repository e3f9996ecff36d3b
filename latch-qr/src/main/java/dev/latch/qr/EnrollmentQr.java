package dev.latch.qr;

import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The QR code of a TOTP or HOTP enrollment URI ({@code otpauth://...}, as
 * {@code OtpEnrollment.uri()} gives it), for an authenticator app to scan: as SVG text or as a
 * PNG image. The QR encoding is ZXing's (error correction level M, a four-module quiet zone).
 *
 * <pre>{@code
 * OtpEnrollment e = totp.enroll("Example Corp", "alice@example.com", new SecureRandom());
 * String svg = EnrollmentQr.of(e.uri()).svg(4);               // into the enrollment page
 * byte[] png = EnrollmentQr.of(e.uri()).png(6);
 * }</pre>
 *
 * <p><b>The image holds the secret.</b> Anyone who sees it can generate the codes. Show it once,
 * over TLS, with {@code Cache-Control: no-store}; never log it, store it or send it by email.
 * {@code toString} says only how many modules the code has.
 *
 * <p>Thread-safe: immutable.
 */
public final class EnrollmentQr {
    /** Longest URI accepted, in characters: far more than an enrollment needs, well inside a QR code. */
    public static final int MAX_URI = 1024;
    /** Largest module size, in pixels or SVG units. */
    public static final int MAX_MODULE = 64;
    private static final int QUIET = 4;

    private final ByteMatrix matrix;

    private EnrollmentQr(ByteMatrix matrix) {
        this.matrix = matrix;
    }

    /**
     * @param otpauth an {@code otpauth://totp/...} or {@code otpauth://hotp/...} URI, at most {@value #MAX_URI} characters
     * @return its QR code
     * @throws IllegalArgumentException when it is null, not an otpauth URI, or too long (the
     *                                  message never repeats it: it holds the secret)
     */
    public static EnrollmentQr of(URI otpauth) {
        if (otpauth == null) {
            throw new IllegalArgumentException("otpauth is required, got null");
        }
        String text = otpauth.toASCIIString();
        if (!"otpauth".equalsIgnoreCase(otpauth.getScheme())) {
            throw new IllegalArgumentException("an enrollment QR code holds an otpauth:// URI");
        }
        if (text.length() > MAX_URI) {
            throw new IllegalArgumentException("an enrollment URI has at most " + MAX_URI + " characters, had " + text.length());
        }
        try {
            QRCode code = Encoder.encode(text, ErrorCorrectionLevel.M,
                    Map.of(EncodeHintType.CHARACTER_SET, StandardCharsets.US_ASCII.name()));
            return new EnrollmentQr(code.getMatrix());
        } catch (WriterException e) {
            throw new IllegalArgumentException("the URI does not fit a QR code (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** @return modules per side, without the quiet zone */
    public int modules() {
        return matrix.getWidth();
    }

    private static void checkModule(int module) {
        if (module < 1 || module > MAX_MODULE) {
            throw new IllegalArgumentException("a module is 1 to " + MAX_MODULE + " units, got " + module);
        }
    }

    /**
     * @param module the size of one module in SVG units, 1 to {@value #MAX_MODULE}
     * @return an SVG document: a white square and one black path of unit squares
     */
    public String svg(int module) {
        checkModule(module);
        int n = matrix.getWidth();
        int size = (n + 2 * QUIET) * module;
        StringBuilder path = new StringBuilder(n * n * 4);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                if (matrix.get(x, y) == 1) {
                    path.append('M').append((x + QUIET) * module).append(' ').append((y + QUIET) * module)
                            .append('h').append(module).append('v').append(module).append('h').append(-module).append('z');
                }
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + size + " " + size + "\" width=\"" + size
                + "\" height=\"" + size + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
                + "<path fill=\"#000\" d=\"" + path + "\"/></svg>";
    }

    /**
     * @param module the size of one module in pixels, 1 to {@value #MAX_MODULE}
     * @return the image as PNG bytes, black on white
     */
    public byte[] png(int module) {
        checkModule(module);
        int n = matrix.getWidth();
        int size = (n + 2 * QUIET) * module;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_BINARY);
        for (int py = 0; py < size; py++) {
            for (int px = 0; px < size; px++) {
                int x = px / module - QUIET;
                int y = py / module - QUIET;
                boolean dark = x >= 0 && y >= 0 && x < n && y < n && matrix.get(x, y) == 1;
                image.setRGB(px, py, dark ? 0xFF000000 : 0xFFFFFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e);
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "EnrollmentQr[" + matrix.getWidth() + "x" + matrix.getWidth() + " modules, ***]";
    }
}
