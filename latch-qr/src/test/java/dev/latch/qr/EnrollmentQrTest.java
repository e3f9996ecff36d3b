package dev.latch.qr;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import dev.latch.hmac.OtpEnrollment;
import dev.latch.hmac.Totp;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rendered images decode, with ZXing's reader, back to the enrollment URI they were made of. */
class EnrollmentQrTest {
    private final OtpEnrollment enrollment = Totp.builder().build()
            .enroll("Example Corp", "alice@example.com", new SecureRandom());

    private static String decode(BufferedImage image) throws Exception {
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(image)));
        return new QRCodeReader().decode(bitmap).getText();
    }

    @Test
    void png_decodesToTheSameUri() throws Exception {
        for (int module : new int[]{2, 6}) {
            byte[] png = EnrollmentQr.of(enrollment.uri()).png(module);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(enrollment.uri().toASCIIString(), decode(image), "module " + module);
        }
    }

    /** Draws the SVG's squares as it describes them, and decodes that. */
    @Test
    void svg_drawnAsItSays_decodesToTheSameUri() throws Exception {
        EnrollmentQr qr = EnrollmentQr.of(enrollment.uri());
        String svg = qr.svg(4);
        Matcher size = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
        assertTrue(size.find());
        int n = Integer.parseInt(size.group(1));
        assertEquals((qr.modules() + 8) * 4, n, "four modules of quiet zone on each side");
        BufferedImage image = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, n, n);
        g.setColor(Color.BLACK);
        Matcher m = Pattern.compile("M(\\d+) (\\d+)h(\\d+)v\\3h-\\3z").matcher(svg);
        int squares = 0;
        while (m.find()) {
            int side = Integer.parseInt(m.group(3));
            g.fillRect(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), side, side);
            squares++;
        }
        g.dispose();
        assertTrue(squares > 100, "the path has the dark modules: " + squares);
        assertEquals(enrollment.uri().toASCIIString(), decode(image));
    }

    @Test
    void badInput_isRefused_withoutRepeatingTheUri() {
        assertThrows(IllegalArgumentException.class, () -> EnrollmentQr.of(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EnrollmentQr.of(URI.create("https://example.com/?secret=JBSWY3DPEHPK3PXP")));
        assertFalse(e.getMessage().contains("JBSWY3DP"));
        String huge = "otpauth://totp/x?secret=" + "A".repeat(EnrollmentQr.MAX_URI);
        assertThrows(IllegalArgumentException.class, () -> EnrollmentQr.of(URI.create(huge)));
        EnrollmentQr qr = EnrollmentQr.of(enrollment.uri());
        assertThrows(IllegalArgumentException.class, () -> qr.png(0));
        assertThrows(IllegalArgumentException.class, () -> qr.svg(EnrollmentQr.MAX_MODULE + 1));
        assertFalse(qr.toString().contains("secret"), "toString holds nothing of the URI");
    }
}
