#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-install.sh BUILDDIR: installs the build into a temporary DESTDIR and
# checks that libdgateway-testing-1 arrives whole, as a user gets it: the
# library, its headers, its pkg-config file, GIR and typelib, and the
# dgateway-mock-gateway program; then builds and runs a small C program
# against that installation alone, through pkg-config.

set -eu

build=$1
destdir=$(mktemp -d)
trap 'rm -rf "$destdir"' EXIT

meson install -C "$build" --destdir "$destdir" --no-rebuild --quiet >/dev/null

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

find_one () {
  found=$(find "$destdir" -path "*/$1" | head -n 1)
  [ -n "$found" ] || fail "not installed: $1"
  echo "ok - installed $(echo "$found" | sed "s|^$destdir||")" >&2
  echo "$found"
}

pc=$(find_one pkgconfig/libdgateway-testing-1.pc)
find_one libdgateway-testing-1/dgateway-testing.h >/dev/null
find_one libdgateway-testing-1/dgateway-mock-gateway.h >/dev/null
find_one libdgateway-testing-1/dgateway-mock-frame.h >/dev/null
find_one gir-1.0/DGatewayTesting-1.gir >/dev/null
find_one girepository-1.0/DGatewayTesting-1.typelib >/dev/null
cli=$(find_one bin/dgateway-mock-gateway)
lib=$(find_one 'libdgateway-testing-1.so.0')

libdir=$(dirname "$lib")
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$cli" --help >/dev/null || fail "dgateway-mock-gateway --help"

cat > "$destdir/user.c" <<'C'
#include <dgateway-testing.h>

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DGatewayMockGateway) mock = dgateway_mock_gateway_new (&error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (dgateway_mock_gateway_get_url (mock), "ws://127.0.0.1:"));
  g_assert_true (dgateway_mock_gateway_add_guild (mock, "{\"id\":\"1\",\"members\":[]}", &error));
  return 0;
}
C
# The .pc file as installed, with its prefix moved into DESTDIR (pkg-config's
# own relocation options would move the system's packages too).
mkdir "$destdir/pkgconfig"
sed "s|^prefix=|prefix=$destdir|" "$pc" > "$destdir/pkgconfig/libdgateway-testing-1.pc"
export PKG_CONFIG_PATH="$destdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags=$(pkg-config --cflags --libs libdgateway-testing-1) \
  || fail "pkg-config libdgateway-testing-1"
${CC:-cc} -o "$destdir/user" "$destdir/user.c" $flags || fail "building against the installed library"
"$destdir/user" || fail "running against the installed library"
echo "ok - a program builds and runs against the installed library" >&2
