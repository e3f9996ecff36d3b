/**
 * QR codes of enrollment URIs: {@link dev.latch.qr.EnrollmentQr}.
 *
 * <pre>{@code
 * byte[] png = EnrollmentQr.of(enrollment.uri()).png(6);
 * }</pre>
 */
package dev.latch.qr;
