#!/usr/bin/env bash
# Rebuilds dist/ from src/ (quickjs-emscripten v0.32.0's C sources, unmodified) and interface.patch,
# with Debian's emscripten (apt-get install emscripten: 3.1.6). The flags are those of the library's
# release-sync variant (its templates/Variant.mk), less what 3.1.6 lacks or names otherwise:
# - no Closure (Debian ships no closure compiler for it): the glue is longer, its names plain;
# - TOTAL_STACK for STACK_SIZE, and no MIN_NODE_VERSION;
# - ENVIRONMENT=web: 3.1.6's Node glue reads __dirname and hooks process 'unhandledRejection', neither
#   fit for an ES module inside the runner; the runner hands the glue its compiled module, so the glue
#   never fetches anything either way;
# - -O2 for -Oz: clang 14 at -Oz left QuickJS's interpreter 1.3-1.6x slower than the library's build
#   (bench/quickjs-bytecode.ts); at -O2 it is as fast or faster, for a 0.86 MB file instead of 0.47 MB.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
SRC="$HERE/src"
OUT="${OUT:-$HERE/dist}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Emscripten's JavaScript optimiser needs acorn, which Debian installs for its own Node.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs:/usr/lib/nodejs}"

command -v emcc >/dev/null || {
  echo "emcc not found: apt-get install -y emscripten" >&2
  exit 1
}

cp -r "$SRC/c" "$SRC/vendor" "$WORK/"
patch -s -d "$WORK" -p1 <"$HERE/interface.patch"
Q="$WORK/vendor/quickjs"

# Every QTS_ function that interface.c defines, as the library's scripts/generate.ts finds them.
python3 - "$WORK/c/interface.c" >"$WORK/symbols.json" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
decl = re.compile(r'^([\w()* ]+[\s*]+)(QTS_\w+)(\((.*?)\)) ?{$', re.M)
names = [m.group(2) for m in decl.finditer(text) if 'AsyncifyOnly' not in m.group(1) and 'DebugOnly' not in m.group(1)]
print(json.dumps(['_' + n for n in names] + ['_malloc', '_free']))
PY

# Source paths end up in assertion messages: the same for every build directory.
FLAGS=("${OPT:--O2}" -flto -Wno-unused-command-line-argument -ffile-prefix-map="$WORK"=/quickjs)
LINK=(
  -s MODULARIZE=1 -s EXPORT_ES6=1 -s EXPORT_NAME=QuickJSRaw -s ENVIRONMENT=web
  -s IMPORTED_MEMORY=1 -s INVOKE_RUN=0 -s ALLOW_MEMORY_GROWTH=1 -s ALLOW_TABLE_GROWTH=1
  -s TOTAL_STACK=5MB -s SUPPORT_ERRNO=0 -s IGNORE_MISSING_MAIN=0 --no-entry
  -s AUTO_JS_LIBRARIES=0 -s AUTO_NATIVE_LIBRARIES=0 -s AUTO_ARCHIVE_INDEXES=0 -s DEFAULT_TO_CXX=0
  -s ALLOW_UNIMPLEMENTED_SYSCALLS=0 -s NODEJS_CATCH_EXIT=0 -s FILESYSTEM=0
  -s EXPORTED_RUNTIME_METHODS='["cwrap","stringToUTF8","lengthBytesUTF8","UTF8ToString","HEAPU8","HEAP8"]'
  -s EXPORTED_FUNCTIONS=@"$WORK/symbols.json"
  --pre-js "$SRC/templates/pre-extension.js" --pre-js "$SRC/templates/pre-wasmMemory.js"
)
QUICKJS_DEFINES=(-D_GNU_SOURCE -DCONFIG_VERSION="\"$(cat "$Q/VERSION")\"" -DCONFIG_STACK_CHECK)

OBJS=()
for f in quickjs dtoa libregexp libunicode cutils; do
  emcc "${FLAGS[@]}" "${QUICKJS_DEFINES[@]}" -c -o "$WORK/$f.o" "$Q/$f.c" &
  OBJS+=("$WORK/$f.o")
done
emcc "${FLAGS[@]}" -Wcast-function-type -c -o "$WORK/interface.o" "$WORK/c/interface.c" &
wait
mkdir -p "$OUT"
emcc "${FLAGS[@]}" "${LINK[@]}" -o "$WORK/emscripten-module.mjs" "$WORK/interface.o" "${OBJS[@]}"
cp "$WORK/emscripten-module.mjs" "$WORK/emscripten-module.wasm" "$OUT/"
sha256sum "$OUT"/emscripten-module.*
