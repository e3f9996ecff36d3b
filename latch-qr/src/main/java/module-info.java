/**
 * latch-qr: QR codes of TOTP/HOTP enrollment URIs, on ZXing. Exports only {@code dev.latch.qr}.
 */
module dev.latch.qr {
    requires com.google.zxing;
    requires java.desktop;

    exports dev.latch.qr;
}
