package io.jenkins.plugins.teleport.client.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The physical limit of issuance on this machine: the two signatures one issuance needs and nothing else (one
 * Ed25519 signature over 300 bytes, the SSH certificate's size, and one ECDSA P-256 signature with SHA-256 over 600
 * bytes, the X.509 certificate's), through JCA with the fastest provider here, each thread with its own initialised
 * {@link Signature} objects. Its CPU time per issuance is the signing threads' own CPU time.
 */
final class SignatureCeiling {

    /** A provider's cost of one signature, one thread. */
    record Calibration(String algorithm, String provider, double microsPerSignature) {}

    /** The ceiling: issuances per second on {@code threads} threads, and CPU time per issuance in microseconds. */
    record Result(double rate, double cpuMicrosPerIssuance, int threads, String ed25519Provider, String ecdsaProvider,
                  List<Calibration> calibrations) {}

    private static final int ED25519_MESSAGE = 300;
    private static final int ECDSA_MESSAGE = 600;

    private SignatureCeiling() {}

    static Result measure(double seconds, int threads) throws Exception {
        Provider bc = new BouncyCastleProvider();
        List<Provider> providers = List.of(bc, Security.getProvider("SunEC"));
        // Two rounds, the better of each kept: in a fresh JVM the first round of a provider can still be compiling.
        List<Calibration> calibrations = new ArrayList<>();
        for (Provider p : providers) {
            for (String algorithm : List.of("Ed25519", "SHA256withECDSA")) {
                int size = algorithm.equals("Ed25519") ? ED25519_MESSAGE : ECDSA_MESSAGE;
                calibrations.add(new Calibration(algorithm, p.getName(), calibrate(signer(algorithm, p), size)));
            }
        }
        for (int i = 0; i < calibrations.size(); i++) {
            Calibration first = calibrations.get(i);
            Provider p = providers.stream().filter(q -> q.getName().equals(first.provider())).findFirst().orElseThrow();
            double again = calibrate(signer(first.algorithm(), p), first.algorithm().equals("Ed25519") ? ED25519_MESSAGE : ECDSA_MESSAGE);
            calibrations.set(i, new Calibration(first.algorithm(), first.provider(), Math.min(first.microsPerSignature(), again)));
        }
        Provider edProvider = fastest(providers, calibrations, "Ed25519");
        Provider ecProvider = fastest(providers, calibrations, "SHA256withECDSA");

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        long[] counts = new long[threads];
        long[] cpu = new long[threads];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Signature ed = signer("Ed25519", edProvider);
            Signature ec = signer("SHA256withECDSA", ecProvider);
            workers.add(new Thread(() -> {
                byte[] sshBody = new byte[ED25519_MESSAGE];
                byte[] tlsBody = new byte[ECDSA_MESSAGE];
                long n = 0;
                long cpuStart = 0;
                boolean counting = false;
                try {
                    while (!stop.get()) {
                        if (!counting && measuring.get()) {
                            counting = true;
                            cpuStart = mx.getCurrentThreadCpuTime();
                        }
                        sshBody[(int) (n % ED25519_MESSAGE)]++;
                        tlsBody[(int) (n % ECDSA_MESSAGE)]++;
                        ed.update(sshBody);
                        ed.sign();
                        ec.update(tlsBody);
                        ec.sign();
                        if (counting) {
                            n++;
                        }
                    }
                } catch (java.security.SignatureException e) {
                    throw new IllegalStateException(e);
                }
                counts[index] = n;
                cpu[index] = mx.getCurrentThreadCpuTime() - cpuStart;
            }, "ceiling-" + t));
        }
        workers.forEach(Thread::start);
        Thread.sleep(Math.max(2000, (long) (seconds * 200))); // warm-up: the JIT compiles the signing code
        measuring.set(true);
        long started = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread w : workers) {
            w.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long total = 0;
        long cpuTotal = 0;
        for (int t = 0; t < threads; t++) {
            total += counts[t];
            cpuTotal += cpu[t];
        }
        return new Result(total / elapsed, cpuTotal / 1e3 / total, threads, edProvider.getName(), ecProvider.getName(),
                calibrations);
    }

    private static Provider fastest(List<Provider> providers, List<Calibration> calibrations, String algorithm) {
        String name = calibrations.stream().filter(c -> c.algorithm().equals(algorithm))
                .min(java.util.Comparator.comparingDouble(Calibration::microsPerSignature)).orElseThrow().provider();
        return providers.stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
    }

    /** Microseconds per signature on one thread, after a warm-up, over about a second. */
    private static double calibrate(Signature s, int size) throws Exception {
        byte[] body = new byte[size];
        long deadline = System.nanoTime() + 700_000_000L;
        while (System.nanoTime() < deadline) {
            body[0]++;
            s.update(body);
            s.sign();
        }
        long n = 0;
        long started = System.nanoTime();
        while (System.nanoTime() - started < 1_000_000_000L) {
            body[1]++;
            s.update(body);
            s.sign();
            n++;
        }
        return (System.nanoTime() - started) / 1e3 / n;
    }

    private static Signature signer(String algorithm, Provider provider) throws Exception {
        KeyPair keys;
        if (algorithm.equals("Ed25519")) {
            keys = KeyPairGenerator.getInstance("Ed25519", provider).generateKeyPair();
        } else {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", provider);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            keys = g.generateKeyPair();
        }
        Signature s = Signature.getInstance(algorithm, provider);
        s.initSign(keys.getPrivate());
        return s;
    }
}
