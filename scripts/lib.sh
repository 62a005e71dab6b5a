# Shared shell helpers for Panamax's scripts; source it, do not run it.
# Finds a JDK >= 25 (JAVA_HOME first, then the usual JVM folders) and exports JAVA_HOME and PATH.

panamax_root() {
    cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

panamax_java_major() {
    # prints the major version of the java binary given as $1, or nothing: from the JDK's release file where it
    # has one for this machine's architecture (no JVM started: a probe costs tens of milliseconds, and every
    # script looks at several JDKs), else from the JVM's own properties (a JDK that cannot run prints nothing)
    local release="${1%/bin/java}/release" v arch
    if [ -f "$release" ]; then
        v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release" | head -n 1)
        arch=$(sed -n 's/^OS_ARCH="\(.*\)"/\1/p' "$release" | head -n 1)
        case "$arch" in amd64) arch=x86_64 ;; arm64) arch=aarch64 ;; esac
        if [ -n "$v" ] && { [ -z "$arch" ] || [ "$arch" = "$(uname -m)" ]; }; then
            echo "$v"
            return
        fi
    fi
    "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

panamax_find_jdk() {
    local candidates=() c v home="${HOME:-}"
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    # HOME may be unset (env -u HOME, some service managers): then only the system folders are searched
    for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* ${home:+"$home"/.sdkman/candidates/java/*} \
             ${home:+"$home"/.jdks/*} /Library/Java/JavaVirtualMachines/*/Contents/Home; do
        [ -d "$c" ] && candidates+=("$c")
    done
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for c in "${candidates[@]}"; do
        [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
        v=$(panamax_java_major "$c/bin/java")
        if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
            export JAVA_HOME="$c"
            export PATH="$JAVA_HOME/bin:$PATH"
            return 0
        fi
    done
    echo "panamax: no JDK 25 or newer found (looked at JAVA_HOME, /usr/lib/jvm, /opt, ~/.sdkman); install one, e.g. 'apt-get install temurin-25-jdk' or an OpenJDK 25 build, and set JAVA_HOME to it." >&2
    return 1
}

panamax_require_maven() {
    if ! command -v mvn >/dev/null 2>&1; then
        echo "panamax: Maven (mvn) is not installed; install Maven 3.8 or newer, e.g. 'apt-get install maven'." >&2
        return 1
    fi
}

# Builds bench/target/benchmarks.jar (installing the root artifact first) unless PANAMAX_BENCH_SKIP_BUILD=1
# and the jar exists. $1: the calling script's name, for its messages.
panamax_build_bench() {
    local who=$1 root jar
    root=$(panamax_root)
    jar="$root/bench/target/benchmarks.jar"
    if [ "${PANAMAX_BENCH_SKIP_BUILD:-0}" = 1 ] && [ -f "$jar" ]; then
        return 0
    fi
    panamax_require_maven || return 1
    echo "$who: installing panamax (mvn install -DskipTests) ..." >&2
    (cd "$root" && mvn -q -B install -DskipTests >&2) \
        || { echo "$who: building panamax failed; run 'mvn install -DskipTests' in $root to see why" >&2; return 1; }
    echo "$who: building bench/target/benchmarks.jar ..." >&2
    (cd "$root/bench" && mvn -q -B package >&2) \
        || { echo "$who: building the benchmarks failed; run 'mvn package' in $root/bench to see why" >&2; return 1; }
}

# The JVM options and OpenBLAS environment of one emulated vector width, in PANAMAX_WIDTH_JVM and
# PANAMAX_WIDTH_BLAS_ENV (arguments for env):
#   native  the JVM's widest vectors; OpenBLAS with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (its best kernels)
#   avx2    -XX:UseAVX=2 (256-bit, 16 registers); OPENBLAS_CORETYPE=Haswell (its AVX2 kernels)
#   128     -XX:MaxVectorSize=16 (128-bit, NEON's width); OPENBLAS_CORETYPE=Nehalem (its SSE kernels)
panamax_width_settings() {
    case "$1" in
        native) PANAMAX_WIDTH_JVM=(); PANAMAX_WIDTH_BLAS_ENV=(-u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE) ;;
        avx2)   PANAMAX_WIDTH_JVM=(-XX:+IgnoreUnrecognizedVMOptions -XX:UseAVX=2 ${PANAMAX_SCHEDULER_FLAG[@]+"${PANAMAX_SCHEDULER_FLAG[@]}"})
                PANAMAX_WIDTH_BLAS_ENV=(OPENBLAS_CORETYPE=Haswell) ;;
        128)    PANAMAX_WIDTH_JVM=(-XX:MaxVectorSize=16); PANAMAX_WIDTH_BLAS_ENV=(OPENBLAS_CORETYPE=Nehalem) ;;
        *) echo "panamax: unknown width '$1' (native, avx2, 128)" >&2; return 2 ;;
    esac
}

# The JVM flags every Panamax run needs (mirrors panamax.jvm.flags in pom.xml).
PANAMAX_JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)

# C2's register-pressure-aware scheduler (OptoRegScheduling, on by default on x86) spills the accumulators of the
# 6-row GEMM tile in AVX2's 16 vector registers; with it off C2 keeps them there, and the simd backend reads the
# flag at startup and takes that tile (GemmBlocking.MR). So the scripts' JVMs run without it on x86 without
# AVX-512 or where PANAMAX_JAVA_OPTS asks for -XX:UseAVX=0..2 (PANAMAX_JIT_FLAGS), and the emulated avx2 width too
# (panamax_width_settings). PANAMAX_C2_SCHEDULER=keep leaves the JVM's default, and the 4-row tile that a program
# embedding Panamax gets unless it sets the flag.
# panamax_jit_flags [CPUINFO] [ARCH] sets both arrays (defaults: /proc/cpuinfo, uname -m); run once below.
panamax_jit_flags() {
    local cpuinfo=${1:-/proc/cpuinfo} arch=${2:-$(uname -m)}
    PANAMAX_SCHEDULER_FLAG=()
    # a JVM without C2 (or without the flag) starts all the same
    [ "${PANAMAX_C2_SCHEDULER:-}" = keep ] || PANAMAX_SCHEDULER_FLAG=(-XX:+IgnoreUnrecognizedVMOptions -XX:-OptoRegScheduling)
    PANAMAX_JIT_FLAGS=()
    if [ "$arch" = x86_64 ]; then
        if [[ " ${PANAMAX_JAVA_OPTS:-} " =~ [[:space:]]-XX:UseAVX=[012][[:space:]] ]] \
            || { [ -r "$cpuinfo" ] && ! grep -q -w avx512f "$cpuinfo"; }; then
            PANAMAX_JIT_FLAGS=(${PANAMAX_SCHEDULER_FLAG[@]+"${PANAMAX_SCHEDULER_FLAG[@]}"})
        fi
    fi
}
panamax_jit_flags

# Maven's own bundled guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run: allow it quietly.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

# Finds a Python that imports torch (Debian's python3-torch lives under /usr/bin/python3, which a
# pyenv or venv python3 first on PATH hides): PANAMAX_PYTHON, then /usr/bin/python3, then python3.
# Sets PANAMAX_TORCH_PYTHON; says what to install when there is none.
panamax_find_torch_python() {
    local c
    for c in "${PANAMAX_PYTHON:-}" /usr/bin/python3 "$(command -v python3 2>/dev/null || true)"; do
        [ -n "$c" ] && [ -x "$c" ] || continue
        if "$c" -c 'import torch' 2>/dev/null; then
            PANAMAX_TORCH_PYTHON="$c"
            return 0
        fi
    done
    echo "panamax: no Python that imports torch (tried PANAMAX_PYTHON, /usr/bin/python3, python3 on PATH);" \
         "install Debian's PyTorch: apt-get install python3-torch" >&2
    return 1
}
