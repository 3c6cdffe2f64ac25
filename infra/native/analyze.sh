#!/usr/bin/env bash
# infra/native/analyze.sh [service...]   (default: ingest rating invoicing admin-ui)
#
# Runs GraalVM's native-image builder over each Quarkus service, without a GraalVM/Mandrel installation, as far as it
# can go on this machine: the points-to analysis, class initialization, and code generation down to the relocatable
# object file. It stops there, before the final link, because the link needs static C libraries that no package here
# provides (the static JDK libraries libjava.a/libnio.a/libnet.a, GraalVM's liblibchelper.a/libjvm.a, ...). So the
# builder is run with -H:+ExitAfterRelocatableImageWrite: it writes the .o and returns, and the static-library check
# that would otherwise stop it at [1/8] is skipped for that mode. Nothing is linked and nothing runs.
#
# How it works:
#  1. Quarkus writes the native build inputs without a toolchain (-Dquarkus.native.sources-only=true, as in
#     `./tally native-check`): <service>/target/native-sources/{native-image.args, *-runner.jar, lib/}.
#  2. The builder comes from Maven Central: org.graalvm.nativeimage:svm (NATIVE_ANALYZE_SVM_VERSION, 25.0.4) and what
#     its pom needs (compiler, pointsto, objectfile, native-image-base, nativeimage, word, collections, ...), resolved
#     by Maven into ~/.m2. It runs on the Temurin 25 JDK (JVMCI is built in) on the module path, like the native-image
#     launcher does it; the Graal compiler jar replaces the JDK's empty jdk.graal.compiler module
#     (--upgrade-module-path), the JVMCI version check is relaxed (Temurin is not a LabsJDK), and the builder modules
#     get the --add-exports of JDK internals they use (derived with jdeps from the jars themselves).
#  3. The native-image *driver* is not on Maven Central, so its argument handling is done by a small Java program
#     written below (NativeAnalyzeDriver): -J options, -H: options with their origins, API options such as
#     --initialize-at-run-time or --no-fallback translated through the builder's own @APIOption declarations, -jar with
#     its manifest (Main-Class, Class-Path, Add-Opens), --exclude-config, and every jar's META-INF/native-image
#     (native-image.properties, reflect-config.json, reachability-metadata.json, ...).
#  4. Three files that a GraalVM distribution ships outside these jars are made here, under infra/native/target/:
#     a java.home overlay (symlinks to the JDK) holding the builder's tiny JNI helper libreporterchelper.so (peak RSS and
#     terminal width, compiled with gcc), and stand-in C headers for the builder's own structs (amd64cpufeatures.h,
#     svm_locale.h, ...), generated from the builder's @CStruct declarations so that its C queries compile. Their
#     layout is not the real libchelper's, which does not matter for an image that is never linked.
#
# Per service it prints the builder phases reached, the duration, the peak RSS, the object file, and
#   PASS  the builder went through analysis and code generation and wrote the object file, with no error;
#   FAIL  any error on the way (unsupported features, class initialization at build time, missing classes when linking
#         at build time, "Error: ..." lines), printed as the builder printed it.
# Exit status 1 when any service fails. Missing reflection registrations are not build-time errors: the builder cannot
# see them, they only show when the image runs.
#
# Requirements: the Temurin 25 JDK (NATIVE_ANALYZE_JAVA_HOME, default /usr/lib/jvm/temurin-25-jdk-amd64), gcc and the
# libc headers (the builder compiles C queries), Maven Central (first run only), about 6 GB of free memory.
# Settings (environment): NATIVE_ANALYZE_SVM_VERSION (25.0.4), NATIVE_ANALYZE_XMX (builder heap, 10g),
# NATIVE_ANALYZE_EXTRA_ARGS (more native-image arguments, e.g. -Ob for a quicker, less optimized code generation),
# NATIVE_ANALYZE_SKIP_BUILD=1 (reuse existing target/native-sources). Logs: infra/native/target/<service>/build.log.
# Note: the sources-only build replaces <service>/target/quarkus-app; run ./tally build afterwards for the JVM packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JH="${NATIVE_ANALYZE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SVM_VERSION="${NATIVE_ANALYZE_SVM_VERSION:-25.0.4}"
XMX="${NATIVE_ANALYZE_XMX:-10g}"
read -r -a EXTRA_ARGS <<< "${NATIVE_ANALYZE_EXTRA_ARGS:-}"
WORK="$ROOT/infra/native/target"
KNOWN=(ingest rating invoicing admin-ui)
SERVICES=("$@")
(( ${#SERVICES[@]} )) || SERVICES=("${KNOWN[@]}")

die() { echo "analyze.sh: $*" >&2; exit 2; }
for s in "${SERVICES[@]}"; do
  [[ " ${KNOWN[*]} " == *" $s "* ]] || die "unknown service '$s' (known: ${KNOWN[*]})"
done
[[ -x "$JH/bin/java" && -x "$JH/bin/jdeps" ]] || die "no JDK at $JH (set NATIVE_ANALYZE_JAVA_HOME to a JDK 25 with JVMCI)"
"$JH/bin/java" --list-modules 2>/dev/null | grep '^jdk.internal.vm.ci@' >/dev/null || die "$JH has no jdk.internal.vm.ci (JVMCI) module"
command -v gcc >/dev/null || die "gcc is needed (the builder compiles C queries): apt-get install gcc"
export JAVA_HOME="$JH"
mkdir -p "$WORK"
# one run at a time: runs share infra/native/target and the services' target/native-sources, and 2 cores
if command -v flock >/dev/null; then
  exec 9> "$WORK/.lock"
  flock -n 9 || { echo "analyze.sh: another run of analyze.sh is going on here; waiting for it to end"; flock 9; }
fi

# --- 1. the builder jars, from Maven Central into ~/.m2 --------------------------------------------------------------
BUILDER="$WORK/builder-$SVM_VERSION"
mkdir -p "$BUILDER"
if [[ ! -s "$BUILDER/classpath" ]] || ! tr ':' '\n' < "$BUILDER/classpath" | xargs -r ls >/dev/null 2>&1; then
  echo "== resolving org.graalvm.nativeimage:svm:$SVM_VERSION and its dependencies (Maven Central -> ~/.m2)"
  cat > "$BUILDER/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.tally.infra</groupId>
  <artifactId>native-analyze-builder</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.graalvm.nativeimage</groupId><artifactId>svm</artifactId><version>$SVM_VERSION</version></dependency>
  </dependencies>
</project>
POM
  "$ROOT/mvnw" -B -q -f "$BUILDER/pom.xml" dependency:build-classpath -Dmdep.outputFile="$BUILDER/classpath" -Dmdep.includeScope=runtime
fi
COMPILER_JAR=$(tr ':' '\n' < "$BUILDER/classpath" | grep '/org/graalvm/compiler/compiler/')
MODULE_PATH=$(tr ':' '\n' < "$BUILDER/classpath" | grep -v '/org/graalvm/compiler/compiler/' | paste -sd:)
[[ -n "$COMPILER_JAR" && "$MODULE_PATH" == *"/svm-$SVM_VERSION.jar"* ]] || die "unexpected builder class path in $BUILDER/classpath"

# --- 2. the --add-exports of JDK internals the builder modules use (what the driver's graal-compiler-flags hold) -------
if [[ ! -s "$BUILDER/exports" ]]; then
  "$JH/bin/jdeps" --multi-release 25 --upgrade-module-path "$COMPILER_JAR" --module-path "$MODULE_PATH" -jdkinternals \
      "$COMPILER_JAR" ${MODULE_PATH//:/ } > "$BUILDER/jdeps.txt"
  {
    awk '/^[^ ]+ -> [^ ]+$/ {src=$1; next}
         $2 == "->" && /JDK internal API \(/ {t=$3; sub(/\.[^.]+$/, "", t); m=$NF; gsub(/[()]/, "", m); print m "/" t " " src}' "$BUILDER/jdeps.txt"
    # every JVMCI package to the compiler and the builder, as the native-image launcher does
    "$JH/bin/java" --describe-module jdk.internal.vm.ci | awk '$1 == "contains" || $1 == "exports" || $1 == "qualified" {
        p = ($1 == "qualified") ? $3 : $2; print "jdk.internal.vm.ci/" p " jdk.graal.compiler"; print "jdk.internal.vm.ci/" p " org.graalvm.nativeimage.builder"}'
  } | sort -u | awk '{ if ($1 in a) a[$1] = a[$1] "," $2; else a[$1] = $2 } END { for (k in a) print "--add-exports=" k "=" a[k] }' | sort > "$BUILDER/exports"
fi

# --- 3. java.home overlay with the builder's JNI helper, and stand-in headers -----------------------------------------
JHOME="$BUILDER/java-home"
if [[ ! -f "$JHOME/lib/svm/builder/lib/libreporterchelper.so" || "$(readlink "$JHOME/bin")" != "$JH/bin" ]]; then
  rm -rf "$JHOME"; mkdir -p "$JHOME/lib/svm/builder/lib"
  for e in "$JH"/*; do [[ "$(basename "$e")" == lib ]] || ln -s "$e" "$JHOME/$(basename "$e")"; done
  for e in "$JH"/lib/*; do ln -s "$e" "$JHOME/lib/$(basename "$e")"; done
  cat > "$BUILDER/reporterchelper.c" <<'C'
/* The two JNI functions of the builder's com.oracle.svm.hosted.ProgressReporterCHelper (peak RSS, terminal width). */
#include <jni.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>
JNIEXPORT jlong JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getPeakRSS0(JNIEnv *env, jclass c) {
    struct rusage u;
    return getrusage(RUSAGE_SELF, &u) == 0 ? (jlong) u.ru_maxrss * 1024 : -1;
}
JNIEXPORT jint JNICALL Java_com_oracle_svm_hosted_ProgressReporterCHelper_getTerminalWindowColumns0(JNIEnv *env, jclass c) {
    struct winsize w;
    return ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 ? w.ws_col : 0;
}
C
  gcc -shared -fPIC -O2 -I"$JH/include" -I"$JH/include/linux" -o "$JHOME/lib/svm/builder/lib/libreporterchelper.so" "$BUILDER/reporterchelper.c"
fi

DRIVER_SRC="$BUILDER/NativeAnalyzeDriver.java"
cat > "$DRIVER_SRC" <<'JAVA'
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.graalvm.collections.EconomicMap;

import com.oracle.svm.core.option.APIOption;
import com.oracle.svm.core.option.APIOptionGroup;
import com.oracle.svm.core.option.OptionUtils;
import com.oracle.svm.hosted.option.HostedOptionParser;
import com.oracle.svm.util.ReflectionUtil;

import jdk.graal.compiler.options.OptionDescriptor;
import jdk.graal.compiler.options.OptionDescriptors;
import jdk.graal.compiler.options.OptionsContainer;

/**
 * The part of GraalVM's native-image driver (com.oracle.svm.driver, not published to Maven Central) that turns
 * native-image arguments into image-builder arguments: -J options, -H:/-R: options with their origin, the API options
 * (--no-fallback, --initialize-at-run-time=..., --features=..., ...) translated through the builder's own @APIOption
 * annotations, -jar with its manifest Class-Path, --exclude-config, and the META-INF/native-image files of every class-path
 * entry (native-image.properties Args/JavaArgs, *-config.json, reachability-metadata.json).
 * Usage: NativeAnalyzeDriver <native-image.args> <output dir> [more native-image args]; writes builder-jvm.args (a java
 * @argfile) and builder-image.args (NUL-separated, for the builder's --image-args-file=).
 * Or: NativeAnalyzeDriver --stand-in-headers <include dir>.
 */
public class NativeAnalyzeDriver {
    record Api(String[] variants, char[] separators, String builderOption, String defaultValue, boolean defaultFinal,
                    List<Function<Object, Object>> transformers, String groupPrefix) {
    }

    record Exclude(Pattern jar, Pattern resource) {
    }

    final List<Api> apis = new ArrayList<>();
    final Set<String> hostedOptionNames = new LinkedHashSet<>();
    final List<String> jvmArgs = new ArrayList<>();
    final List<String> builderArgs = new ArrayList<>();
    final LinkedHashSet<Path> classpath = new LinkedHashSet<>();
    final List<Exclude> excludes = new ArrayList<>();
    final List<String> positional = new ArrayList<>();
    final Path workDir;
    String mainClass;
    String imageName;
    boolean jarMode;

    NativeAnalyzeDriver(Path workDir) {
        this.workDir = workDir;
    }

    static void fail(String msg) {
        System.err.println("Error: " + msg);
        System.exit(2);
    }

    @SuppressWarnings("unchecked")
    void loadApiOptions() throws Exception {
        Iterable<OptionDescriptors> all = OptionsContainer.getDiscoverableOptions(NativeAnalyzeDriver.class.getClassLoader());
        EconomicMap<String, OptionDescriptor> hosted = EconomicMap.create();
        EconomicMap<String, OptionDescriptor> runtime = EconomicMap.create();
        HostedOptionParser.collectOptions(all, hosted, runtime);
        for (OptionDescriptor d : hosted.getValues()) {
            hostedOptionNames.add(d.getName());
            extract("-H:", d);
        }
        for (OptionDescriptor d : runtime.getValues()) {
            extract("-R:", d);
        }
    }

    void extract(String prefix, OptionDescriptor d) throws Exception {
        boolean bool = d.getOptionValueType().equals(Boolean.class);
        for (APIOption a : OptionUtils.getAnnotationsByType(d, APIOption.class)) {
            String builderOption = prefix;
            String defaultValue = null;
            String groupPrefix = null;
            boolean hasFixed = a.fixedValue().length > 0;
            if (bool) {
                if (!a.group().equals(APIOption.NullGroup.class)) {
                    APIOptionGroup g = ReflectionUtil.newInstance(a.group());
                    groupPrefix = APIOption.Utils.groupName(g);
                }
                builderOption += (a.kind() == APIOption.APIOptionKind.Negated ? "-" : "+") + d.getName();
            } else {
                if (a.defaultValue().length > 0) {
                    defaultValue = a.defaultValue()[0];
                }
                if (hasFixed) {
                    defaultValue = a.fixedValue()[0];
                }
                builderOption += d.getName() + "=";
            }
            List<Function<Object, Object>> transformers = new ArrayList<>();
            for (Class<? extends Function<Object, Object>> t : a.valueTransformer()) {
                transformers.add(ReflectionUtil.newInstance(t));
            }
            apis.add(new Api(a.name(), a.valueSeparator(), builderOption, defaultValue, bool || hasFixed, transformers, groupPrefix));
        }
    }

    /** Same matching as the driver's APIOptionHandler.translateOption; null when the head is no API option. */
    String translateApi(ArrayDeque<String> q) {
        String head = q.peek();
        for (Api api : apis) {
            for (String variant : api.variants) {
                String name = api.groupPrefix == null ? APIOption.Utils.optionName(variant) : api.groupPrefix + variant;
                String value = null;
                boolean matched = false;
                if ((api.defaultFinal || api.defaultValue != null) && head.equals(name)) {
                    matched = true;
                } else {
                    for (char sep : api.separators) {
                        if (sep == APIOption.WHITESPACE_SEPARATOR && head.equals(name)) {
                            q.poll();
                            value = q.peek();
                            if (value == null) {
                                fail(head + " requires option argument");
                            }
                            matched = true;
                            break;
                        }
                        String withSep = name + APIOption.Utils.valueSeparatorToString(sep);
                        if (sep != APIOption.WHITESPACE_SEPARATOR && head.startsWith(withSep)) {
                            value = head.substring(withSep.length());
                            matched = true;
                            break;
                        }
                    }
                }
                if (!matched) {
                    continue;
                }
                String optionValue = api.groupPrefix != null ? null : api.defaultValue;
                if (value != null) {
                    if (api.defaultFinal) {
                        fail("Passing values to option " + name + " is not supported.");
                    }
                    optionValue = value;
                }
                String result = api.builderOption;
                if (optionValue != null) {
                    Object transformed = optionValue;
                    for (Function<Object, Object> t : api.transformers) {
                        transformed = t.apply(transformed);
                    }
                    result += transformed.toString();
                }
                return result;
            }
        }
        return null;
    }

    static String injectOrigin(String option, String origin) {
        if (origin == null || !option.startsWith("-H:")) {
            return option;
        }
        int eq = option.indexOf('=');
        char c = option.length() > 3 ? option.charAt(3) : 0;
        if (c == '+' || c == '-') {
            return option + "@" + origin;
        }
        if (eq < 0) {
            fail("Malformed native-image hosted-option '" + option + "' ('=' missing after option name)");
        }
        return option.substring(0, eq) + "@" + origin + option.substring(eq);
    }

    void process(List<String> args, String origin) throws IOException {
        ArrayDeque<String> q = new ArrayDeque<>(args);
        while (!q.isEmpty()) {
            String head = q.peek();
            if (head.equals("--exclude-config")) {
                q.poll();
                String jar = q.poll();
                String res = q.poll();
                if (jar == null || res == null) {
                    fail("--exclude-config requires two arguments");
                }
                excludes.add(new Exclude(Pattern.compile(jar), Pattern.compile(res)));
            } else if (head.startsWith("-J")) {
                q.poll();
                jvmArgs.add(head.substring(2));
            } else if (head.startsWith("-D")) {
                q.poll();
                jvmArgs.add(head);
            } else if (head.equals("-jar")) {
                q.poll();
                addJar(workDir.resolve(q.poll()).normalize());
            } else if (head.equals("-cp") || head.equals("-classpath") || head.equals("--class-path")) {
                q.poll();
                for (String e : q.poll().split(":")) {
                    classpath.add(workDir.resolve(e.isEmpty() ? "." : e).normalize());
                }
            } else if (head.equals("--add-modules") || head.startsWith("--add-modules=")) {
                q.poll();
                jvmArgs.add(head.equals("--add-modules") ? "--add-modules=" + q.poll() : head);
            } else if (head.equals("--verbose") || head.equals("--no-server")) {
                q.poll();
            } else if (head.startsWith("-H:")) {
                q.poll();
                builderArgs.add(injectOrigin(head, origin));
            } else if (head.startsWith("-R:")) {
                q.poll();
                builderArgs.add(head);
            } else {
                String translated = translateApi(q);
                if (translated != null) {
                    q.poll();
                    builderArgs.add(injectOrigin(translated, origin + "+api"));
                } else if (head.startsWith("-")) {
                    fail("analyze.sh does not know the native-image option '" + head + "' (from " + origin + ")");
                } else {
                    q.poll();
                    positional.add(head);
                }
            }
        }
    }

    void addJar(Path jar) throws IOException {
        jarMode = true;
        classpath.add(jar);
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            if (m == null) {
                fail("no manifest in " + jar);
            }
            var attrs = m.getMainAttributes();
            String origin = null; /* 25.0.x has no OptionOrigin for manifests: plain, like command-line options */
            mainClass = attrs.getValue("Main-Class");
            if (mainClass == null) {
                fail("No main manifest attribute, in " + jar);
            }
            builderArgs.add(injectOrigin("-H:Class=" + mainClass, origin));
            /* as the driver does: Add-Opens/Add-Exports become -H:AddOpens/-H:AddExports for ALL-UNNAMED */
            for (String[] attr : new String[][]{{"Add-Opens", "AddOpens"}, {"Add-Exports", "AddExports"}}) {
                String v = attrs.getValue(attr[0]);
                if (v != null) {
                    for (String pkg : v.trim().split(" +")) {
                        builderArgs.add(injectOrigin("-H:" + attr[1] + "=" + pkg + "=ALL-UNNAMED", origin));
                    }
                }
            }
            if ("ALL-UNNAMED".equals(attrs.getValue("Enable-Native-Access"))) {
                jvmArgs.add("--enable-native-access=ALL-UNNAMED");
            }
            String cp = m.getMainAttributes().getValue("Class-Path");
            if (cp != null) {
                for (String e : cp.trim().split("\\s+")) {
                    if (!e.isEmpty()) {
                        classpath.add(jar.getParent().resolve(e).normalize());
                    }
                }
            }
        }
        String n = jar.getFileName().toString();
        imageName = n.endsWith(".jar") ? n.substring(0, n.length() - 4) : n;
    }

    /** Same walk as the driver's NativeImageMetaInfWalker + DriverMetaInfProcessor. */
    void walkMetaInf(Path entry, Map<String, String> fileToOption) throws IOException {
        if (Files.isDirectory(entry)) {
            walkBase(entry, entry.resolve("META-INF/native-image"), fileToOption);
        } else if (Files.isRegularFile(entry) && entry.toString().endsWith(".jar")) {
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + entry.toUri()), Map.of())) {
                walkBase(entry, fs.getPath("/META-INF/native-image"), fileToOption);
            }
        }
    }

    void walkBase(Path entry, Path base, Map<String, String> fileToOption) throws IOException {
        if (!Files.isDirectory(base)) {
            return;
        }
        Path root = base.getParent().getParent();
        for (Map.Entry<String, String> type : fileToOption.entrySet()) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(base)) {
                files = s.filter(p -> p.endsWith(type.getKey())).sorted().toList();
            }
            for (Path f : files) {
                boolean excluded = excludes.stream().filter(e -> e.jar.matcher(entry.toString()).find())
                                .anyMatch(e -> e.resource.matcher(f.toString()).find());
                if (excluded) {
                    continue;
                }
                String uri = f.toUri().toString();
                if (type.getValue() == null) {
                    Properties p = new Properties();
                    try (var in = Files.newInputStream(f)) {
                        p.load(in);
                    }
                    String imageNameValue = p.getProperty("ImageName");
                    if (imageNameValue != null) {
                        builderArgs.add(injectOrigin("-H:Name=" + imageNameValue, uri));
                    }
                    for (String j : split(p.getProperty("JavaArgs"), uri)) {
                        jvmArgs.add(j);
                    }
                    process(split(p.getProperty("Args"), uri), uri);
                } else {
                    builderArgs.add(injectOrigin("-H:" + type.getValue() + "=" + root.relativize(f), uri + "+api"));
                }
            }
        }
    }

    static List<String> split(String value, String origin) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        if (value.contains("${")) {
            fail("analyze.sh does not resolve ${...} property values (in " + origin + ")");
        }
        return Stream.of(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }


    /**
     * Stand-ins for the builder's own C headers (GraalVM ships them in lib/svm/clibraries/<platform>/include, Maven Central
     * does not): a struct or constant declaration for every @CStruct/@CField/@CConstant that the builder's Java code declares
     * for them, so that its C-annotation queries compile. Sizes and offsets come from these declarations, not from the real
     * libchelper, which is fine for an image that is never linked or run.
     */
    static void writeStandInHeaders(Path includeDir) throws Exception {
        String[][] headers = {{"amd64cpufeatures.h", "com.oracle.svm.core.amd64.AMD64LibCHelper$CPUFeatures"},
                        {"aarch64cpufeatures.h", "com.oracle.svm.core.aarch64.AArch64LibCHelper$CPUFeatures"},
                        {"riscv64cpufeatures.h", "com.oracle.svm.core.riscv64.RISCV64LibCHelper$CPUFeatures"},
                        {"svm_locale.h", "com.oracle.svm.core.c.locale.LocaleCHelper"}};
        Files.createDirectories(includeDir);
        ClassLoader cl = NativeAnalyzeDriver.class.getClassLoader();
        for (String[] h : headers) {
            StringBuilder out = new StringBuilder("/* generated by infra/native/analyze.sh: stand-in for the builder's " + h[0] + " */\n");
            out.append("#ifndef STANDIN_").append(h[0].replace('.', '_').toUpperCase()).append("\n#define STANDIN_")
                            .append(h[0].replace('.', '_').toUpperCase()).append("\n#include <stddef.h>\n");
            Class<?> c = Class.forName(h[1], false, cl);
            int constant = 0;
            List<Class<?>> classes = new ArrayList<>();
            classes.add(c);
            classes.addAll(List.of(c.getDeclaredClasses()));
            for (Class<?> k : classes) {
                for (Method m : k.getDeclaredMethods()) {
                    if (m.isAnnotationPresent(org.graalvm.nativeimage.c.constant.CConstant.class)) {
                        String v = m.getAnnotation(org.graalvm.nativeimage.c.constant.CConstant.class).value();
                        out.append("#define ").append(v.isEmpty() ? m.getName() : v).append(' ').append(constant++).append('\n');
                    }
                }
                org.graalvm.nativeimage.c.struct.CStruct st = k.getAnnotation(org.graalvm.nativeimage.c.struct.CStruct.class);
                if (st == null) {
                    continue;
                }
                String name = st.value().isEmpty() ? k.getSimpleName() : st.value();
                out.append("struct ").append(name).append(" {\n");
                Set<String> seen = new LinkedHashSet<>();
                for (Method m : k.getDeclaredMethods()) {
                    org.graalvm.nativeimage.c.struct.CField f = m.getAnnotation(org.graalvm.nativeimage.c.struct.CField.class);
                    if (f == null || m.getParameterCount() != 0) {
                        continue;
                    }
                    String field = f.value().isEmpty() ? m.getName() : f.value();
                    if (seen.add(field)) {
                        out.append("    ").append(cType(m.getReturnType())).append(' ').append(field).append(";\n");
                    }
                }
                out.append("};\n");
                if (!st.addStructKeyword()) {
                    out.append("typedef struct ").append(name).append(' ').append(name).append(";\n");
                }
            }
            out.append("#endif\n");
            Files.writeString(includeDir.resolve(h[0]), out);
        }
    }

    static String cType(Class<?> t) {
        if (t == boolean.class || t == byte.class) {
            return "char";
        } else if (t == short.class || t == char.class) {
            return "short";
        } else if (t == int.class) {
            return "int";
        } else if (t == long.class) {
            return "long long";
        } else if (t == float.class) {
            return "float";
        } else if (t == double.class) {
            return "double";
        }
        return "void *";
    }

    public static void main(String[] a) throws Exception {
        if (a[0].equals("--stand-in-headers")) {
            writeStandInHeaders(Path.of(a[1]));
            return;
        }
        Path argsFile = Path.of(a[0]).toAbsolutePath();
        Path out = Path.of(a[1]).toAbsolutePath();
        NativeAnalyzeDriver d = new NativeAnalyzeDriver(argsFile.getParent());
        d.loadApiOptions();
        String content = Files.readString(argsFile, StandardCharsets.UTF_8);
        d.process(Stream.of(content.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList(), "user");
        /* extra native-image arguments from the command line of analyze.sh (NATIVE_ANALYZE_EXTRA_ARGS), e.g. -Ob */
        d.process(List.of(a).subList(2, a.length), "user");

        Map<String, String> fileToOption = new LinkedHashMap<>();
        fileToOption.put("native-image.properties", null);
        Class<?> cf = Class.forName("com.oracle.svm.configure.ConfigurationFile");
        Method fileName = cf.getMethod("getFileName");
        String[][] types = {{"REACHABILITY_METADATA", "ReachabilityMetadataResources"}, {"JNI", "JNIConfigurationResources"},
                        {"FOREIGN", "ForeignResources"}, {"REFLECTION", "ReflectionConfigurationResources"},
                        {"RESOURCES", "ResourceConfigurationResources"}, {"DYNAMIC_PROXY", "DynamicProxyConfigurationResources"},
                        {"SERIALIZATION", "SerializationConfigurationResources"},
                        {"SERIALIZATION_DENY", "SerializationDenyConfigurationResources"},
                        {"PREDEFINED_CLASSES_NAME", "PredefinedClassesConfigurationResources"}};
        for (String[] t : types) {
            if (d.hostedOptionNames.contains(t[1])) {
                @SuppressWarnings({"unchecked", "rawtypes"})
                Object constant = Enum.valueOf((Class) cf, t[0]);
                fileToOption.put((String) fileName.invoke(constant), t[1]);
            }
        }
        List<Path> cp = new ArrayList<>(d.classpath);
        for (Path entry : cp) {
            if (!Files.exists(entry)) {
                fail("class-path entry " + entry + " does not exist");
            }
            d.walkMetaInf(entry, fileToOption);
        }

        List<String> image = new ArrayList<>();
        image.add("-imagecp");
        image.add(String.join(":", d.classpath.stream().map(Path::toString).toList()));
        image.add("-H:Path@driver=" + out);
        String name = d.imageName;
        if (!d.positional.isEmpty()) {
            name = d.positional.get(0);
        }
        if (d.positional.size() > 1) {
            fail("unexpected arguments " + d.positional);
        }
        if (name != null) {
            image.add("-H:Name@driver=" + name);
        }
        image.addAll(d.builderArgs);
        if (d.hostedOptionNames.contains("ImageBuildID")) {
            image.add("-H:ImageBuildID@driver=" + java.util.UUID.nameUUIDFromBytes(content.getBytes(StandardCharsets.UTF_8)));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("builder-image.args"), String.join("\0", image));
        Files.write(out.resolve("builder-jvm.args"), d.jvmArgs.stream().map(x -> "\"" + x.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").toList());
    }
}
JAVA

DRIVER_JVM=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path "$COMPILER_JAR" --module-path "$MODULE_PATH"
  --add-modules org.graalvm.nativeimage.builder)
mapfile -t BUILDER_EXPORTS < "$BUILDER/exports"
DRIVER_EXPORTS=(--add-exports=org.graalvm.nativeimage.builder/com.oracle.svm.core.option=ALL-UNNAMED
  --add-exports=org.graalvm.nativeimage.builder/com.oracle.svm.hosted.option=ALL-UNNAMED
  --add-exports=jdk.graal.compiler/jdk.graal.compiler.options=ALL-UNNAMED
  --add-exports=org.graalvm.nativeimage.configure/com.oracle.svm.configure=ALL-UNNAMED
  --add-exports=org.graalvm.nativeimage.base/com.oracle.svm.util=ALL-UNNAMED)
driver() { "$JH/bin/java" "${DRIVER_JVM[@]}" "${BUILDER_EXPORTS[@]}" "${DRIVER_EXPORTS[@]}" "$DRIVER_SRC" "$@"; }

CLIB="$BUILDER/clibraries"
[[ -f "$CLIB/include/amd64cpufeatures.h" ]] || driver --stand-in-headers "$CLIB/include"

# --- 4. the native build inputs, one Maven build for all services ----------------------------------------------------
if [[ "${NATIVE_ANALYZE_SKIP_BUILD:-0}" != 1 ]]; then
  echo "== Quarkus native build steps, sources only: ${SERVICES[*]}"
  t0=$SECONDS
  "$ROOT/mvnw" -B -q install -DskipTests -pl "$(IFS=,; echo "${SERVICES[*]}")" -am -Pnative \
      -Dquarkus.native.enabled=true -Dquarkus.native.sources-only=true
  echo "   done in $((SECONDS - t0))s"
fi

# --- 5. the builder, one service at a time ---------------------------------------------------------------------------
BUILDER_MODULES=org.graalvm.nativeimage.builder,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.objectfile,org.graalvm.nativeimage.base,jdk.graal.compiler
declare -A RESULT DURATION PEAK
failed=0
for s in "${SERVICES[@]}"; do
  src="$ROOT/$s/target/native-sources"
  out="$WORK/$s"
  echo
  echo "== $s: native-image builder (svm $SVM_VERSION on $("$JH/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.runtime.version/ {print $2}'))"
  if [[ ! -f "$src/native-image.args" ]]; then
    echo "   no $src/native-image.args (the sources-only build did not run?)"
    RESULT[$s]=FAIL; DURATION[$s]=-; PEAK[$s]=-; failed=1; continue
  fi
  rm -rf "$out"; mkdir -p "$out/build-tmp" "$out/driver-tmp"
  if ! driver "$src/native-image.args" "$out" "${EXTRA_ARGS[@]}" > "$out/driver.log" 2>&1; then
    cat "$out/driver.log"
    RESULT[$s]=FAIL; DURATION[$s]=-; PEAK[$s]=-; failed=1; continue
  fi
  # stop after the object file is written (no static libraries to link with); keep it in build-tmp as the evidence
  printf '\0%s' "-H:CLibraryPath@driver=$CLIB" "-H:TempDirectory@driver=$out/build-tmp" \
      -H:+UnlockExperimentalVMOptions@driver -H:+ExitAfterRelocatableImageWrite@driver -H:-UnlockExperimentalVMOptions@driver \
      >> "$out/builder-image.args"
  jdk_version=$("$JH/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.runtime.version/ {sub(/-.*/, "", $2); print $2}')
  {
    printf '%s\n' -XX:+UseParallelGC -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI -XX:-UseJVMCICompiler \
      -Dtruffle.TrustAllTruffleRuntimeProviders=true -Dtruffle.TruffleRuntime=com.oracle.truffle.api.impl.DefaultTruffleRuntime \
      -Dgraalvm.ForcePolyglotInvalid=true -Dgraalvm.locatorDisabled=true -Dsubstratevm.HostLibC=glibc
    cat "$BUILDER/exports"
    printf '%s\n' "-Xmx$XMX" -XX:GCTimeRatio=9 -XX:+ExitOnOutOfMemoryError -Xss10m -Djava.awt.headless=true \
      "-Djava.home=$JHOME" '"-Dorg.graalvm.vendor=GraalVM Community"' "\"-Dorg.graalvm.vendorversion=GraalVM CE $jdk_version.1\"" \
      -Dorg.graalvm.vendorurl=https://www.graalvm.org/ "-Dorg.graalvm.version=$SVM_VERSION" -Dcom.oracle.graalvm.isaot=true \
      -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader -Dorg.graalvm.nativeimage.imagecode=buildtime \
      -Xshare:off -Djdk.internal.lambda.disableEagerInitialization=true -Djdk.internal.lambda.eagerlyInitialize=false \
      -Djava.lang.invoke.InnerClassLambdaMetafactory.initializeLambdas=false \
      -Djava.lang.invoke.MethodHandle.DONT_INLINE_THRESHOLD=-1 -Djava.lang.invoke.MethodHandle.PROFILE_GWT=false
    cat "$out/builder-jvm.args"
    printf '%s\n' --add-modules=ALL-DEFAULT "--enable-native-access=$BUILDER_MODULES" \
      --upgrade-module-path "$COMPILER_JAR" --module-path "$MODULE_PATH" \
      --module org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner
  } > "$out/java.args"
  timer=()
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f 'analyze.sh: exit %x, %e s, max RSS %M KB' -o "$out/time.txt")
  t0=$SECONDS
  set +e
  ( cd "$out" && JVMCI_VERSION_CHECK=ignore USE_NATIVE_IMAGE_JAVA_PLATFORM_MODULE_SYSTEM=true \
      DRIVER_TEMP_DIR_ENV_VARIABLE="$out/driver-tmp" \
      "${timer[@]}" "$JH/bin/java" "@$out/java.args" "--image-args-file=$out/builder-image.args" ) 2>&1 \
    | tee "$out/build.log" | grep --line-buffered -E '^\[[0-9]+/[0-9]+\] ' | sed -u 's/   */ /g; s/^/   /'
  rc=${PIPESTATUS[0]}
  set -e
  DURATION[$s]="$((SECONDS - t0))s"
  PEAK[$s]=$(grep -aoE 'Peak RSS: [0-9.]+[KMG]B' "$out/build.log" | tail -1 | cut -d' ' -f3 || true)
  [[ -n "${PEAK[$s]}" ]] || PEAK[$s]=$(awk '/max RSS/ {printf "%.2fGB", $(NF-1)/1048576}' "$out/time.txt" 2>/dev/null || true)
  obj=$(find "$out/build-tmp" -name '*.o' -size +0 2>/dev/null | head -1)
  # an error is what the builder reports as one; a failed link for lack of static libraries would be the expected end
  grep -anE '^(Error|Fatal error): ' "$out/build.log" > "$out/errors.txt" || true
  link_only=0
  if [[ -s "$out/errors.txt" && -n "$obj" ]] && ! grep -qvE 'link|Linker|static JDK librar|lib[a-z_]+\.a|cannot find -l' "$out/errors.txt"; then
    link_only=1
  fi
  phases=$(grep -aoE '^\[[0-9]+/[0-9]+\] [A-Za-z ]+' "$out/build.log" | sed 's/\.*$//; s/ *$//' | tail -1 || true)
  if [[ -n "$obj" && ( $rc == 0 && ! -s "$out/errors.txt" || $link_only == 1 ) ]]; then
    RESULT[$s]=PASS
    echo "   [8/8] Creating image: object file written, $(du -h "$obj" | cut -f1) ($obj); link not attempted (no static libraries)"
  else
    RESULT[$s]=FAIL; failed=1
    echo "   FAIL after ${phases:-[no phase reached]} (builder exit $rc). The builder reported:"
    if [[ -s "$out/errors.txt" ]]; then
      # each error with what the builder printed under it, without stack frames
      first=$(head -1 "$out/errors.txt" | cut -d: -f1)
      sed -n "${first},\$p" "$out/build.log" | grep -avE '^\s+at |^\s+\.\.\. [0-9]+ more|^-{20,}|^={20,}' \
        | awk 'length > 0 && !seen[$0]++' | head -40 | sed 's/^/   | /'
    else
      grep -avE '^\s+at ' "$out/build.log" | tail -25 | sed 's/^/   | /'
    fi
  fi
  warnings=$(grep -acE '^Warning: ' "$out/build.log" || true)
  if (( warnings > 0 )); then
    echo "   $warnings builder warning(s), distinct:"
    grep -aE '^Warning: ' "$out/build.log" | sort | uniq -c | sort -rn | head -8 | cut -c1-220 | sed 's/^ */     /'
  fi
  echo "   ${RESULT[$s]}  $s  ${DURATION[$s]}  peak RSS ${PEAK[$s]:-?}  (log: ${out#"$ROOT"/}/build.log)"
done

echo
echo "== native-analyze summary (svm $SVM_VERSION; analysis + code generation to the object file; not linked, not run)"
for s in "${SERVICES[@]}"; do
  printf '   %-5s %-10s %7s   peak RSS %s\n' "${RESULT[$s]}" "$s" "${DURATION[$s]}" "${PEAK[$s]:-?}"
done
exit "$failed"
