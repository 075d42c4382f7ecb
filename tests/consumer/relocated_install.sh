#!/usr/bin/env bash
# The installed package works from wherever its tree is moved: install to one prefix,
# move the tree to another, check that no installed CMake file names the first prefix or
# a build-machine library file, then build and run two consumers against the moved tree
# (the whole library, and the decision component alone).
# Usage: relocated_install.sh CMAKE BUILD_DIR TESTS_SOURCE_DIR SCENARIO
set -euo pipefail
cmake=$1 build=$2 tests=$3 scenario=$4
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
"$cmake" --install "$build" --prefix "$root/installed" > /dev/null
mv "$root/installed" "$root/moved"
config=$(dirname "$(find "$root/moved" -name hemsimConfig.cmake)")
if grep -rl "$root/installed" "$config"; then
  echo "the installed package names the prefix it was installed to" >&2; exit 1
fi
if grep -lE '/[^ ";]*lib(csv|xlsxwriter)[.](so|a)' "$config"/*.cmake; then
  echo "the installed package names a library file of the build machine" >&2; exit 1
fi
for consumer in consumer consumer_decision; do
  "$cmake" -S "$tests/$consumer" -B "$root/build_$consumer" -DCMAKE_PREFIX_PATH="$root/moved" -DCMAKE_BUILD_TYPE=Release > /dev/null
  "$cmake" --build "$root/build_$consumer" > /dev/null
done
"$root/build_consumer/consumer" "$scenario"
"$root/build_consumer_decision/decision_consumer"
