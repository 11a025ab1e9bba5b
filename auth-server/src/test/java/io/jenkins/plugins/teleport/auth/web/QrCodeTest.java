package io.jenkins.plugins.teleport.auth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The enrolment QR code, drawn as SVG squares, reads back as the otpauth URI an authenticator app needs. */
class QrCodeTest {

    @Test
    void theSvgQrCodeDecodesToTheEnrolmentUri() throws Exception {
        String uri = Totp.uri("dev", "bob", Totp.newSecret());
        String svg = QrCode.svg(uri, 220, "QR code").toString();
        Matcher size = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
        assertTrue(size.find(), svg);
        int modules = Integer.parseInt(size.group(1));
        int scale = 4;
        int[] pixels = new int[modules * scale * modules * scale];
        java.util.Arrays.fill(pixels, 0xffffffff);
        Matcher square = Pattern.compile("M(\\d+) (\\d+)h1v1h-1z").matcher(svg);
        int dark = 0;
        while (square.find()) {
            int x = Integer.parseInt(square.group(1));
            int y = Integer.parseInt(square.group(2));
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    pixels[(y * scale + dy) * modules * scale + x * scale + dx] = 0xff000000;
                }
            }
            dark++;
        }
        assertTrue(dark > 100, "a QR code has many dark modules: " + dark);
        BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(modules * scale, modules * scale, pixels)));
        assertEquals(uri, new QRCodeReader().decode(bitmap).getText());
    }
}
